//! Admin (staff only): `GET /api/admin/model` (model status), `POST /api/admin/retrain`.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::auth::StaffUser;
use crate::error::AppResult;
use crate::model::{events_since_last_training, last_model, retrain_and_swap};
use crate::state::AppState;

/// The admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/model", get(model_status))
        .route("/api/admin/retrain", post(retrain))
}

async fn model_status(State(state): State<AppState>, _staff: StaffUser) -> AppResult<Json<Value>> {
    let model = state.model.load();
    Ok(Json(json!({
        "fingerprint": model.fingerprint(),
        "items": model.n_items(),
        "training": state.trainer.is_running(),
        "last_training": last_model(&state.db).await?,
        "events_since_last_training": events_since_last_training(&state.db).await?,
    })))
}

/// Retrains now (waits for the fit) and swaps the model in; 409 while one is running.
async fn retrain(State(state): State<AppState>, _staff: StaffUser) -> AppResult<Json<Value>> {
    match retrain_and_swap(&state).await? {
        Some(info) => Ok(Json(json!({"retrained": true, "model": info}))),
        None => Err(crate::error::AppError::Conflict(
            "a training is already running".into(),
        )),
    }
}
