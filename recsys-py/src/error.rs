//! Core errors as Python exceptions.
//!
//! The exception classes live in `recsys/exceptions.py` (several need two bases, e.g.
//! `UnknownIdError(RecsysError, KeyError)`, which `create_exception!` cannot express); this
//! module maps every core [`Error`] variant to one of them.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyType;
use recsys_core::{Error, ErrorKind};

/// A core error on its way to Python.
pub struct PyRecsysError(pub Error);

impl From<Error> for PyRecsysError {
    fn from(err: Error) -> Self {
        Self(err)
    }
}

/// Result of a binding function whose failures are core errors.
pub type CoreResult<T> = Result<T, PyRecsysError>;

/// The name, in `recsys.exceptions`, of the class a core error becomes: by the error's
/// [`ErrorKind`], refined by variant where the hierarchy has a narrower class.
fn exception_name(err: &Error) -> &'static str {
    match err {
        Error::IndexOutOfRange { .. } => "IdOutOfRangeError",
        Error::Parse { .. } => "ParseError",
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            "ModelNotFoundError"
        }
        Error::Io { .. } | Error::Hub { .. } => "StorageError",
        Error::UnsupportedVersion { .. } => "UnsupportedVersionError",
        Error::FitFailed { .. } => "ModelFitError",
        _ => match err.kind() {
            ErrorKind::BadRequest => "InvalidArgumentError",
            ErrorKind::NotFound => "UnknownIdError",
            ErrorKind::BadModel => "CorruptModelError",
            _ => "RecsysError",
        },
    }
}

impl From<PyRecsysError> for PyErr {
    fn from(err: PyRecsysError) -> PyErr {
        let message = err.0.to_string();
        Python::attach(|py| {
            let class = py
                .import("recsys.exceptions")
                .and_then(|module| module.getattr(exception_name(&err.0)))
                .and_then(|class| Ok(class.cast_into::<PyType>()?));
            match class {
                Ok(class) => PyErr::from_type(class, message),
                // Only if the package's Python half is missing or broken.
                Err(import_error) => PyRuntimeError::new_err(format!(
                    "{message} (recsys.exceptions unavailable: {import_error})"
                )),
            }
        })
    }
}
