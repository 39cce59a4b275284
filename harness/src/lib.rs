//! wikiharness runner core: command line, target registry, wiki client,
//! result events, and the libtest-mimic runner.
//!
//! Data flows one way: [`target`] and [`cli`] choose the wiki, suites supply
//! [`trial::TrialSpec`]s, the [`runner`] runs them and writes [`events`] as they
//! happen, and the finished [`events::RunRecord`] goes to readiness verdicts and
//! report renderers (later crates), which this crate never calls directly.

pub mod browser;
pub mod checks;
pub mod cli;
pub mod client;
pub mod context;
pub mod datafile;
pub mod diff;
pub mod error;
pub mod events;
pub mod evidence;
pub mod load;
pub mod localwiki;
pub mod paths;
pub mod redact;
pub mod run_dir;
pub mod runner;
pub mod target;
pub mod trial;

pub use context::TrialCx;
pub use error::{ClientError, SetupError};
pub use events::Capability;
pub use trial::{TrialError, TrialResult, TrialSpec};
