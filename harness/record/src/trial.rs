//! What a trial is, and what happened to it: identity and ownership, status,
//! the requests kept as evidence, figures.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// What a trial needs from the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Anonymous reads.
    Read,
    /// Edits (needs a sandbox write policy).
    Write,
    /// A logged-in account.
    Login,
    /// A browser (WebDriver).
    Browser,
    /// Load generation (needs `allow_load`).
    Load,
    /// A second target to compare with (`--baseline`).
    Compare,
}

impl std::fmt::Display for Capability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Capability::Read => "read",
            Capability::Write => "write",
            Capability::Login => "login",
            Capability::Browser => "browser",
            Capability::Load => "load",
            Capability::Compare => "compare",
        })
    }
}

/// What a trial is: its identity and ownership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrialMeta {
    /// Full name, `suite::check` (what libtest prints and filters on).
    pub name: String,
    /// Suite (mission area): `pageviews`, `api`, `jobs`, ...
    pub suite: String,
    /// The user-facing feature it covers (`Page views`, `VisualEditor`, ...).
    pub feature: String,
    /// The owning team.
    pub team: String,
    /// Capabilities it needs.
    pub needs: Vec<Capability>,
    /// Whether it may run against a production wiki.
    pub production_safe: bool,
}

/// How a trial ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// All its assertions held.
    Passed,
    /// An assertion failed or the wiki did not answer.
    Failed,
    /// Not run, with a reason (never counted as passed).
    Skipped,
}

/// Why a skipped trial did not run: a choice of this run, or the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SkipCause {
    /// This run did not ask for it (opt-in, no `--baseline`, no credentials
    /// given); `run_with` says what runs it.
    NotAsked {
        /// The flag or setting that runs it (`--load`, `--baseline TARGET`, ...).
        run_with: String,
    },
    /// The target's own rules forbid it (production, read-only, no load allowed).
    TargetRules,
    /// The trial found at run time that this target lacks what it needs
    /// (no browser, no Shellbox URL).
    Unavailable,
}

impl SkipCause {
    /// Whether a different run against the same target would run the trial.
    pub fn is_choice(&self) -> bool {
        matches!(self, SkipCause::NotAsked { .. })
    }
}

/// What one answer (or its absence) shows went wrong, as data: failures are
/// grouped into probable causes by it, never by message text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Symptom {
    /// No answer came from `host_port`: `failure` is `connect`, `timeout`
    /// or `transport` (reset, bad framing).
    NoAnswer {
        /// How the request failed.
        failure: String,
        /// `host:port` it was sent to.
        host_port: String,
    },
    /// The action API answered with an error code (`readonly`, `badtoken`).
    ApiError {
        /// The error code.
        code: String,
    },
    /// A login was refused; `code` is the API's result or message code
    /// (`Failed`, `sessionlost`, ...).
    LoginRefused {
        /// Result or message code.
        code: String,
    },
    /// MediaWiki reported an exception of this class (`Fatal exception of
    /// type "…"`, or the API's `internal_api_error_…`), shown even where
    /// exception details are hidden.
    Exception {
        /// The exception class.
        class: String,
    },
    /// A server error status (5xx) without a recognisable exception.
    HttpStatus {
        /// The status.
        status: u16,
    },
}

/// One request and its answer, kept as evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// HTTP method.
    pub method: String,
    /// URL, secrets redacted.
    pub url: String,
    /// HTTP status, if an answer came.
    pub status: Option<u16>,
    /// Time to the full answer.
    pub elapsed_ms: f64,
    /// The backend that served it (`servedby` / `wgHostname`).
    pub backend: Option<String>,
    /// Start of the body (or the transport error), secrets redacted.
    pub excerpt: String,
    /// What the answer shows went wrong, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symptom: Option<Symptom>,
}

impl Exchange {
    /// One line: `GET url -> 200 in 12 ms (served by backend)`.
    pub fn summary(&self) -> String {
        format!(
            "{} {} -> {} in {:.0} ms{}",
            self.method,
            self.url,
            self.status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "no answer".into()),
            self.elapsed_ms,
            self.backend
                .as_ref()
                .map(|b| format!(" (served by {b})"))
                .unwrap_or_default()
        )
    }
}

/// A measured figure (time to effect, latency percentile, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// What was measured (`time_to_effect`, `p95`, ...).
    pub name: String,
    /// The value.
    pub value: f64,
    /// Its unit (`ms`, `s`, `%`, `req/s`).
    pub unit: String,
}

/// What happened to one trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialRecord {
    /// What the trial is.
    #[serde(flatten)]
    pub meta: TrialMeta,
    /// How it ended.
    pub status: Status,
    /// Failure message or skip reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Why it was skipped, when it was (absent in older records: read as
    /// [`SkipCause::Unavailable`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip: Option<SkipCause>,
    /// RFC 3339 start time.
    pub started_at: String,
    /// Wall time.
    pub duration_ms: f64,
    /// Requests sent.
    pub requests: u64,
    /// Serving backends seen.
    pub backends: BTreeSet<String>,
    /// The last requests (all of them for short trials), as evidence.
    pub evidence: Vec<Exchange>,
    /// Figures measured.
    pub figures: Vec<Figure>,
    /// Notes the trial left for readers.
    pub notes: Vec<String>,
    /// Files attached (screenshots, diffs), relative to the run directory.
    pub attachments: Vec<PathBuf>,
    /// Load figures and histograms of a load trial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<crate::load::LoadSummary>,
}
