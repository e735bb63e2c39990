//! The one error type of `recsys-core`.

use std::fmt;

/// Everything that can go wrong in `recsys-core`.
///
/// Variants are structured so callers (and the Python / WASM bindings) can map them to their own
/// error kinds without parsing messages.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A user id that the model or dataset does not know.
    #[error("unknown user id {id:?}")]
    UnknownUser {
        /// The external id as given.
        id: String,
    },
    /// An item id that the model or dataset does not know.
    #[error("unknown item id {id:?}")]
    UnknownItem {
        /// The external id as given.
        id: String,
    },
    /// A dense index outside `0..len`.
    #[error("{what} index {index} is out of range (there are {len})")]
    IndexOutOfRange {
        /// What kind of index ("user", "item", ...).
        what: &'static str,
        /// The index given.
        index: usize,
        /// The number of valid indices.
        len: usize,
    },
    /// A hyper-parameter or argument outside its valid range.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// What is wrong and what would be valid.
        reason: String,
    },
    /// NaN or infinity where a finite number is required.
    #[error("non-finite value {value} in {context}")]
    NonFinite {
        /// Where the value was found.
        context: String,
        /// The offending value.
        value: f64,
    },
    /// An input that must not be empty was empty.
    #[error("empty input: {what}")]
    EmptyInput {
        /// What was empty.
        what: String,
    },
    /// Two shapes that must agree do not.
    #[error("dimension mismatch in {context}: expected {expected}, got {got}")]
    DimensionMismatch {
        /// Where the mismatch was found.
        context: String,
        /// The expected size.
        expected: usize,
        /// The size given.
        got: usize,
    },
    /// A malformed row in an input file.
    #[error("{file}:{line}: {reason}")]
    Parse {
        /// The file (or source name) being read.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with the row.
        reason: String,
    },
    /// An I/O failure, with the path involved.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The path being read or written.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A model artifact that is truncated, corrupted or not an artifact at all.
    #[error("corrupt model artifact: {reason}")]
    CorruptArtifact {
        /// What check failed.
        reason: String,
    },
    /// A model artifact written by an incompatible format version.
    #[error("unsupported artifact format version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// The version found in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// Fitting failed for a numerical reason (e.g. a singular system).
    #[error("model fit failed: {reason}")]
    FitFailed {
        /// What went wrong.
        reason: String,
    },
    /// Fetching an artifact from a remote hub failed.
    #[error("hub download failed: {reason}")]
    Hub {
        /// What went wrong.
        reason: String,
    },
}

/// `Result` with [`Error`] as the error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure an [`Error`] is, for mapping errors to a transport's own codes in one
/// place (an HTTP status, a Python exception class, a JS error name).
///
/// ```
/// use recsys_core::{Error, ErrorKind};
/// let err = Error::UnknownItem { id: "m42".into() };
/// assert_eq!(err.kind(), ErrorKind::NotFound);
/// assert_eq!(err.kind().http_status(), 404);
/// assert_eq!(err.code(), "unknown_item");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The caller's input is wrong: a bad parameter, a non-finite number, a malformed row.
    BadRequest,
    /// An id the model or dataset does not know.
    NotFound,
    /// A model file (or bytes) that cannot be used: truncated, corrupt, foreign, wrong version.
    BadModel,
    /// Anything else: I/O, a numerical failure while fitting, a hub download.
    Internal,
}

impl ErrorKind {
    /// The HTTP status a server answers with: 400, 404, 422 (an unusable model file) or 500.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::NotFound => 404,
            ErrorKind::BadModel => 422,
            ErrorKind::Internal => 500,
        }
    }
}

impl Error {
    /// What kind of failure this is (see [`ErrorKind`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::UnknownUser { .. } | Error::UnknownItem { .. } => ErrorKind::NotFound,
            Error::IndexOutOfRange { .. }
            | Error::InvalidParameter { .. }
            | Error::NonFinite { .. }
            | Error::EmptyInput { .. }
            | Error::DimensionMismatch { .. }
            | Error::Parse { .. } => ErrorKind::BadRequest,
            Error::CorruptArtifact { .. } | Error::UnsupportedVersion { .. } => ErrorKind::BadModel,
            Error::Io { .. } | Error::FitFailed { .. } | Error::Hub { .. } => ErrorKind::Internal,
        }
    }

    /// A stable snake_case code naming the variant (`"unknown_item"`, `"invalid_parameter"`,
    /// …), for machine-readable error bodies such as `{"error": {"code", "message"}}`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::UnknownUser { .. } => "unknown_user",
            Error::UnknownItem { .. } => "unknown_item",
            Error::IndexOutOfRange { .. } => "index_out_of_range",
            Error::InvalidParameter { .. } => "invalid_parameter",
            Error::NonFinite { .. } => "non_finite",
            Error::EmptyInput { .. } => "empty_input",
            Error::DimensionMismatch { .. } => "dimension_mismatch",
            Error::Parse { .. } => "parse",
            Error::Io { .. } => "io",
            Error::CorruptArtifact { .. } => "corrupt_artifact",
            Error::UnsupportedVersion { .. } => "unsupported_version",
            Error::FitFailed { .. } => "fit_failed",
            Error::Hub { .. } => "hub",
        }
    }

    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(name: &'static str, reason: impl fmt::Display) -> Self {
        Error::InvalidParameter {
            name,
            reason: reason.to_string(),
        }
    }
}

/// Returns an error unless `value` is finite.
pub(crate) fn ensure_finite(value: f64, context: impl FnOnce() -> String) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(Error::NonFinite {
            context: context(),
            value,
        })
    }
}
