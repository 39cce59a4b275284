//! The run directory: `<report root>/<run id>/`, and the `latest` link.

use std::path::{Path, PathBuf};

use crate::error::SetupError;

/// A new run id: UTC time plus a short suffix unique to this process
/// (`20261126T174012Z-3fa2`). It appears in sandbox page titles.
pub fn new_run_id() -> String {
    let now = jiff::Timestamp::now();
    let suffix = (std::process::id() ^ now.subsec_nanosecond() as u32) & 0xffff;
    format!("{}-{suffix:04x}", now.strftime("%Y%m%dT%H%M%SZ"))
}

/// Creates `<root>/<run_id>` and points `<root>/latest` at it.
pub fn create(root: &Path, run_id: &str) -> Result<PathBuf, SetupError> {
    let dir = root.join(run_id);
    std::fs::create_dir_all(&dir).map_err(SetupError::io(&dir))?;
    point_latest(root, run_id)?;
    Ok(dir)
}

/// Points `<root>/latest` at `<root>/<name>` (replaced atomically).
pub fn point_latest(root: &Path, name: &str) -> Result<(), SetupError> {
    let link = root.join("latest");
    let tmp = root.join(format!(".latest-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(name, &tmp).map_err(SetupError::io(&tmp))?;
    std::fs::rename(&tmp, &link).map_err(SetupError::io(&link))
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
