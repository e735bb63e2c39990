//! Operations: `GET /api/health` (readiness: database, model fingerprint and age; 503 while
//! the database is unreachable), `GET /api/health/live` (liveness: the process answers),
//! `GET /metrics` (Prometheus), `GET /api/openapi.json` (the API document), and the
//! middleware giving every request an id, a log line and its metrics.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tracing::Instrument;

use crate::db::now;
use crate::metrics::ModelGauge;
use crate::state::AppState;

/// The operations routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/health/live", get(live))
        .route("/metrics", get(metrics))
        .route("/api/openapi.json", get(openapi))
}

/// The OpenAPI 3 document of the JSON API (`openapi.json`, checked against the router by
/// the tests).
pub const OPENAPI: &str = include_str!("../../openapi.json");

async fn openapi() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
}

async fn live() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn health(State(state): State<AppState>) -> Response {
    let database = state.db.ping().await;
    let model = state.model.load();
    let status = state.model_status();
    let ready = database.is_ok();
    let body = json!({
        "status": if !ready { "unavailable" } else if status.warning.is_some() { "degraded" } else { "ok" },
        "database": {
            "backend": state.db.backend(),
            "ok": ready,
            "error": database.err().map(|e| e.to_string()),
        },
        "model": {
            "fingerprint": model.fingerprint(),
            "items": model.n_items(),
            "trained_at": status.trained_at,
            "age_seconds": (now() - status.trained_at).max(0),
            "source": status.source,
            "warning": status.warning,
            "last_retrain_error": status.last_retrain_error,
        },
        "training": state.trainer.is_running(),
    });
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let model = state.model.load();
    let status = state.model_status();
    let text = state.metrics.render(&ModelGauge {
        age_seconds: (now() - status.trained_at).max(0),
        fingerprint: model.fingerprint(),
        source: status.source,
        items: model.n_items(),
    });
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}

/// The request id header, read from the request (a proxy's) or made up, and echoed back.
pub const REQUEST_ID: &str = "x-request-id";

/// A process-unique request id: a random prefix chosen at start and a counter.
fn next_request_id() -> String {
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let prefix = PREFIX.get_or_init(|| {
        let mut bytes = [0u8; 4];
        let _ = getrandom::fill(&mut bytes);
        u32::from_le_bytes(bytes)
    });
    format!("{prefix:08x}-{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Middleware: runs the request in a span carrying its id, method and route (so every log
/// line of the request has them), logs one line when it ends, counts it in the metrics and
/// returns the id in `x-request-id`.
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(next_request_id, str::to_string);
    // The route pattern, not the path: ids in paths would make a series per movie.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let method = request.method().clone();
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status();
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            ms = elapsed.as_secs_f64() * 1000.0,
            "request done"
        )
    });
    state
        .metrics
        .observe_request(method.as_str(), &route, status.as_u16(), elapsed);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}
