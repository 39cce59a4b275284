//! The one error of this crate: a run's file could not be read, parsed or
//! written. Its text names the file (and the line, where known).

use std::path::PathBuf;

/// A file of a run, or a data file read beside it, is unusable.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file was read but its content is wrong.
    #[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// 1-based line, where known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl FileError {
    /// A [`FileError::Io`] for `path`, for `map_err`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| FileError::Io { path, source }
    }

    /// A [`FileError::Invalid`].
    pub fn invalid(
        file: impl Into<PathBuf>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        FileError::Invalid {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}
