//! Watchlist: `GET /api/watchlist`, `POST /api/watchlist/add|remove`.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::catalog::ensure_movie;
use super::ApiJson;
use crate::auth::CurrentUser;
use crate::db::{now, Db};
use crate::error::AppResult;
use crate::state::AppState;
use crate::with_db;

/// The watchlist routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/watchlist", get(list))
        .route("/api/watchlist/add", post(add))
        .route("/api/watchlist/remove", post(remove))
}

/// `{"movie_id"}` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MovieIdBody {
    movie_id: String,
}

/// A watchlist entry.
#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct WatchlistEntry {
    /// Movie id.
    pub movie_id: String,
    /// Title.
    pub title: String,
    /// Year.
    pub year: Option<i32>,
    /// Unix seconds.
    pub added_at: i64,
}

/// The user's watchlist, newest first.
///
/// # Errors
/// Database errors.
pub async fn entries(db: &Db, user: i64) -> AppResult<Vec<WatchlistEntry>> {
    Ok(with_db!(db, |pool| {
        sqlx::query_as(
        "SELECT w.movie_id, m.title, m.year, w.added_at FROM watchlist w \
         JOIN movies m ON m.id = w.movie_id WHERE w.user_id = $1 ORDER BY w.added_at DESC, w.rowid DESC",
    )
    .bind(user)
    .fetch_all(pool)
    .await
    })?)
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Value>> {
    Ok(Json(
        json!({"items": entries(&state.db, user.user.id).await?}),
    ))
}

async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<MovieIdBody>,
) -> AppResult<Json<Value>> {
    ensure_movie(&state.db, &body.movie_id).await?;
    let added = with_db!(&state.db, |pool| sqlx::query(
        "INSERT INTO watchlist (user_id, movie_id, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, movie_id) DO NOTHING",
    )
    .bind(user.user.id)
    .bind(&body.movie_id)
    .bind(now())
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(Json(
        json!({"movie_id": body.movie_id, "in_watchlist": true, "added": added == 1}),
    ))
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<MovieIdBody>,
) -> AppResult<Json<Value>> {
    ensure_movie(&state.db, &body.movie_id).await?;
    let removed = with_db!(&state.db, |pool| sqlx::query(
        "DELETE FROM watchlist WHERE user_id = $1 AND movie_id = $2"
    )
    .bind(user.user.id)
    .bind(&body.movie_id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(Json(
        json!({"movie_id": body.movie_id, "in_watchlist": false, "removed": removed == 1}),
    ))
}
