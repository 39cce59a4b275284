//! A whole run: its metadata, outcome counts, every trial's record and the
//! clean-up of what it created. `summary.json` is a [`RunRecord`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::trial::{Status, TrialRecord};

/// Version of the event and summary schema; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Metadata of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Schema version of events and summary.
    pub schema: u32,
    /// Unique run id (also in sandbox page titles).
    pub run_id: String,
    /// Target name.
    pub target: String,
    /// Target base URL.
    pub base_url: String,
    /// Target description.
    pub target_description: String,
    /// RFC 3339 start time.
    pub started_at: String,
    /// argv of the run (secrets redacted).
    pub command_line: Vec<String>,
    /// Harness version.
    pub harness_version: String,
    /// Git commit of the harness, where known.
    pub git_commit: Option<String>,
    /// The baseline of diff mode, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// What the command line narrowed the run to (`--suite api`, `--team Web`,
    /// a name filter); empty when it ran everything.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selection: Vec<String>,
    /// The target's services by name (`web`, `shellbox`) with their
    /// `host:port`, so that a failed connection can be named.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, String>,
    /// `K/N` when this run is one shard of several; `merged N shards` after a merge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
}

impl RunInfo {
    /// A run of `target` at `base_url` under this harness's schema and version;
    /// the other fields empty for the caller to fill in.
    pub fn new(run_id: &str, target: &str, base_url: &str) -> Self {
        RunInfo {
            schema: SCHEMA_VERSION,
            run_id: run_id.into(),
            target: target.into(),
            base_url: base_url.into(),
            target_description: String::new(),
            started_at: String::new(),
            command_line: Vec::new(),
            harness_version: env!("CARGO_PKG_VERSION").into(),
            git_commit: None,
            baseline: None,
            selection: Vec::new(),
            services: BTreeMap::new(),
            shard: None,
        }
    }
}

/// Counts of trial outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Passed trials.
    pub passed: usize,
    /// Failed trials.
    pub failed: usize,
    /// Skipped trials.
    pub skipped: usize,
}

impl Counts {
    /// Counts the statuses of `trials`.
    pub fn of<'a>(trials: impl IntoIterator<Item = &'a TrialRecord>) -> Self {
        trials.into_iter().fold(Counts::default(), |mut c, t| {
            match t.status {
                Status::Passed => c.passed += 1,
                Status::Failed => c.failed += 1,
                Status::Skipped => c.skipped += 1,
            }
            c
        })
    }
}

/// A whole run: metadata and every finished trial. What readiness and reports consume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Run metadata.
    pub info: RunInfo,
    /// RFC 3339 end time (absent while running).
    pub finished_at: Option<String>,
    /// Wall time of the whole run, in seconds.
    pub duration_s: f64,
    /// Whether the run was interrupted (Ctrl-C) before all trials finished.
    pub interrupted: bool,
    /// Outcome counts.
    pub counts: Counts,
    /// Every finished trial, in finishing order.
    pub trials: Vec<TrialRecord>,
    /// Deletion of the pages the run created (absent when not attempted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup: Option<Cleanup>,
}

impl RunRecord {
    /// A completed run of `trials` (counted), without end time or clean-up.
    pub fn of(info: RunInfo, trials: Vec<TrialRecord>) -> Self {
        RunRecord {
            info,
            finished_at: None,
            duration_s: 0.0,
            interrupted: false,
            counts: Counts::of(&trials),
            trials,
            cleanup: None,
        }
    }
}

/// What clean-up of the pages a run created did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cleanup {
    /// Pages the run created.
    pub pages: usize,
    /// Pages deleted.
    pub deleted: usize,
    /// Why clean-up did not run or stopped, if it did.
    pub skipped: Option<String>,
    /// Pages that could not be deleted, with the reason.
    pub failures: Vec<String>,
}
