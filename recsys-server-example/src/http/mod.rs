//! The HTTP layer: one router per feature, merged here, with the middleware stack
//! (request ids, metrics and logs, compression, body limit, timeout, security headers) and the JSON extractors
//! whose rejections are [`AppError`]s.

pub mod accounts;
pub mod admin;
pub mod admin_catalog;
pub mod anon;
pub mod ask;
pub mod catalog;
pub mod discover;
pub mod feedback;
pub mod health;
pub mod lists;
pub mod pages;
pub mod profile;
pub mod profile_pages;
pub mod recommendations;
pub mod watchlist;

use std::time::Duration;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Router;
use serde::de::DeserializeOwned;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::error::AppError;
use crate::state::AppState;

/// Largest request body accepted (bytes).
pub const BODY_LIMIT: usize = 64 * 1024;
/// Requests taking longer are answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The Content-Security-Policy of every response: own scripts and styles only, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data: https:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The whole application: every feature's router and the middleware.
pub fn app(state: AppState) -> Router {
    let observed = state.clone();
    Router::new()
        .merge(health::router())
        .merge(accounts::router())
        .merge(admin::router())
        .merge(catalog::router())
        .merge(feedback::router())
        .merge(watchlist::router())
        .merge(recommendations::router())
        .merge(pages::router())
        .merge(discover::router())
        .merge(ask::router())
        .merge(profile::router())
        .merge(profile_pages::router())
        .merge(lists::router())
        .merge(anon::router())
        .fallback(not_found)
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // Outermost, so the latency covers the whole stack; axum applies layers per route,
        // after routing, so the matched route is known here.
        .layer(axum::middleware::from_fn_with_state(
            observed,
            health::observe,
        ))
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        AppError::NotFound(format!("no route {}", uri.path())).into_response()
    } else {
        pages::error_page(&AppError::NotFound("page not found".into()))
    }
}

/// A JSON body whose rejections are [`AppError`]s (400 with the parser's reason, 413 for a
/// body over the limit, 415 without a JSON content type).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = axum::response::Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection).into_response()),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ErrorWithStatus {
    let status = rejection.status();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        _ => "invalid_json",
    };
    ErrorWithStatus {
        status,
        code,
        message: rejection.body_text(),
    }
}

/// An error answer whose status comes from an axum rejection.
struct ErrorWithStatus {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl axum::response::IntoResponse for ErrorWithStatus {
    fn into_response(self) -> axum::response::Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
        (self.status, axum::Json(body)).into_response()
    }
}

/// Query parameters whose rejections are 400 [`AppError`]s naming the bad parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection @ QueryRejection::FailedToDeserializeQueryString(_)) => Err(
                AppError::bad_request("invalid_query", rejection.body_text()),
            ),
            Err(rejection) => Err(AppError::bad_request(
                "invalid_query",
                rejection.body_text(),
            )),
        }
    }
}

/// Checks a length in characters.
///
/// # Errors
/// A 400 naming `field`.
pub fn check_len(field: &str, value: &str, min: usize, max: usize) -> Result<(), AppError> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(AppError::bad_request(
            "invalid_field",
            format!("`{field}` must have {min} to {max} characters (got {n})"),
        ));
    }
    Ok(())
}
