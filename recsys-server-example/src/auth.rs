//! Sessions, passwords and the authentication extractors.
//!
//! A login creates one random token, sent both as the `recsys_session` cookie (HttpOnly,
//! SameSite=Lax, Secure behind TLS) and in the JSON answer for `Authorization: Bearer`
//! clients; the database keeps only its SHA-256. Each session has a CSRF token: a
//! state-changing request authenticated by the *cookie* must send it in `X-CSRF-Token`
//! (pages read it from `<meta name="csrf-token">`); bearer requests need none, since browsers
//! never add that header on their own. Passwords are hashed with argon2 on blocking threads.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use sha2::{Digest, Sha256};

use crate::db::{now, Db};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::with_db;

pub use crate::limiter::LoginLimiter;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "recsys_session";
/// The header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Session lifetime.
pub const SESSION_SECONDS: i64 = 30 * 24 * 3600;

/// A signed-in account, as handlers see it.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct User {
    /// Account id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Name shown on pages.
    pub display_name: String,
    /// Free text.
    pub bio: String,
    /// Staff may use the admin routes.
    pub is_staff: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// How the request proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// The session cookie (CSRF-checked on writes).
    Cookie,
    /// `Authorization: Bearer`.
    Bearer,
}

/// The signed-in user of a request (401 without one).
#[derive(Clone, Debug)]
pub struct CurrentUser {
    /// The account.
    pub user: User,
    /// The session's CSRF token (for pages).
    pub csrf_token: String,
    /// Cookie or bearer.
    pub method: AuthMethod,
}

/// The signed-in user if any (anonymous visitors are `None`).
#[derive(Clone, Debug)]
pub struct MaybeUser(pub Option<CurrentUser>);

/// A signed-in staff member (403 for other users).
#[derive(Clone, Debug)]
pub struct StaffUser(pub CurrentUser);

/// A fresh session token.
pub struct NewSession {
    /// The token for the cookie and the bearer header.
    pub token: String,
    /// The CSRF token of the session.
    pub csrf_token: String,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewSession { token: <redacted>, csrf_token: <redacted> }")
    }
}

/// 32 random bytes as hex.
pub fn random_token() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("getrandom: {e}")))?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Hashes a password with argon2 (default parameters, random salt) on a blocking thread.
///
/// # Errors
/// Internal errors only.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| AppError::internal(format!("argon2: {e}")))
    })
    .await?
}

/// Checks a password against a stored hash on a blocking thread.
///
/// # Errors
/// Internal errors for an unreadable stored hash.
pub async fn verify_password(password: String, stored: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let hash =
            PasswordHash::new(&stored).map_err(|e| AppError::internal(format!("hash: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok())
    })
    .await?
}

/// Starts a session for `user_id`.
///
/// # Errors
/// Database errors.
pub async fn create_session(db: &Db, user_id: i64) -> AppResult<NewSession> {
    let session = NewSession {
        token: random_token()?,
        csrf_token: random_token()?,
    };
    let created = now();
    with_db!(db, |pool| sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(&session.token))
    .bind(user_id)
    .bind(&session.csrf_token)
    .bind(created)
    .bind(created + SESSION_SECONDS)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(session)
}

/// Ends the session of `token` (nothing happens for an unknown token).
///
/// # Errors
/// Database errors.
pub async fn delete_session(db: &Db, token: &str) -> AppResult<()> {
    with_db!(db, |pool| sqlx::query(
        "DELETE FROM sessions WHERE token_hash = $1"
    )
    .bind(token_hash(token))
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
}

/// The `Set-Cookie` value of a session (or of its removal when `token` is empty).
pub fn session_cookie(token: &str, secure: bool) -> String {
    let max_age = if token.is_empty() { 0 } else { SESSION_SECONDS };
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// A cookie's value from the `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The token of a request and how it came: the bearer header first, then the cookie.
pub fn request_token(headers: &HeaderMap) -> Option<(String, AuthMethod)> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let text = value.to_str().ok()?;
        let token = text.strip_prefix("Bearer ")?.trim();
        return Some((token.to_string(), AuthMethod::Bearer));
    }
    cookie(headers, SESSION_COOKIE)
        .filter(|t| !t.is_empty())
        .map(|t| (t.to_string(), AuthMethod::Cookie))
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Compares without an early exit.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

async fn authenticate(parts: &Parts, state: &AppState) -> AppResult<Option<CurrentUser>> {
    let Some((token, method)) = request_token(&parts.headers) else {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            return Err(AppError::Unauthorized(
                "the Authorization header must be `Bearer <token>`".into(),
            ));
        }
        return Ok(None);
    };
    #[derive(sqlx::FromRow)]
    struct SessionRow {
        #[sqlx(flatten)]
        user: User,
        csrf_token: String,
        is_active: bool,
    }
    let row: Option<SessionRow> = with_db!(&state.db, |pool| sqlx::query_as(
        "SELECT u.id, u.username, u.display_name, u.bio, s.csrf_token, u.is_staff, \
             u.created_at, u.is_active \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash(&token))
    .bind(now())
    .fetch_optional(pool)
    .await)?;
    let Some(SessionRow {
        user,
        csrf_token,
        is_active,
    }) = row
    else {
        return match method {
            AuthMethod::Bearer => Err(AppError::Unauthorized(
                "the bearer token is unknown or expired; log in again".into(),
            )),
            // A stale cookie makes the visitor anonymous (the page offers to log in).
            AuthMethod::Cookie => Ok(None),
        };
    };
    if !is_active {
        return Ok(None);
    }
    if method == AuthMethod::Cookie && is_write(&parts.method) {
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !same(sent, &csrf_token) {
            return Err(AppError::forbidden(
                "csrf",
                "missing or wrong X-CSRF-Token header for a cookie-authenticated request",
            ));
        }
    }
    Ok(Some(CurrentUser {
        user,
        csrf_token,
        method,
    }))
}

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        if let Some(user) = parts.extensions.get::<MaybeUser>() {
            return Ok(user.clone());
        }
        let user = MaybeUser(authenticate(parts, state).await?);
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        MaybeUser::from_request_parts(parts, state)
            .await?
            .0
            .ok_or_else(|| AppError::Unauthorized("log in first".into()))
    }
}

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if !user.user.is_staff {
            return Err(AppError::forbidden("staff_only", "staff only"));
        }
        Ok(StaffUser(user))
    }
}

/// The client address (from the listener's connect info; `unknown` without one, as in
/// tests through the router).
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<std::net::SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}
