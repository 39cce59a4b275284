//! The project's data files (YAML checks, httpbb suites, diff probes and
//! rules): read and parsed with errors that name the file and line.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::SetupError;

/// A data file of the project: parsed and validated from its text, with
/// errors that name the file and line.
pub trait DataFile: Sized {
    /// Parses and validates `text`, the contents of `path` (named in errors).
    fn parse(path: &Path, text: &str) -> Result<Self, SetupError>;

    /// Reads and parses `path`.
    fn load(path: &Path) -> Result<Self, SetupError> {
        let text = read(path)?;
        Self::parse(path, &text)
    }
}

/// The file's text.
pub fn read(path: &Path) -> Result<String, SetupError> {
    std::fs::read_to_string(path)
        .map_err(|e| SetupError::file(path, None, format!("cannot read: {e}")))
}

/// The 1-based number of the first line of `text` that satisfies `pred`.
pub fn line_where(text: &str, pred: impl Fn(&str) -> bool) -> Option<usize> {
    text.lines().position(pred).map(|i| i + 1)
}

/// `text` (the contents of `path`) parsed as YAML into `T`; unknown keys,
/// missing fields and syntax errors name the line.
pub fn yaml<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, SetupError> {
    yaml_serde::from_str(text).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        SetupError::file(path, e.location().map(|l| l.line()), message)
    })
}
