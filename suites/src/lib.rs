//! The trials of wikiharness, one module per mission area.
//!
//! A check that is only a request and its assertions is data: a YAML file
//! under `suites/checks/` (see `wikiharness_harness::checks`). Checks that
//! need state, several steps or parsing are code, in the modules below.

pub mod api;
pub mod browser;
pub mod concurrency;
pub mod deferred;
pub mod diff;
pub mod forms;
pub mod health;
pub mod httpbb;
pub mod jobs;
pub mod load;
pub mod media;
pub mod pageviews;
pub mod rest;
pub mod shellbox;
mod support;
pub mod visualeditor;

use std::path::PathBuf;
use std::sync::Arc;

use wikiharness_harness::target::LoadSettings;
use wikiharness_harness::target::Target;
use wikiharness_harness::{SetupError, TrialSpec};
use wikiharness_record::load::Threshold;

/// Thresholds for a load trial, by trial name.
pub type Thresholds = Arc<dyn Fn(&str) -> Vec<Threshold> + Send + Sync>;

/// What the suites need from the run besides the target.
#[derive(Clone)]
pub struct SuiteConfig {
    /// Size of load scenarios.
    pub load: LoadSettings,
    /// When set, the attack scenarios run in the default job at this small
    /// size (the target's `load.smoke`) instead of waiting for `--load`.
    pub smoke: Option<LoadSettings>,
    /// Thresholds of each load trial (from the readiness registry and flags).
    pub thresholds: Thresholds,
    /// httpbb files to run (the repository's and `--httpbb`).
    pub httpbb_files: Vec<PathBuf>,
    /// Where httpbb connects (`--httpbb-host`, `--httpbb-https-port`, ...).
    pub httpbb_connect: wikiharness_harness::cli::HttpbbConnect,
}

/// Directory of the YAML check files.
pub fn checks_dir() -> PathBuf {
    wikiharness_record::paths::repo_root()
        .join("suites")
        .join("checks")
}

/// Every trial, for `target`.
pub fn catalog(target: &Target, config: &SuiteConfig) -> Result<Vec<TrialSpec>, SetupError> {
    let mut trials = Vec::new();
    trials.extend(pageviews::trials(target)?);
    trials.extend(forms::trials());
    trials.extend(api::trials());
    trials.extend(rest::trials());
    trials.extend(visualeditor::trials());
    trials.extend(jobs::trials());
    trials.extend(deferred::trials());
    trials.extend(shellbox::trials());
    trials.extend(concurrency::trials());
    trials.extend(load::trials(config));
    trials.extend(media::trials());
    trials.extend(health::trials());
    trials.extend(browser::trials());
    trials.extend(diff::trials()?);
    trials.extend(httpbb::trials(
        &config.httpbb_files,
        &config.httpbb_connect,
    )?);
    Ok(trials)
}
