//! Feedback: `POST /api/rate`, `DELETE /api/rate/{movie_id}`, `GET /api/ratings`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::catalog::ensure_movie;
use super::{ApiJson, ApiQuery};
use crate::auth::CurrentUser;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::with_db;

/// The feedback routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/rate", post(rate))
        .route("/api/rate/{movie_id}", delete(unrate))
        .route("/api/ratings", get(history))
}

/// `POST /api/rate` body: a star rating or one feedback kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    movie_id: String,
    #[serde(default)]
    rating: Option<f64>,
    #[serde(default)]
    feedback: Option<String>,
}

/// A user's feedback on one movie after a change.
#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct FeedbackRow {
    /// Movie id.
    pub movie_id: String,
    /// Stars.
    pub rating: Option<f64>,
    /// `like`, `dislike`, `not_interested`.
    pub opinion: Option<String>,
    /// Watched.
    pub watched: bool,
    /// Unix seconds.
    pub updated_at: i64,
}

/// What one rate request changes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// Stars, 1–5 in steps of 0.5.
    Rating(f64),
    /// `like`, `dislike` or `not_interested` (replaces the previous opinion).
    Opinion(&'static str),
    /// Marked watched.
    Watched,
}

impl Change {
    /// Validates a request's `rating` / `feedback` pair.
    ///
    /// # Errors
    /// 400 unless exactly one is given and it is valid.
    pub fn parse(rating: Option<f64>, feedback: Option<&str>) -> AppResult<Self> {
        match (rating, feedback) {
            (Some(r), None) => {
                if !(1.0..=5.0).contains(&r) || (r * 2.0).fract() != 0.0 {
                    return Err(AppError::bad_request(
                        "invalid_rating",
                        format!("`rating` must be 1 to 5 in steps of 0.5 (got {r})"),
                    ));
                }
                Ok(Change::Rating(r))
            }
            (None, Some(kind)) => match kind {
                "like" => Ok(Change::Opinion("like")),
                "dislike" => Ok(Change::Opinion("dislike")),
                "not_interested" => Ok(Change::Opinion("not_interested")),
                "watched" => Ok(Change::Watched),
                other => Err(AppError::bad_request(
                    "invalid_feedback",
                    format!(
                        "unknown `feedback` {other:?} (like, dislike, not_interested, watched)"
                    ),
                )),
            },
            _ => Err(AppError::bad_request(
                "invalid_feedback",
                "send exactly one of `rating` (1–5) and `feedback`",
            )),
        }
    }
}

/// Records a change, committed before returning.
///
/// # Errors
/// 404 for an unknown movie; database errors.
pub async fn apply(
    state: &AppState,
    user: i64,
    movie: &str,
    change: Change,
) -> AppResult<FeedbackRow> {
    ensure_movie(&state.db, movie).await?;
    let (rating, opinion, watched) = match change {
        Change::Rating(r) => (Some(r), None, false),
        Change::Opinion(o) => (None, Some(o), false),
        Change::Watched => (None, None, true),
    };
    Ok(with_db!(&state.db, |pool| sqlx::query_as(
        "INSERT INTO feedback (user_id, movie_id, rating, opinion, watched, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (user_id, movie_id) DO UPDATE SET \
         rating = COALESCE(excluded.rating, feedback.rating), \
         opinion = COALESCE(excluded.opinion, feedback.opinion), \
         watched = (feedback.watched OR excluded.watched), \
         updated_at = excluded.updated_at \
         RETURNING movie_id, rating, opinion, watched, updated_at",
    )
    .bind(user)
    .bind(movie)
    .bind(rating)
    .bind(opinion)
    .bind(watched)
    .bind(now())
    .fetch_one(pool)
    .await)?)
}

async fn rate(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<Rate>,
) -> AppResult<Json<FeedbackRow>> {
    let change = Change::parse(body.rating, body.feedback.as_deref())?;
    Ok(Json(
        apply(&state, user.user.id, &body.movie_id, change).await?,
    ))
}

async fn unrate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(movie_id): Path<String>,
) -> AppResult<StatusCode> {
    ensure_movie(&state.db, &movie_id).await?;
    with_db!(&state.db, |pool| sqlx::query(
        "DELETE FROM feedback WHERE user_id = $1 AND movie_id = $2"
    )
    .bind(user.user.id)
    .bind(&movie_id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/ratings` parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParam {
    page: Option<u32>,
}

/// One entry of the rating history.
#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct HistoryEntry {
    /// Movie id.
    pub movie_id: String,
    /// Title.
    pub title: String,
    /// Year.
    pub year: Option<i32>,
    /// Stars.
    pub rating: Option<f64>,
    /// Opinion.
    pub opinion: Option<String>,
    /// Watched.
    pub watched: bool,
    /// Unix seconds.
    pub updated_at: i64,
}

/// The user's feedback, newest first, 50 per page.
///
/// # Errors
/// 400 for page 0; database errors.
pub async fn feedback_history(
    state: &AppState,
    user: i64,
    page: u32,
) -> AppResult<Vec<HistoryEntry>> {
    if page == 0 {
        return Err(AppError::bad_request("invalid_field", "`page` starts at 1"));
    }
    Ok(with_db!(&state.db, |pool| sqlx::query_as(
        "SELECT f.movie_id, m.title, m.year, f.rating, f.opinion, f.watched, f.updated_at \
         FROM feedback f JOIN movies m ON m.id = f.movie_id WHERE f.user_id = $1 \
         ORDER BY f.updated_at DESC, f.movie_id LIMIT 50 OFFSET $2",
    )
    .bind(user)
    .bind(i64::from(page - 1) * 50)
    .fetch_all(pool)
    .await)?)
}

async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(params): ApiQuery<PageParam>,
) -> AppResult<Json<serde_json::Value>> {
    let page = params.page.unwrap_or(1);
    let items = feedback_history(&state, user.user.id, page).await?;
    Ok(Json(serde_json::json!({"items": items, "page": page})))
}
