//! Result events: one stream, written as it happens.
//!
//! A run writes `events.jsonl` in its run directory: `run_started`, then
//! `trial_started` / `trial_finished` per trial as they happen, then
//! `run_finished`. Each line is flushed when written, so a crash loses nothing
//! recorded.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::FileError;
use crate::run::{Counts, RunInfo};
use crate::trial::TrialRecord;

/// One line of `events.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The run began.
    RunStarted(Box<RunInfo>),
    /// A trial began.
    TrialStarted {
        /// Trial name.
        trial: String,
        /// RFC 3339 time.
        at: String,
    },
    /// A trial ended.
    TrialFinished(Box<TrialRecord>),
    /// The run ended.
    RunFinished {
        /// RFC 3339 time.
        at: String,
        /// Outcome counts.
        counts: Counts,
        /// Whether it was interrupted.
        interrupted: bool,
    },
}

/// Appends events to a file, one JSON object per line, flushed per event.
#[derive(Debug)]
pub struct EventLog {
    path: PathBuf,
    file: Mutex<File>,
}

impl EventLog {
    /// Creates (or appends to) the log at `path`.
    pub fn create(path: &Path) -> Result<Self, FileError> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(FileError::io(path))?;
        Ok(EventLog {
            path: path.to_owned(),
            file: Mutex::new(file),
        })
    }

    /// A log that writes nowhere (for `--list`, where nothing runs).
    pub fn sink() -> Self {
        let path = PathBuf::from("/dev/null");
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("/dev/null opens");
        EventLog {
            path,
            file: Mutex::new(file),
        }
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one event as one line. Write errors are reported on stderr once
    /// per event and do not stop the run.
    pub fn emit(&self, event: &Event) {
        let mut line = serde_json::to_string(event).expect("events serialize");
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        // One write call per line: lines of concurrent trials never interleave.
        if let Err(e) = file.write_all(line.as_bytes()).and_then(|_| file.flush()) {
            eprintln!("wikiharness: cannot write {}: {e}", self.path.display());
        }
    }
}

/// Reads an `events.jsonl` back. A torn last line (crash mid-write) is ignored;
/// any other bad line is an error naming the line.
pub fn read_events(path: &Path) -> Result<Vec<Event>, FileError> {
    let file = File::open(path).map_err(FileError::io(path))?;
    let lines: Vec<String> = BufReader::new(file)
        .lines()
        .collect::<Result<_, _>>()
        .map_err(FileError::io(path))?;
    let last = lines.len();
    let mut events = Vec::with_capacity(last);
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(e) => events.push(e),
            Err(_) if i + 1 == last => break,
            Err(e) => {
                return Err(FileError::Invalid {
                    file: path.to_owned(),
                    line: Some(i + 1),
                    message: format!("not a wikiharness event: {e}"),
                });
            }
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_and_torn_tail_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let log = EventLog::create(&path).unwrap();
        log.emit(&Event::TrialStarted {
            trial: "a::b".into(),
            at: "t".into(),
        });
        log.emit(&Event::RunFinished {
            at: "t2".into(),
            counts: Counts::default(),
            interrupted: false,
        });
        drop(log);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"event\":\"trial_sta").unwrap();
        let events = read_events(&path).unwrap();
        assert_eq!(events.len(), 2);
        assert!(matches!(&events[0], Event::TrialStarted { trial, .. } if trial == "a::b"));
    }

    #[test]
    fn bad_middle_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(
            &path,
            "garbage\n{\"event\":\"trial_started\",\"trial\":\"x\",\"at\":\"t\"}\n",
        )
        .unwrap();
        let err = read_events(&path).unwrap_err().to_string();
        assert!(
            err.contains("events.jsonl:1: not a wikiharness event"),
            "{err}"
        );
    }
}
