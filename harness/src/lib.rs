//! wikiharness runner core: command line, target registry, wiki client,
//! trials, and the libtest-mimic runner.
//!
//! Data flows one way: [`target`] and [`cli`] choose the wiki, suites supply
//! [`trial::TrialSpec`]s, the [`runner`] runs them and writes the run's record
//! (`wikiharness_record`: events as they happen, then `summary.json`), which
//! readiness verdicts and report renderers read. This crate never calls those
//! later stages; they reach it only through the record.
//!
//! The engines trials drive sit beside this crate: `wikiharness-load` (goose)
//! and `wikiharness-browser` (Chromium). The two small ones built on this
//! crate's client stay here: [`checks`] (YAML and httpbb checks as data) and
//! [`diff`] (comparing two backends' answers).

pub mod checks;
pub mod cli;
pub mod client;
pub mod context;
pub mod datafile;
pub mod diff;
pub mod error;
pub mod evidence;
pub mod localwiki;
pub mod paths;
pub mod redact;
pub mod runner;
pub mod server_logs;
pub mod target;
pub mod trial;

pub use context::TrialCx;
pub use error::{ClientError, SetupError, TrialError, TrialOutcome};
pub use trial::TrialSpec;
pub use wikiharness_record::Capability;
