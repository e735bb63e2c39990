//! Anonymous visitors' in-browser For You: the recsys-wasm package and the web artifact
//! for `static/anon.js`, and the import of the ratings a visitor kept in the browser into
//! the account they sign up for.
//!
//! - `GET /static/anon.js`, `GET /static/lists.js`, `GET /static/admin.js`: the scripts of
//!   the features in this crate's newer modules.
//! - `GET /static/wasm/{file}`: `recsys_wasm.js` and `recsys_wasm_bg.wasm` from
//!   [`crate::config::Config::wasm_dir`] (404 when the package is not built: the page then
//!   hides the carousel).
//! - `GET /api/web-model`: the browser artifact of the live model (`ETag` = the live
//!   model's fingerprint, revalidated, so a retrain reaches browsers at once).
//! - `GET /api/anon/status`: whether the in-browser For You can run.
//! - `POST /api/me/ratings/import` (`{"ratings": [{"movie_id", "rating"}]}`): stores the
//!   browser's ratings; ratings the account already has win.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::ApiJson;
use crate::auth::CurrentUser;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::model::web_artifact_path;
use crate::state::AppState;
use crate::with_tx;

/// Most ratings one import may carry.
pub const MAX_IMPORT: usize = 500;
/// The files of the wasm package that are served.
const WASM_FILES: [(&str, &str); 2] = [
    ("recsys_wasm.js", "text/javascript; charset=utf-8"),
    ("recsys_wasm_bg.wasm", "application/wasm"),
];

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/anon.js", get(anon_js))
        .route("/static/lists.js", get(lists_js))
        .route("/static/admin.js", get(admin_js))
        .route("/static/wasm/{file}", get(wasm_file))
        .route("/api/web-model", get(web_model))
        .route("/api/anon/status", get(status))
        .route("/api/me/ratings/import", post(import))
}

fn script(body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

async fn anon_js() -> Response {
    script(include_str!("../../static/anon.js"))
}

async fn lists_js() -> Response {
    script(include_str!("../../static/lists.js"))
}

async fn admin_js() -> Response {
    script(include_str!("../../static/admin.js"))
}

fn wasm_available(state: &AppState) -> bool {
    WASM_FILES
        .iter()
        .all(|(name, _)| state.config.wasm_dir.join(name).is_file())
}

async fn wasm_file(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let Some((name, kind)) = WASM_FILES.iter().find(|(name, _)| *name == file) else {
        return Err(AppError::NotFound(format!("no file {file:?}")));
    };
    let path = state.config.wasm_dir.join(name);
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AppError::NotFound(
                "the recsys-wasm package is not built (run recsys-wasm/build.sh)".into(),
            ))
        }
        Err(e) => return Err(AppError::internal(format!("{}: {e}", path.display()))),
    };
    Ok((
        [
            (header::CONTENT_TYPE, *kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        bytes,
    )
        .into_response())
}

async fn web_model(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let etag = format!("\"{}\"", state.model.load().fingerprint());
    let cache = [
        (header::CACHE_CONTROL, "public, max-age=0, must-revalidate"),
        (header::CONTENT_TYPE, "application/octet-stream"),
    ];
    let etag_value = HeaderValue::from_str(&etag).map_err(AppError::internal)?;
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        let mut response = (StatusCode::NOT_MODIFIED, cache).into_response();
        response.headers_mut().insert(header::ETAG, etag_value);
        return Ok(response);
    }
    let path = web_artifact_path(state.trainer.artifact());
    let bytes = tokio::fs::read(&path).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            AppError::NotFound("no browser artifact yet; it comes with the next training".into())
        }
        _ => AppError::internal(format!("{}: {e}", path.display())),
    })?;
    let mut response = (cache, bytes).into_response();
    response.headers_mut().insert(header::ETAG, etag_value);
    Ok(response)
}

async fn status(State(state): State<AppState>) -> Json<Value> {
    let model = web_artifact_path(state.trainer.artifact()).is_file();
    let wasm = wasm_available(&state);
    Json(json!({
        "available": model && wasm,
        "wasm": wasm,
        "model": model,
        "module": "/static/wasm/recsys_wasm.js",
        "artifact": "/api/web-model",
    }))
}

/// One rating kept in the browser.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrowserRating {
    movie_id: String,
    rating: f64,
    /// Unix seconds when it was given (default: now).
    #[serde(default)]
    at: Option<i64>,
}

/// `POST /api/me/ratings/import` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportBody {
    ratings: Vec<BrowserRating>,
}

async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<ImportBody>,
) -> AppResult<Json<Value>> {
    if body.ratings.len() > MAX_IMPORT {
        return Err(AppError::bad_request(
            "invalid_field",
            format!("`ratings` holds at most {MAX_IMPORT} entries"),
        ));
    }
    let at_now = now();
    for r in &body.ratings {
        super::check_len("movie_id", &r.movie_id, 1, 64)?;
        if !(1.0..=5.0).contains(&r.rating) || (r.rating * 2.0).fract() != 0.0 {
            return Err(AppError::bad_request(
                "invalid_rating",
                format!(
                    "`rating` must be 1 to 5 in steps of 0.5 (got {} for {:?})",
                    r.rating, r.movie_id
                ),
            ));
        }
    }
    let mut tx = state.db.begin().await?;
    let (mut imported, mut kept, mut unknown) = (0u64, 0u64, 0u64);
    for r in &body.ratings {
        let known: Option<i32> = with_tx!(&mut tx, |conn| sqlx::query_scalar(
            "SELECT 1 FROM movies WHERE id = $1"
        )
        .bind(&r.movie_id)
        .fetch_optional(&mut **conn)
        .await)?;
        if known.is_none() {
            unknown += 1;
            continue;
        }
        // A browser clock in the future must not outrank later ratings.
        let at = r.at.filter(|t| (0..=at_now).contains(t)).unwrap_or(at_now);
        let n = with_tx!(&mut tx, |conn| sqlx::query(
            "INSERT INTO feedback (user_id, movie_id, rating, watched, updated_at) \
             VALUES ($1, $2, $3, TRUE, $4) ON CONFLICT (user_id, movie_id) DO NOTHING",
        )
        .bind(user.user.id)
        .bind(&r.movie_id)
        .bind(r.rating)
        .bind(at)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected()))?;
        if n == 1 {
            imported += 1;
        } else {
            kept += 1;
        }
    }
    tx.commit().await?;
    Ok(Json(
        json!({"imported": imported, "already_rated": kept, "unknown_movies": unknown}),
    ))
}
