//! The run: setup → plan → execute → close, driven by libtest-mimic.
//!
//! [`main`] is what a `harness = false` test binary calls with the suites'
//! catalog and the report stage. Each stage has its own file: [`setup`] reads
//! the command line and the registries, [`plan`] decides what runs, `execute`
//! runs one trial and writes it to the `journal` (the event stream),
//! `lifecycle` orders the stages, `closing` ends the run (clean-up, summary,
//! reports), and `signals` ends it on Ctrl-C. The `finish` callback
//! (readiness verdicts and renderers, which live in later crates) turns the
//! [`RunRecord`] into reports. The runner prints nothing itself: every line
//! the user reads on the console is written by `console`.

mod after_all;
pub mod cleanup;
mod closing;
mod command_line;
mod console;
mod execute;
mod info;
mod journal;
mod lifecycle;
pub mod plan;
mod setup;
pub mod shard;
mod signals;

use std::path::Path;

use wikiharness_record::{FileError, Published, RunRecord};

use crate::cli;
use crate::error::SetupError;
use crate::target::Target;
use crate::trial::TrialSpec;

pub use lifecycle::main;
pub use setup::{Setup, setup};

/// Builds the trials for a target and the run's options (the suites' catalog).
pub type Catalog = dyn FnOnce(&Target, &cli::RunOptions) -> Result<Vec<TrialSpec>, SetupError>;

/// Turns a finished (or interrupted) run into reports in its run directory.
pub type Finish = dyn Fn(&RunRecord, &Path) -> Result<Published, FileError> + Send + Sync;
