//! The record of a wikiharness run: what a run writes and what its readers
//! read. Readiness verdicts and report renderers depend on this crate and on
//! nothing else of the run side (as cargo-nextest's readers depend on
//! `nextest-metadata`).
//!
//! - [`trial`]: what a trial is and what happened to it ([`TrialRecord`]);
//! - [`run`]: a whole run ([`RunRecord`], dumped as `summary.json`);
//! - [`events`]: the one stream of result events, `events.jsonl`;
//! - [`load`]: latency recording, load summaries and threshold judging;
//! - [`run_dir`]: the run directory's layout; [`paths`]: where runs live;
//! - [`error`]: reading or writing one of these files failed.
//!
//! A change here changes what every report reads: bump
//! [`SCHEMA_VERSION`] when it is incompatible.

pub mod error;
pub mod events;
pub mod load;
pub mod paths;
pub mod run;
pub mod run_dir;
pub mod trial;

pub use error::FileError;
pub use events::{Event, EventLog, read_events};
pub use run::{Cleanup, Counts, RunInfo, RunRecord, SCHEMA_VERSION};
pub use run_dir::Published;
pub use trial::{Capability, Exchange, Figure, SkipCause, Status, Symptom, TrialMeta, TrialRecord};
