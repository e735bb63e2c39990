//! `GET /api/health`: liveness, database and model; `GET /api/openapi.json`: the API document.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::error::AppResult;
use crate::state::AppState;

/// The health route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/openapi.json", get(openapi))
}

/// The OpenAPI 3 document of the JSON API (`openapi.json`, checked against the router by
/// the tests).
pub const OPENAPI: &str = include_str!("../../openapi.json");

async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
}

async fn health(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let one: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&state.db).await?;
    let model = state.model.load();
    Ok(Json(json!({
        "status": "ok",
        "database": one == 1,
        "model": {"fingerprint": model.fingerprint(), "items": model.n_items()},
        "training": state.trainer.is_running(),
    })))
}
