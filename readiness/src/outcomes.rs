//! One trial's outcomes over several runs, and what makes it flaky. The
//! history's flaky list and the soak table both count with this, so they
//! cannot disagree.

use std::collections::BTreeMap;

use serde::Serialize;
use wikiharness_record::Status;

/// How often a trial passed, failed and was skipped, with its distinct
/// failure messages (normalised) and how often each came.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Outcomes {
    /// Runs it passed in.
    pub passes: usize,
    /// Runs it failed in.
    pub failures: usize,
    /// Runs it was skipped in.
    pub skips: usize,
    /// Distinct failure messages with their counts.
    pub messages: BTreeMap<String, usize>,
}

impl Outcomes {
    /// Counts one run's outcome; `message` is kept for failures.
    pub fn add(&mut self, status: Status, message: Option<&str>) {
        match status {
            Status::Passed => self.passes += 1,
            Status::Skipped => self.skips += 1,
            Status::Failed => {
                self.failures += 1;
                let m = message.unwrap_or("no message");
                *self.messages.entry(m.to_owned()).or_default() += 1;
            }
        }
    }

    /// Flaky: it passed and failed on the same code.
    pub fn flaky(&self) -> bool {
        self.passes > 0 && self.failures > 0
    }
}
