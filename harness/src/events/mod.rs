//! Result events: one stream, written as it happens.
//!
//! A run writes `events.jsonl` in its run directory: `run_started`, then
//! `trial_started` / `trial_finished` per trial as they happen, then
//! `run_finished`. Each line is flushed when written, so a crash loses nothing
//! recorded. [`RunRecord`] is the in-memory view handed to the later stages
//! (readiness verdicts, report renderers), and `summary.json` is its dump.

mod log;
mod record;

pub use log::{EventLog, read_events};
pub use record::{
    Capability, Counts, Event, Exchange, Figure, RunInfo, RunRecord, SCHEMA_VERSION, SkipCause,
    Status, Symptom, TrialMeta, TrialRecord,
};
