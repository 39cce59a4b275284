//! Every error the harness reports, in one place.
//!
//! [`SetupError`] covers user mistakes and environment problems found before or
//! around a run (bad flags, bad registry files, unknown targets, missing
//! credentials, a local wiki that cannot start): each renders as one line that
//! names the file, field and target involved. [`ClientError`] covers a request
//! to a wiki that did not give a usable answer; trials turn it into a failure.

use std::path::PathBuf;
use std::time::Duration;

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
    /// A registry or data file cannot be read or parsed.
    #[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    File {
        /// The file.
        file: PathBuf,
        /// 1-based line, where known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
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
    /// A file or directory of the run could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl SetupError {
    /// A [`SetupError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| SetupError::Io { path, source }
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
