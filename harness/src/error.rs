//! Every error the harness reports, in one place.
//!
//! [`SetupError`] covers user mistakes and environment problems found before or
//! around a run (bad flags, bad registry files, unknown targets, missing
//! credentials, a local wiki that cannot start): each renders as one line that
//! names the file, field and target involved. [`ClientError`] covers a request
//! to a wiki that did not give a usable answer; trials turn it into a failure.
//! [`TrialError`] is how a trial body ends when it does not pass, and
//! [`ensure!`](crate::ensure) its assertion. Files of a run that cannot be read
//! or written are [`wikiharness_record::FileError`], wrapped in [`SetupError::File`].

use std::path::PathBuf;
use std::time::Duration;

use wikiharness_record::FileError;

/// A problem with the run's input or environment. The process exits non-zero.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A command-line flag is malformed.
    #[error("command line: {flag}: {message}")]
    Usage {
        /// The flag as typed.
        flag: String,
        /// What is wrong with it.
        message: String,
    },
    /// A registry, data or run file cannot be read, parsed or written.
    #[error(transparent)]
    File(#[from] FileError),
    /// A field of a target definition is missing or invalid.
    #[error("{}{}: target `{target}`: field `{field}`: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    TargetField {
        /// The registry file that defines the target.
        file: PathBuf,
        /// 1-based line of the target's table, where known.
        line: Option<usize>,
        /// The target name.
        target: String,
        /// The field, dotted (`write.prefix`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The requested target is not in any registry file.
    #[error("unknown target `{name}` (known: {known}; registry files: {files})")]
    UnknownTarget {
        /// The name asked for.
        name: String,
        /// Comma-separated known names.
        known: String,
        /// Comma-separated registry files read.
        files: String,
    },
    /// A selected trial needs an account whose credentials are not available.
    #[error("{0}")]
    MissingCredentials(Box<CredentialGap>),
    /// The embedded local wiki could not be provisioned, started or stopped.
    #[error("local wiki: {0}")]
    LocalWiki(String),
}

impl SetupError {
    /// A file that cannot be read or written, for `map_err`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let io = FileError::io(path);
        move |source| SetupError::File(io(source))
    }

    /// A file whose content is wrong, at `line` where known.
    pub fn file(file: impl Into<PathBuf>, line: Option<usize>, message: impl Into<String>) -> Self {
        SetupError::File(FileError::invalid(file, line, message))
    }
}

/// Which credentials a selected trial lacks (boxed in [`SetupError`]).
#[derive(Debug, thiserror::Error)]
#[error(
    "target `{target}`: trial `{trial}` needs account `{account}`, but environment variable {var} is not set (field `accounts.{account}.{field}` in {}); set it, or pass --skip-missing-credentials",
    file.display()
)]
pub struct CredentialGap {
    /// The target name.
    pub target: String,
    /// The first trial that needs it.
    pub trial: String,
    /// The account role.
    pub account: String,
    /// The unset variable.
    pub var: String,
    /// `user_env` or `password_env`.
    pub field: String,
    /// The registry file that names the variable.
    pub file: PathBuf,
}

/// A request to a wiki that did not give a usable answer.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Connection refused, reset, DNS failure and the like.
    #[error("{method} {url}: connection failed: {message}")]
    Connect {
        /// HTTP method.
        method: String,
        /// Redacted URL.
        url: String,
        /// The transport's description.
        message: String,
    },
    /// No complete answer within the time limit.
    #[error("{method} {url}: timed out after {:.1}s", elapsed.as_secs_f64())]
    Timeout {
        /// HTTP method.
        method: String,
        /// Redacted URL.
        url: String,
        /// Time spent before giving up.
        elapsed: Duration,
    },
    /// Any other transport-level failure (body read, decoding, redirect loop).
    #[error("{method} {url}: {message}")]
    Transport {
        /// HTTP method.
        method: String,
        /// Redacted URL.
        url: String,
        /// The transport's description.
        message: String,
    },
    /// The action API answered with an `error` object.
    #[error("{url}: API error `{code}`: {info}")]
    Api {
        /// Redacted URL.
        url: String,
        /// The API's error code (`badtoken`, `maxlag`, ...).
        code: String,
        /// The API's human-readable message.
        info: String,
    },
    /// The answer was not the JSON the caller expected.
    #[error("{url}: malformed response (HTTP {status}): {message}; body starts: {excerpt}")]
    Malformed {
        /// Redacted URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// What was wrong.
        message: String,
        /// Start of the body, redacted.
        excerpt: String,
    },
    /// The wiki kept asking us to slow down (429, maxlag, ratelimited) past the retry budget.
    #[error("{url}: still throttled after {attempts} attempts ({reason})")]
    Throttled {
        /// Redacted URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// Last throttling signal seen.
        reason: String,
    },
    /// A login did not succeed.
    #[error("login as `{user}` failed: {result}: {reason}")]
    Login {
        /// The account name (never the password).
        user: String,
        /// The API's result field (`Failed`, `FAIL`, ...).
        result: String,
        /// The API's reason or message.
        reason: String,
    },
    /// The client refused to send a request (e.g. a non-loopback host while
    /// `WIKIHARNESS_LOOPBACK_ONLY` is set).
    #[error("refused to send {method} {url}: {reason}")]
    Refused {
        /// HTTP method.
        method: String,
        /// Redacted URL.
        url: String,
        /// Why.
        reason: String,
    },
}

/// How a trial body ends when it does not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrialError {
    /// An assertion failed; the message says what was expected and seen.
    Failed(String),
    /// The trial cannot run here; the reason says why (reported as skipped).
    Skipped(String),
}

impl TrialError {
    /// A failure.
    pub fn fail(msg: impl Into<String>) -> Self {
        TrialError::Failed(msg.into())
    }

    /// A skip with its reason.
    pub fn skip(reason: impl Into<String>) -> Self {
        TrialError::Skipped(reason.into())
    }

    /// Adds context in front of a failure message.
    pub fn context(self, what: &str) -> Self {
        match self {
            TrialError::Failed(m) => TrialError::Failed(format!("{what}: {m}")),
            s => s,
        }
    }
}

impl From<ClientError> for TrialError {
    fn from(e: ClientError) -> Self {
        TrialError::Failed(e.to_string())
    }
}

impl std::fmt::Display for TrialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TrialError::Failed(m) => write!(f, "{m}"),
            TrialError::Skipped(r) => write!(f, "skipped: {r}"),
        }
    }
}

/// How a trial body ended: `Ok` when it passed.
pub type TrialOutcome = Result<(), TrialError>;

/// Fails the trial with a formatted message unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err($crate::error::TrialError::Failed(format!($($msg)+)));
        }
    };
}
