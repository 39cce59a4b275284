//! Run history: one line per run in `<report root>/history.jsonl`, for trends,
//! new failures, fixes and flaky trials.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use wikiharness_record::FileError;
use wikiharness_record::{RunRecord, Status};

use crate::outcomes::Outcomes;
use crate::verdict::{Readiness, Verdict};

/// How many earlier runs the trend, flaky and change views look at.
pub const WINDOW: usize = 10;

/// The summary of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Run id.
    pub run_id: String,
    /// RFC 3339 start.
    pub started_at: String,
    /// Target name.
    pub target: String,
    /// Harness commit.
    pub git_commit: Option<String>,
    /// Team verdicts.
    pub teams: BTreeMap<String, Verdict>,
    /// Trial statuses.
    pub trials: BTreeMap<String, Status>,
    /// Trial durations in ms (used to balance shards).
    #[serde(default)]
    pub durations_ms: BTreeMap<String, f64>,
}

impl HistoryEntry {
    /// The entry for a judged run.
    pub fn of(run: &RunRecord, readiness: &Readiness) -> Self {
        HistoryEntry {
            run_id: run.info.run_id.clone(),
            started_at: run.info.started_at.clone(),
            target: run.info.target.clone(),
            git_commit: run.info.git_commit.clone(),
            teams: readiness
                .teams
                .iter()
                .map(|t| (t.name.clone(), t.verdict))
                .collect(),
            trials: run
                .trials
                .iter()
                .map(|t| (t.meta.name.clone(), t.status))
                .collect(),
            durations_ms: run
                .trials
                .iter()
                .map(|t| (t.meta.name.clone(), t.duration_ms))
                .collect(),
        }
    }
}

/// The history file's entries, oldest first.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The file.
    pub path: PathBuf,
    /// Entries, oldest first.
    pub entries: Vec<HistoryEntry>,
}

/// Trials whose status changed between the previous run and this one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// Failed now, not failed in the previous run of the target.
    pub new_failures: Vec<String>,
    /// Passed now, failed in the previous run.
    pub fixed: Vec<String>,
}

impl History {
    /// The history file under a report root.
    pub fn path_in(report_root: &Path) -> PathBuf {
        report_root.join("history.jsonl")
    }

    /// Reads the history (missing file: empty; unreadable lines are skipped).
    pub fn load(path: &Path) -> Self {
        let entries = std::fs::read_to_string(path)
            .map(|text| {
                text.lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect()
            })
            .unwrap_or_default();
        History {
            path: path.to_owned(),
            entries,
        }
    }

    /// Appends an entry to the file and to memory.
    pub fn append(&mut self, entry: HistoryEntry) -> Result<(), FileError> {
        let mut line = serde_json::to_string(&entry).expect("serializes");
        line.push('\n');
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .map_err(FileError::io(&self.path))?;
        self.entries.push(entry);
        Ok(())
    }

    /// The last `n` entries for `target`, oldest first.
    pub fn recent(&self, target: &str, n: usize) -> Vec<&HistoryEntry> {
        let mut v: Vec<_> = self.entries.iter().filter(|e| e.target == target).collect();
        let skip = v.len().saturating_sub(n);
        v.drain(..skip);
        v
    }

    /// Trials that both passed and failed on the same commit within the window
    /// (the current run's statuses included).
    pub fn flaky(&self, run: &RunRecord) -> BTreeSet<String> {
        let mut seen: BTreeMap<(Option<&str>, &str), Outcomes> = BTreeMap::new();
        let current = run.trials.iter().map(|t| {
            (
                run.info.git_commit.as_deref(),
                t.meta.name.as_str(),
                t.status,
            )
        });
        let past = self
            .recent(&run.info.target, WINDOW)
            .into_iter()
            .flat_map(|e| {
                e.trials
                    .iter()
                    .map(move |(n, s)| (e.git_commit.as_deref(), n.as_str(), *s))
            });
        for (commit, name, status) in past.chain(current) {
            seen.entry((commit, name)).or_default().add(status, None);
        }
        seen.into_iter()
            .filter(|(_, o)| o.flaky())
            .map(|((_, n), _)| n.to_owned())
            .collect()
    }

    /// New failures and fixes against the previous run of the same target.
    pub fn changes(&self, run: &RunRecord) -> Changes {
        let Some(prev) = self.recent(&run.info.target, 1).pop() else {
            return Changes::default();
        };
        let mut c = Changes::default();
        for t in &run.trials {
            match (prev.trials.get(&t.meta.name), t.status) {
                (Some(Status::Failed), Status::Passed) => c.fixed.push(t.meta.name.clone()),
                (Some(s), Status::Failed) if *s != Status::Failed => {
                    c.new_failures.push(t.meta.name.clone())
                }
                (None, Status::Failed) => c.new_failures.push(t.meta.name.clone()),
                _ => {}
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, commit: &str, trials: &[(&str, Status)]) -> HistoryEntry {
        HistoryEntry {
            run_id: id.into(),
            started_at: id.into(),
            target: "local".into(),
            git_commit: Some(commit.into()),
            teams: BTreeMap::new(),
            trials: trials.iter().map(|(n, s)| (n.to_string(), *s)).collect(),
            durations_ms: BTreeMap::new(),
        }
    }

    fn record(commit: &str, trials: &[(&str, Status)]) -> RunRecord {
        let json = serde_json::json!({
            "info": {"schema": 1, "run_id": "now", "target": "local", "base_url": "x", "target_description": "",
                     "started_at": "now", "command_line": [], "harness_version": "0", "git_commit": commit},
            "finished_at": null, "duration_s": 0.0, "interrupted": false,
            "counts": {"passed": 0, "failed": 0, "skipped": 0},
            "trials": trials.iter().map(|(n, s)| serde_json::json!({
                "name": n, "suite": "s", "feature": "f", "team": "t", "needs": [], "production_safe": true,
                "status": s, "started_at": "", "duration_ms": 1.0, "requests": 0, "backends": [],
                "evidence": [], "figures": [], "notes": [], "attachments": []})).collect::<Vec<_>>(),
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn flaky_means_both_outcomes_on_the_same_commit() {
        let h = History {
            path: PathBuf::new(),
            entries: vec![
                entry("1", "abc", &[("a", Status::Failed), ("b", Status::Failed)]),
                entry("2", "old", &[("c", Status::Failed)]),
            ],
        };
        let run = record(
            "abc",
            &[
                ("a", Status::Passed),
                ("b", Status::Failed),
                ("c", Status::Passed),
            ],
        );
        assert_eq!(h.flaky(&run), ["a".to_string()].into());
    }

    #[test]
    fn changes_against_the_previous_run() {
        let h = History {
            path: PathBuf::new(),
            entries: vec![entry(
                "1",
                "x",
                &[("a", Status::Failed), ("b", Status::Passed)],
            )],
        };
        let run = record(
            "y",
            &[
                ("a", Status::Passed),
                ("b", Status::Failed),
                ("new", Status::Failed),
            ],
        );
        let c = h.changes(&run);
        assert_eq!(c.fixed, ["a"]);
        assert_eq!(c.new_failures, ["b", "new"]);
    }

    #[test]
    fn append_and_reload() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::load(&History::path_in(dir.path()));
        assert!(h.entries.is_empty());
        h.append(entry("1", "x", &[("a", Status::Passed)])).unwrap();
        h.append(entry("2", "x", &[("a", Status::Passed)])).unwrap();
        let again = History::load(&h.path);
        assert_eq!(again.entries.len(), 2);
        assert_eq!(again.recent("local", 1)[0].run_id, "2");
    }
}
