//! Page views: data-driven checks from `suites/checks/pageviews.yaml`.

use wikiharness_harness::checks::CheckFile;
use wikiharness_harness::datafile::DataFile;
use wikiharness_harness::target::Target;
use wikiharness_harness::{SetupError, TrialSpec};

/// The page-view trials.
pub fn trials(_target: &Target) -> Result<Vec<TrialSpec>, SetupError> {
    Ok(CheckFile::load(&super::checks_dir().join("pageviews.yaml"))?.trials())
}
