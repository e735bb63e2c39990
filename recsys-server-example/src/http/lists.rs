//! Named lists of movies, public or private, and "fill this list".
//!
//! API: `GET|POST /api/lists` (mine / create), `GET|PATCH|DELETE /api/lists/{id}`,
//! `POST /api/lists/{id}/items` (`{"movie_id"}`), `DELETE /api/lists/{id}/items/{movie_id}`,
//! `GET /api/lists/{id}/fill?n=` (movies that fit the list), `GET /api/users/{username}/lists`
//! (someone's public lists). Pages: `/lists`, `/lists/{id}`.
//!
//! Who may do what: the owner reads and changes a list; anyone (also anonymous) reads a
//! public list and its fill; nobody else learns that a private list exists (404), and a
//! change to someone else's public list is a 403. Staff have no extra rights over lists.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use recsys_core::data::Feedback;
use recsys_core::prelude::{List, Query, Recommendations, UserHistory};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::catalog::ensure_movie;
use super::pages::{hue, render, Card, Nav, PageError};
use super::recommendations::check_n;
use super::{check_len, ApiJson, ApiQuery};
use crate::auth::{CurrentUser, MaybeUser};
use crate::db::{now, Db};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::with_db;

/// Most lists one account may have.
pub const MAX_LISTS: i64 = 100;
/// Most movies in one list.
pub const MAX_ITEMS: i64 = 500;
/// Longest list name (characters).
pub const MAX_NAME: usize = 80;
/// Longest description (characters).
pub const MAX_DESCRIPTION: usize = 500;

/// The list routes (API and pages).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/lists", get(mine).post(create))
        .route(
            "/api/lists/{id}",
            get(show).patch(update).delete(remove_list),
        )
        .route("/api/lists/{id}/items", post(add_item))
        .route("/api/lists/{id}/items/{movie_id}", delete(remove_item))
        .route("/api/lists/{id}/fill", get(fill))
        .route("/api/users/{username}/lists", get(public_lists))
        .route("/lists", get(lists_page))
        .route("/lists/{id}", get(list_page))
}

/// A list without its items.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ListSummary {
    /// List id.
    pub id: i64,
    /// Owner's account id.
    pub user_id: i64,
    /// Owner's username.
    pub owner: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Whether everyone may read it.
    pub is_public: bool,
    /// Number of movies.
    pub n_items: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// A movie of a list.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ListItem {
    /// Movie id.
    pub movie_id: String,
    /// Title.
    pub title: String,
    /// Year.
    pub year: Option<i32>,
    /// Unix seconds.
    pub added_at: i64,
}

/// A list with its movies, oldest first.
#[derive(Clone, Debug, Serialize)]
pub struct ListDetail {
    /// The list.
    #[serde(flatten)]
    pub list: ListSummary,
    /// Its movies.
    pub items: Vec<ListItem>,
    /// Whether the reader owns it.
    pub mine: bool,
}

/// `POST /api/lists` (where `name` is required) and `PATCH /api/lists/{id}` (the fields to
/// change) body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListFields {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    is_public: Option<bool>,
}

/// `{"movie_id"}` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListMovie {
    movie_id: String,
}

/// `?n=` of the fill route.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FillParams {
    #[serde(default)]
    n: Option<usize>,
}

/// The `SELECT` of [`ListSummary`] (a macro so queries stay literal strings).
macro_rules! summary {
    () => {
        "SELECT l.id, l.user_id, u.username AS owner, l.name, l.description, \
         l.is_public, (SELECT COUNT(*) FROM list_items i WHERE i.list_id = l.id) AS n_items, \
         l.created_at, l.updated_at FROM lists l JOIN users u ON u.id = l.user_id"
    };
}

fn parse_id(text: &str) -> AppResult<i64> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::bad_request("invalid_id", format!("{text:?} is not a list id")))
}

fn clean_name(name: &str) -> AppResult<String> {
    let name = name.trim().to_string();
    check_len("name", &name, 1, MAX_NAME)?;
    Ok(name)
}

fn clean_description(text: &str) -> AppResult<String> {
    let text = text.trim().to_string();
    check_len("description", &text, 0, MAX_DESCRIPTION)?;
    Ok(text)
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("no list {id}"))
}

