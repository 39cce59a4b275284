//! The run directory: `<report root>/<run id>/`, the `latest` link, and the
//! files a run leaves in it.

use std::path::{Path, PathBuf};

use crate::error::FileError;
use crate::run::RunRecord;

/// The event stream, written as the run goes ([`crate::events`]).
pub const EVENTS: &str = "events.jsonl";
/// The finished [`RunRecord`], written at the end (or on Ctrl-C).
pub const SUMMARY: &str = "summary.json";
/// Files trials attached (screenshots, diffs); trial records name them
/// relative to the run directory.
pub const ATTACHMENTS: &str = "attachments";
/// The link in the report root to the newest run directory.
pub const LATEST: &str = "latest";

/// A new run id: UTC time plus a short suffix unique to this process
/// (`20261126T174012Z-3fa2`). It appears in sandbox page titles.
pub fn new_run_id() -> String {
    let now = jiff::Timestamp::now();
    let suffix = (std::process::id() ^ now.subsec_nanosecond() as u32) & 0xffff;
    format!("{}-{suffix:04x}", now.strftime("%Y%m%dT%H%M%SZ"))
}

/// Creates `<root>/<run_id>` and points `<root>/latest` at it.
pub fn create(root: &Path, run_id: &str) -> Result<PathBuf, FileError> {
    let dir = root.join(run_id);
    std::fs::create_dir_all(&dir).map_err(FileError::io(&dir))?;
    point_latest(root, run_id)?;
    Ok(dir)
}

/// Points `<root>/latest` at `<root>/<name>` (replaced atomically).
pub fn point_latest(root: &Path, name: &str) -> Result<(), FileError> {
    let link = root.join(LATEST);
    let tmp = root.join(format!(".latest-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(name, &tmp).map_err(FileError::io(&tmp))?;
    std::fs::rename(&tmp, &link).map_err(FileError::io(&link))
}

/// What the report stage wrote into a run directory, and what it wants said
/// last on the console.
#[derive(Debug, Default)]
pub struct Published {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Lines printed after the run's summary line (the probable causes).
    pub last_lines: Vec<String>,
}

/// Writes `record` as the run directory's `summary.json`.
pub fn write_summary(dir: &Path, record: &RunRecord) -> Result<PathBuf, FileError> {
    let file = dir.join(SUMMARY);
    let json = serde_json::to_vec_pretty(record).expect("a run record serializes");
    std::fs::write(&file, json).map_err(FileError::io(&file))?;
    Ok(file)
}

/// Reads a run directory's `summary.json`.
pub fn read_summary(dir: &Path) -> Result<RunRecord, FileError> {
    let file = dir.join(SUMMARY);
    let text = std::fs::read_to_string(&file).map_err(FileError::io(&file))?;
    serde_json::from_str(&text).map_err(|e| {
        FileError::invalid(
            &file,
            Some(e.line()),
            format!("not a wikiharness summary: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_sort_by_time_and_look_right() {
        let id = new_run_id();
        let re = regex::Regex::new(r"^\d{8}T\d{6}Z-[0-9a-f]{4}$").unwrap();
        assert!(re.is_match(&id), "{id}");
    }

    #[test]
    fn latest_follows_the_newest_run() {
        let root = tempfile::tempdir().unwrap();
        let a = create(root.path(), "run-a").unwrap();
        std::fs::write(a.join("x"), "a").unwrap();
        create(root.path(), "run-b").unwrap();
        let target = std::fs::read_link(root.path().join("latest")).unwrap();
        assert_eq!(target, PathBuf::from("run-b"));
        assert!(root.path().join("latest").is_dir());
    }
}
