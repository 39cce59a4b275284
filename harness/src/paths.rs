//! Where the harness finds its own files and puts its output.

use std::path::PathBuf;

/// Environment variable overriding the repository root (for installed copies,
/// e.g. the container image, where the sources are not at their build path).
pub const HOME_ENV: &str = "WIKIHARNESS_HOME";

/// The repository (workspace) root.
pub fn repo_root() -> PathBuf {
    std::env::var_os(HOME_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("harness/ has a parent")
                .to_owned()
        })
}

/// The repository's target registry.
pub fn repo_registry() -> PathBuf {
    repo_root().join("harness").join("targets.toml")
}

/// The local wiki control script.
pub fn local_wiki_script() -> PathBuf {
    repo_root().join("ci").join("local-wiki").join("wiki")
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
pub fn resolve(path: &std::path::Path) -> PathBuf {
    if path.is_absolute() {
        path.to_owned()
    } else {
        repo_root().join(path)
    }
}
