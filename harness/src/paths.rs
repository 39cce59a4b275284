//! Where the harness finds its own files. Where runs are written, and the
//! repository root, are the record's (`wikiharness_record::paths`).

use std::path::PathBuf;

use wikiharness_record::paths::repo_root;

/// The repository's target registry.
pub fn repo_registry() -> PathBuf {
    repo_root().join("harness").join("targets.toml")
}

/// The local wiki control script.
pub fn local_wiki_script() -> PathBuf {
    repo_root().join("ci").join("local-wiki").join("wiki")
}
