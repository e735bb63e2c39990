//! Accounts: `POST /api/auth/signup|login|logout`, `GET|PATCH /api/me`.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_len, ApiJson};
use crate::auth::{
    create_session, delete_session, hash_password, request_token, session_cookie, verify_password,
    ClientAddr, CurrentUser, User,
};
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::with_db;

/// The accounts routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/signup", post(signup))
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/me", get(me).patch(update_me))
}

/// `POST /api/auth/signup` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signup {
    username: String,
    password: String,
    #[serde(default)]
    display_name: Option<String>,
}

/// `POST /api/auth/login` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    username: String,
    password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The answer of signup and login.
#[derive(Serialize)]
struct SessionAnswer {
    /// For `Authorization: Bearer`.
    token: String,
    /// For `X-CSRF-Token` when the cookie authenticates.
    csrf_token: String,
    user: User,
}

/// Checks a username: 3–32 characters of letters, digits, `_`, `-`, `.`.
fn check_username(name: &str) -> AppResult<()> {
    check_len("username", name, 3, 32)?;
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(AppError::bad_request(
            "invalid_field",
            "`username` may hold letters, digits, `_`, `-` and `.` only",
        ));
    }
    Ok(())
}

async fn load_user(state: &AppState, id: i64) -> AppResult<User> {
    Ok(with_db!(&state.db, |pool| sqlx::query_as(
        "SELECT id, username, display_name, bio, is_staff, created_at FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await)?)
}

async fn session_response(state: &AppState, user: User, status: StatusCode) -> AppResult<Response> {
    let session = create_session(&state.db, user.id).await?;
    let cookie = session_cookie(&session.token, state.config.secure_cookies);
    let body = SessionAnswer {
        token: session.token,
        csrf_token: session.csrf_token,
        user,
    };
    Ok((status, [(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

async fn signup(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Signup>,
) -> AppResult<Response> {
    let username = body.username.trim().to_string();
    check_username(&username)?;
    check_len("password", &body.password, 8, 128)?;
    let display_name = body
        .display_name
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| username.clone());
    check_len("display_name", &display_name, 1, 64)?;
    let taken: Option<i64> = with_db!(&state.db, |pool| sqlx::query_scalar(
        "SELECT id FROM users WHERE lower(username) = lower($1)"
    )
    .bind(&username)
    .fetch_optional(pool)
    .await)?;
    if taken.is_some() {
        return Err(AppError::Conflict(format!(
            "username {username:?} is taken"
        )));
    }
    let hash = hash_password(body.password).await?;
    let id: i64 = with_db!(&state.db, |pool| sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, is_active, created_at) \
         VALUES ($1, $2, $3, TRUE, $4) RETURNING id",
    )
    .bind(&username)
    .bind(&display_name)
    .bind(hash)
    .bind(now())
    .fetch_one(pool)
    .await)
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::Conflict(format!("username {username:?} is taken")),
        other => other,
    })?;
    let user = load_user(&state, id).await?;
    session_response(&state, user, StatusCode::CREATED).await
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    ApiJson(body): ApiJson<Login>,
) -> AppResult<Response> {
    let username = body.username.trim().to_string();
    state.limiter.check(&username, &address)?;
    let row: Option<(i64, Option<String>, bool)> = with_db!(&state.db, |pool| sqlx::query_as(
        "SELECT id, password_hash, is_active FROM users WHERE lower(username) = lower($1)",
    )
    .bind(&username)
    .fetch_optional(pool)
    .await)?;
    let verified = match row {
        Some((id, Some(hash), true)) => verify_password(body.password, hash).await?.then_some(id),
        _ => None,
    };
    let Some(id) = verified else {
        state.limiter.fail(&username, &address);
        return Err(AppError::Unauthorized("wrong username or password".into()));
    };
    state.limiter.succeed(&username);
    let user = load_user(&state, id).await?;
    session_response(&state, user, StatusCode::OK).await
}

async fn logout(
    State(state): State<AppState>,
    _user: CurrentUser,
    headers: HeaderMap,
) -> AppResult<Response> {
    if let Some((token, _)) = request_token(&headers) {
        delete_session(&state.db, &token).await?;
    }
    let cookie = session_cookie("", state.config.secure_cookies);
    Ok((
        StatusCode::OK,
        [(header::SET_COOKIE, cookie)],
        Json(json!({"logged_out": true})),
    )
        .into_response())
}

/// The profile with simple statistics.
async fn me(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<serde_json::Value>> {
    let id = user.user.id;
    let (ratings, likes, watched): (i64, i64, i64) = with_db!(&state.db, |pool| {
        sqlx::query_as(
        "SELECT COUNT(rating), COALESCE(SUM(CASE WHEN opinion = 'like' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN watched THEN 1 ELSE 0 END), 0) FROM feedback WHERE user_id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    })?;
    let watchlist: i64 = with_db!(&state.db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM watchlist WHERE user_id = $1"
    )
    .bind(id)
    .fetch_one(pool)
    .await)?;
    let per_genre: Vec<(String, i64)> = with_db!(&state.db, |pool| {
        sqlx::query_as(
        "SELECT g.genre, COUNT(*) FROM feedback f JOIN movie_genres g ON g.movie_id = f.movie_id \
         WHERE f.user_id = $1 AND f.rating IS NOT NULL GROUP BY g.genre ORDER BY COUNT(*) DESC, g.genre",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    })?;
    Ok(Json(json!({
        "user": user.user,
        "csrf_token": user.csrf_token,
        "stats": {
            "ratings": ratings,
            "likes": likes,
            "watched": watched,
            "watchlist": watchlist,
            "ratings_per_genre": per_genre.into_iter().map(|(g, n)| json!({"genre": g, "count": n})).collect::<Vec<_>>(),
        }
    })))
}

/// `PATCH /api/me` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    display_name: Option<String>,
    bio: Option<String>,
}

async fn update_me(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<ProfileUpdate>,
) -> AppResult<Json<User>> {
    let display_name = body
        .display_name
        .map(|d| d.trim().to_string())
        .unwrap_or(user.user.display_name);
    check_len("display_name", &display_name, 1, 64)?;
    let bio = body.bio.unwrap_or(user.user.bio);
    check_len("bio", &bio, 0, 2000)?;
    with_db!(&state.db, |pool| sqlx::query(
        "UPDATE users SET display_name = $1, bio = $2 WHERE id = $3"
    )
    .bind(&display_name)
    .bind(&bio)
    .bind(user.user.id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(Json(load_user(&state, user.user.id).await?))
}
