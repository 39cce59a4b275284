//! The load engine: a bounded goose attack configured in code, whose requests
//! the harness times itself into the recorders of [`wikiharness_record::load`]
//! (raw and coordinated-omission corrected HDR histograms). Suites describe
//! scenarios as [`Plan`]s of weighted [`Step`]s; judging the summary against
//! thresholds is the record's ([`wikiharness_record::load::Threshold`]).

pub mod attack;

pub use attack::{Call, Plan, Recorders, Step, run, step_fn, timed};
