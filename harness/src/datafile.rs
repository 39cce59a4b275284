//! The project's data files (YAML checks, httpbb suites, diff probes and
//! rules): read and parsed with errors that name the file and line.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::SetupError;

/// The file's text.
pub fn read(path: &Path) -> Result<String, SetupError> {
    std::fs::read_to_string(path).map_err(|e| SetupError::File {
        file: path.to_owned(),
        line: None,
        message: format!("cannot read: {e}"),
    })
}

/// `text` (the contents of `path`) parsed as YAML into `T`; unknown keys,
/// missing fields and syntax errors name the line.
pub fn yaml<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, SetupError> {
    yaml_serde::from_str(text).map_err(|e| {
        let message = e.to_string();
        SetupError::File {
            file: path.to_owned(),
            line: e.location().map(|l| l.line()),
            message: message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned(),
        }
    })
}
