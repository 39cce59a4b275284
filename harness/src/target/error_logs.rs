//! `error_logs`: where the target's servers log their errors, and how many
//! errors a run may leave there (the error budget).

/// The servers' error logs of a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLogs {
    /// Where they are: `local-wiki` (the embedded wiki's log files, which the
    /// harness reads) or the name of a source it cannot read yet
    /// (`logstash`), kept for the report.
    pub source: String,
    /// Errors a run may leave per service before its trial fails.
    pub budget: u32,
}

impl ErrorLogs {
    /// The only source the harness reads itself.
    pub const LOCAL_WIKI: &'static str = "local-wiki";

    /// Whether the harness can read this source.
    pub fn readable(&self) -> bool {
        self.source == Self::LOCAL_WIKI
    }
}
