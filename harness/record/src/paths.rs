//! Where the project's files are, and where runs are written.

use std::path::{Path, PathBuf};

/// Environment variable overriding the repository root (for installed copies,
/// e.g. the container image, where the sources are not at their build path).
pub const HOME_ENV: &str = "WIKIHARNESS_HOME";

/// The repository (workspace) root.
pub fn repo_root() -> PathBuf {
    std::env::var_os(HOME_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .nth(2)
                .expect("harness/record/ is two levels below the root")
                .to_owned()
        })
}

/// Default parent of run directories: `<repo>/target/wikiharness`.
pub fn default_report_root() -> PathBuf {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    target_dir.join("wikiharness")
}

/// Resolves a user-given path: relative paths are taken from the repository
/// root (cargo runs test binaries from the package directory, not from where
/// the user typed the command).
pub fn resolve(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_owned()
    } else {
        repo_root().join(path)
    }
}
