//! One error type for every handler: JSON `{"error": {"code", "message"}}` with the right
//! status for the API; pages render it as HTML (see [`crate::http::pages`]). Database and
//! internal errors are logged and never echoed.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What went wrong in a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed or a value is out of range (400).
    #[error("{message}")]
    BadRequest {
        /// Machine-readable code.
        code: &'static str,
        /// What is wrong, for people.
        message: String,
    },
    /// Authentication is needed or failed (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated but not allowed (403).
    #[error("{message}")]
    Forbidden {
        /// Machine-readable code.
        code: &'static str,
        /// Why.
        message: String,
    },
    /// No such resource (404).
    #[error("{0}")]
    NotFound(String),
    /// The resource already exists (409).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; retry after this many seconds (429).
    #[error("too many attempts; try again in {retry_after} s")]
    TooManyRequests {
        /// Seconds until the next attempt may succeed.
        retry_after: u64,
    },
    /// The database cannot be reached now (503, with `Retry-After`); the detail is logged.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A recommender error, mapped by its kind and code.
    #[error(transparent)]
    Recsys(#[from] recsys_core::Error),
    /// Anything else: logged, answered with a generic 500.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The result of handlers.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A 400 with a code and a message.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// A 403 with a code and a message.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Forbidden {
            code,
            message: message.into(),
        }
    }

    /// A 500 whose detail is logged only.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        AppError::Internal(detail.to_string())
    }

    /// The HTTP status.
    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Recsys(e) => StatusCode::from_u16(e.kind().http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. } | AppError::Forbidden { code, .. } => code,
            AppError::Unauthorized(_) => "unauthorized",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Unavailable(_) => "database_unavailable",
            AppError::Recsys(e) if e.kind().http_status() >= 500 => "internal",
            AppError::Recsys(e) => e.code(),
            AppError::Internal(_) => "internal",
        }
    }

    /// The message users see: internal details are replaced by a generic sentence.
    pub fn public_message(&self) -> String {
        if let AppError::Unavailable(_) = self {
            "the database is unreachable; try again in a few seconds".to_string()
        } else if self.status_code().is_server_error() {
            "internal error; it has been logged".to_string()
        } else {
            self.to_string()
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            if db.is_unique_violation() {
                return AppError::Conflict("it already exists".into());
            }
            if db.is_foreign_key_violation() {
                return AppError::NotFound("a referenced record does not exist".into());
            }
        }
        if is_unreachable(&error) {
            return AppError::Unavailable(error.to_string());
        }
        AppError::internal(format!("database: {error}"))
    }
}

/// Whether `error` means the database cannot be reached (rather than a bad query): no
/// connection within the pool's timeout, a broken socket, or PostgreSQL's connection and
/// shutdown states (SQLSTATE class 08, 57P01–57P03).
pub fn is_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P0")),
        _ => false,
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(error: tokio::task::JoinError) -> Self {
        AppError::internal(format!("background task: {error}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = json!({"error": {"code": self.code(), "message": self.public_message()}});
        let mut response = (status, axum::Json(body)).into_response();
        let retry_after = match self {
            AppError::TooManyRequests { retry_after } => Some(retry_after),
            AppError::Unavailable(_) => Some(5),
            _ => None,
        };
        if let Some(retry_after) = retry_after {
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}