/// The list `id` as `reader` may see it: 404 when it does not exist or is someone else's
/// private list.
///
/// # Errors
/// 404; database errors.
pub async fn readable(db: &Db, id: i64, reader: Option<i64>) -> AppResult<ListSummary> {
    let list: Option<ListSummary> = with_db!(db, |pool| sqlx::query_as(concat!(
        summary!(),
        " WHERE l.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    match list {
        Some(list) if list.is_public || Some(list.user_id) == reader => Ok(list),
        _ => Err(not_found(id)),
    }
}

/// The list `id` if `owner` owns it: 404 as in [`readable`], 403 for someone else's public
/// list.
///
/// # Errors
/// 403, 404; database errors.
pub async fn owned(db: &Db, id: i64, owner: i64) -> AppResult<ListSummary> {
    let list = readable(db, id, Some(owner)).await?;
    if list.user_id != owner {
        return Err(AppError::forbidden(
            "not_owner",
            "only the owner may change this list",
        ));
    }
    Ok(list)
}

/// The movies of a list, oldest first.
///
/// # Errors
/// Database errors.
pub async fn items(db: &Db, id: i64) -> AppResult<Vec<ListItem>> {
    Ok(with_db!(db, |pool| sqlx::query_as(
        "SELECT i.movie_id, m.title, m.year, i.added_at FROM list_items i \
         JOIN movies m ON m.id = i.movie_id WHERE i.list_id = $1 ORDER BY i.added_at, i.rowid",
    )
    .bind(id)
    .fetch_all(pool)
    .await)?)
}

/// The lists of `owner`, newest change first (public ones only unless `all`).
///
/// # Errors
/// Database errors.
pub async fn lists_of(db: &Db, owner: i64, all: bool) -> AppResult<Vec<ListSummary>> {
    Ok(with_db!(db, |pool| sqlx::query_as(concat!(
        summary!(),
        " WHERE l.user_id = $1 AND ($2 OR l.is_public) ORDER BY l.updated_at DESC, l.id DESC"
    ))
    .bind(owner)
    .bind(all)
    .fetch_all(pool)
    .await)?)
}

async fn touch(db: &Db, id: i64) -> AppResult<()> {
    with_db!(db, |pool| sqlx::query(
        "UPDATE lists SET updated_at = $1 WHERE id = $2"
    )
    .bind(now())
    .bind(id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
}

/// Movies that fit a list: the core's For You for a history made of the list's movies (each
/// one a like, in the order they were added); the list's own movies are left out, as seen
/// items are. Movies the model does not know yet (added since the last training) are skipped.
///
/// # Errors
/// 400 for a bad `n`; database and recommender errors.
pub async fn fill_list(
    state: &AppState,
    list: &[ListItem],
    n: usize,
) -> AppResult<Recommendations> {
    let model = state.model.load();
    let mut history = UserHistory::new();
    for item in list.iter().filter(|i| model.contains(&i.movie_id)) {
        history.push(&item.movie_id, Feedback::Like, item.added_at);
    }
    Ok(model.recommend(&history, &Query::new(List::ForYou).n(n).explain(true))?)
}

async fn mine(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Value>> {
    Ok(Json(
        json!({"lists": lists_of(&state.db, user.user.id, true).await?}),
    ))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<ListFields>,
) -> AppResult<Response> {
    let name = body
        .name
        .as_deref()
        .map(clean_name)
        .transpose()?
        .ok_or_else(|| AppError::bad_request("missing_field", "a list needs `name`"))?;
    let description = clean_description(body.description.as_deref().unwrap_or(""))?;
    let count: i64 = with_db!(&state.db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM lists WHERE user_id = $1"
    )
    .bind(user.user.id)
    .fetch_one(pool)
    .await)?;
    if count >= MAX_LISTS {
        return Err(AppError::bad_request(
            "too_many_lists",
            format!("an account may have at most {MAX_LISTS} lists"),
        ));
    }
    let at = now();
    let id: i64 = with_db!(&state.db, |pool| sqlx::query_scalar(
        "INSERT INTO lists (user_id, name, description, is_public, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user.user.id)
    .bind(&name)
    .bind(&description)
    .bind(body.is_public.unwrap_or(false))
    .bind(at)
    .bind(at)
    .fetch_one(pool)
    .await)?;
    let list = readable(&state.db, id, Some(user.user.id)).await?;
    Ok((
        StatusCode::CREATED,
        Json(ListDetail {
            list,
            items: Vec::new(),
            mine: true,
        }),
    )
        .into_response())
}

async fn show(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(id): Path<String>,
) -> AppResult<Json<ListDetail>> {
    let id = parse_id(&id)?;
    let reader = user.0.map(|u| u.user.id);
    let list = readable(&state.db, id, reader).await?;
    Ok(Json(ListDetail {
        mine: Some(list.user_id) == reader,
        items: items(&state.db, id).await?,
        list,
    }))
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ListFields>,
) -> AppResult<Json<ListDetail>> {
    let id = parse_id(&id)?;
    owned(&state.db, id, user.user.id).await?;
    let name = body.name.as_deref().map(clean_name).transpose()?;
    let description = body
        .description
        .as_deref()
        .map(clean_description)
        .transpose()?;
    with_db!(&state.db, |pool| sqlx::query(
        "UPDATE lists SET name = COALESCE($1, name), description = COALESCE($2, description), \
         is_public = COALESCE($3, is_public), updated_at = $4 WHERE id = $5",
    )
    .bind(name)
    .bind(description)
    .bind(body.is_public)
    .bind(now())
    .bind(id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    let list = readable(&state.db, id, Some(user.user.id)).await?;
    Ok(Json(ListDetail {
        list,
        items: items(&state.db, id).await?,
        mine: true,
    }))
}

async fn remove_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let id = parse_id(&id)?;
    owned(&state.db, id, user.user.id).await?;
    with_db!(&state.db, |pool| sqlx::query(
        "DELETE FROM lists WHERE id = $1"
    )
    .bind(id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(Json(json!({"id": id, "deleted": true})))
}

async fn add_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ListMovie>,
) -> AppResult<Json<Value>> {
    let id = parse_id(&id)?;
    let list = owned(&state.db, id, user.user.id).await?;
    ensure_movie(&state.db, &body.movie_id).await?;
    if list.n_items >= MAX_ITEMS {
        return Err(AppError::bad_request(
            "list_full",
            format!("a list holds at most {MAX_ITEMS} movies"),
        ));
    }
    let added = with_db!(&state.db, |pool| sqlx::query(
        "INSERT INTO list_items (list_id, movie_id, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT (list_id, movie_id) DO NOTHING",
    )
    .bind(id)
    .bind(&body.movie_id)
    .bind(now())
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    touch(&state.db, id).await?;
    Ok(Json(
        json!({"list_id": id, "movie_id": body.movie_id, "in_list": true, "added": added == 1}),
    ))
}

async fn remove_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, movie_id)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    let id = parse_id(&id)?;
    owned(&state.db, id, user.user.id).await?;
    check_len("movie_id", &movie_id, 1, 64)?;
    let removed = with_db!(&state.db, |pool| sqlx::query(
        "DELETE FROM list_items WHERE list_id = $1 AND movie_id = $2"
    )
    .bind(id)
    .bind(&movie_id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    touch(&state.db, id).await?;
    Ok(Json(
        json!({"list_id": id, "movie_id": movie_id, "in_list": false, "removed": removed == 1}),
    ))
}

async fn fill(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<FillParams>,
) -> AppResult<Json<Recommendations>> {
    let id = parse_id(&id)?;
    let n = check_n(params.n)?;
    readable(&state.db, id, user.0.map(|u| u.user.id)).await?;
    let list = items(&state.db, id).await?;
    Ok(Json(fill_list(&state, &list, n).await?))
}

async fn public_lists(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(username): Path<String>,
) -> AppResult<Json<Value>> {
    check_len("username", &username, 1, 64)?;
    let owner: Option<i64> = with_db!(&state.db, |pool| sqlx::query_scalar(
        "SELECT id FROM users WHERE lower(username) = lower($1)"
    )
    .bind(&username)
    .fetch_optional(pool)
    .await)?;
    let owner = owner.ok_or_else(|| AppError::NotFound(format!("no user {username:?}")))?;
    let all = user.0.is_some_and(|u| u.user.id == owner);
    Ok(Json(
        json!({"username": username, "lists": lists_of(&state.db, owner, all).await?}),
    ))
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    nav: Nav,
    lists: Vec<ListSummary>,
}

async fn lists_page(State(state): State<AppState>, user: MaybeUser) -> Result<Response, PageError> {
    let Some(current) = user.0.as_ref() else {
        return Ok(Redirect::to("/login?next=/lists").into_response());
    };
    let lists = lists_of(&state.db, current.user.id, true).await?;
    Ok(render(&ListsPage {
        nav: Nav::of(&user.0),
        lists,
    }))
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    nav: Nav,
    list: ListSummary,
    mine: bool,
    cards: Vec<Card>,
    fill: Vec<Card>,
}

/// Suggestions shown under a list.
const FILL_LEN: usize = 12;

async fn list_page(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let reader = user.0.as_ref().map(|u| u.user.id);
    let list = readable(&state.db, id, reader).await?;
    let entries = items(&state.db, id).await?;
    let fill = fill_list(&state, &entries, FILL_LEN).await?;
    let cards = entries
        .into_iter()
        .map(|e| Card {
            hue: hue(&e.movie_id),
            id: e.movie_id,
            title: e.title,
            year: e.year,
            note: String::new(),
        })
        .collect();
    let fill = Card::all(&fill);
    Ok(render(&ListPage {
        nav: Nav::of(&user.0),
        mine: Some(list.user_id) == reader,
        list,
        cards,
        fill,
    }))
}
