//! Catalogue: `GET /api/movies/{id}`, `/similar`, `/why`, `GET /api/search`, `GET /api/genres`.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use recsys_core::prelude::{Filters, List, Query, Recommendation, Recommendations};
use serde::{Deserialize, Serialize};
use sqlx::{Database, Encode, QueryBuilder, Type};

use super::{check_len, ApiQuery};
use crate::auth::MaybeUser;
use crate::db::{search_key, Db};
use crate::error::{AppError, AppResult};
use crate::model::user_history;
use crate::state::AppState;
use crate::with_db;

/// The catalogue routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/movies/{id}", get(movie))
        .route("/api/movies/{id}/similar", get(similar))
        .route("/api/movies/{id}/why", get(why))
        .route("/api/search", get(search_api))
        .route("/api/genres", get(genres_api))
}

/// One person's credit on a movie.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct CreditView {
    /// Person id (a Freebase id for MovieLens).
    pub person_id: String,
    /// Display name, when known.
    pub name: Option<String>,
    /// `actor`, `director`, `writer` or `producer`.
    pub role: String,
}

/// The signed-in user's feedback on a movie.
#[derive(Clone, Debug, Default, Serialize, sqlx::FromRow)]
pub struct MyFeedback {
    /// Stars, 1–5.
    pub rating: Option<f64>,
    /// `like`, `dislike` or `not_interested`.
    pub opinion: Option<String>,
    /// Marked watched.
    pub watched: bool,
    /// On the watchlist.
    pub in_watchlist: bool,
}

/// A movie with everything a movie page shows.
#[derive(Clone, Debug, Serialize)]
pub struct MovieDetail {
    /// Movie id.
    pub id: String,
    /// Title without the year.
    pub title: String,
    /// Release year.
    pub year: Option<i32>,
    /// Plot summary (empty when unknown).
    pub synopsis: String,
    /// Poster image URL, when known.
    pub poster_url: Option<String>,
    /// Genres.
    pub genres: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Cast and crew.
    pub people: Vec<CreditView>,
    /// Number of star ratings.
    pub ratings: i64,
    /// Their mean, when any.
    pub average_rating: Option<f64>,
    /// The signed-in user's feedback (absent for anonymous visitors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mine: Option<MyFeedback>,
}

/// Checks a movie id's shape and that the movie exists.
///
/// # Errors
/// 400 for a malformed id, 404 for an unknown one.
pub async fn ensure_movie(db: &Db, id: &str) -> AppResult<()> {
    check_len("movie_id", id, 1, 64)?;
    let found: Option<i32> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT 1 FROM movies WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    found
        .map(|_| ())
        .ok_or_else(|| AppError::NotFound(format!("no movie with id {id:?}")))
}

/// Reads a movie with its genres, tags, people, rating summary and the user's feedback.
///
/// # Errors
/// 404 for an unknown id; database errors.
pub async fn movie_detail(db: &Db, id: &str, user: Option<i64>) -> AppResult<MovieDetail> {
    check_len("movie_id", id, 1, 64)?;
    type MovieRow = (String, String, Option<i32>, String, Option<String>);
    let row: Option<MovieRow> = with_db!(db, |pool| sqlx::query_as(
        "SELECT id, title, year, synopsis, poster_url FROM movies WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    let (id, title, year, synopsis, poster_url) =
        row.ok_or_else(|| AppError::NotFound(format!("no movie with id {id:?}")))?;
    let genres = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT genre FROM movie_genres WHERE movie_id = $1 ORDER BY rowid"
    )
    .bind(&id)
    .fetch_all(pool)
    .await)?;
    let tags = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT tag FROM movie_tags WHERE movie_id = $1 ORDER BY tag"
    )
    .bind(&id)
    .fetch_all(pool)
    .await)?;
    let people = with_db!(db, |pool| {
        sqlx::query_as(
        "SELECT c.person_id, p.name, c.role FROM credits c JOIN people p ON p.id = c.person_id \
         WHERE c.movie_id = $1 ORDER BY CASE c.role WHEN 'director' THEN 0 WHEN 'writer' THEN 1 \
         WHEN 'actor' THEN 2 ELSE 3 END, c.rowid",
    )
    .bind(&id)
    .fetch_all(pool)
    .await
    })?;
    let (ratings, average_rating): (i64, Option<f64>) = with_db!(db, |pool| {
        sqlx::query_as(
        "SELECT COUNT(rating), AVG(rating) FROM feedback WHERE movie_id = $1 AND rating IS NOT NULL",
    )
    .bind(&id)
    .fetch_one(pool)
    .await
    })?;
    let mine = match user {
        Some(user) => Some(my_feedback(db, user, &id).await?),
        None => None,
    };
    Ok(MovieDetail {
        id,
        title,
        year,
        synopsis,
        poster_url,
        genres,
        tags,
        people,
        ratings,
        average_rating,
        mine,
    })
}

/// One user's feedback on one movie.
///
/// # Errors
/// Database errors.
pub async fn my_feedback(db: &Db, user: i64, movie: &str) -> AppResult<MyFeedback> {
    let row: Option<(Option<f64>, Option<String>, bool)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT rating, opinion, watched FROM feedback WHERE user_id = $1 AND movie_id = $2",
    )
    .bind(user)
    .bind(movie)
    .fetch_optional(pool)
    .await)?;
    let in_watchlist: Option<i32> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT 1 FROM watchlist WHERE user_id = $1 AND movie_id = $2"
    )
    .bind(user)
    .bind(movie)
    .fetch_optional(pool)
    .await)?;
    let (rating, opinion, watched) = row.unwrap_or_default();
    Ok(MyFeedback {
        rating,
        opinion,
        watched,
        in_watchlist: in_watchlist.is_some(),
    })
}

async fn movie(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(id): Path<String>,
) -> AppResult<Json<MovieDetail>> {
    let user = user.0.map(|u| u.user.id);
    Ok(Json(movie_detail(&state.db, &id, user).await?))
}

/// `?n=` of the similar-movies route.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountParam {
    n: Option<usize>,
}

/// Movies like `id` for this visitor (their seen and disliked movies left out).
///
/// # Errors
/// 404 for an unknown movie; 400 for a bad `n`.
pub async fn similar_movies(
    state: &AppState,
    user: Option<i64>,
    id: &str,
    n: usize,
) -> AppResult<Recommendations> {
    ensure_movie(&state.db, id).await?;
    let history = match user {
        Some(user) => user_history(&state.db, user).await?,
        None => Default::default(),
    };
    let model = state.model.load();
    let query = if model.contains(id) {
        Query::new(List::similar_to(id)).n(n).explain(true)
    } else {
        // Added after the last training: nothing to compare it with yet (an empty list).
        Query::new(List::Trending)
            .n(n)
            .filters(Filters::new().candidates(Vec::<String>::new()))
    };
    Ok(model.recommend(&history, &query)?)
}

async fn similar(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<CountParam>,
) -> AppResult<Json<Recommendations>> {
    let n = super::recommendations::check_n(params.n)?;
    let user = user.0.map(|u| u.user.id);
    Ok(Json(similar_movies(&state, user, &id, n).await?))
}

/// "Why this movie?" for this visitor.
///
/// # Errors
/// 404 for an unknown movie or one the model has not seen yet.
pub async fn why_movie(state: &AppState, user: Option<i64>, id: &str) -> AppResult<Recommendation> {
    ensure_movie(&state.db, id).await?;
    let history = match user {
        Some(user) => user_history(&state.db, user).await?,
        None => Default::default(),
    };
    let model = state.model.load();
    if !model.contains(id) {
        return Err(AppError::NotFound(format!(
            "movie {id:?} was added after the last training; it has no explanation yet"
        )));
    }
    Ok(model.explain_item(&history, id)?)
}

async fn why(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(id): Path<String>,
) -> AppResult<Json<Recommendation>> {
    let user = user.0.map(|u| u.user.id);
    Ok(Json(why_movie(&state, user, &id).await?))
}

/// `GET /api/search` parameters.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Title text (case- and accent-insensitive; prefix matches first).
    #[serde(default)]
    pub q: Option<String>,
    /// Genre name (case-insensitive).
    #[serde(default)]
    pub genre: Option<String>,
    /// Earliest year.
    #[serde(default)]
    pub year_from: Option<i32>,
    /// Latest year.
    #[serde(default)]
    pub year_to: Option<i32>,
    /// Person id, or a part of a person's name.
    #[serde(default)]
    pub person: Option<String>,
    /// Tag (case-insensitive).
    #[serde(default)]
    pub tag: Option<String>,
    /// `relevance` (default), `popular`, `rating`, `year`, `title`.
    #[serde(default)]
    pub sort: Option<String>,
    /// 1-based page.
    #[serde(default)]
    pub page: Option<u32>,
    /// Results per page, 1–100 (default 24).
    #[serde(default)]
    pub per_page: Option<u32>,
}

/// A movie in search results and lists.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct MovieCard {
    /// Movie id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Year.
    pub year: Option<i32>,
    /// Genres, comma-separated in the row, split for the answer.
    #[serde(skip)]
    pub genre_list: Option<String>,
    /// Number of star ratings.
    pub ratings: i64,
    /// Their mean.
    pub average_rating: Option<f64>,
}

/// A page of search results.
#[derive(Clone, Debug, Serialize)]
pub struct SearchPage {
    /// Matches on this page.
    pub items: Vec<SearchItem>,
    /// 1-based page.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
    /// All matches.
    pub total: i64,
}

/// One search result.
#[derive(Clone, Debug, Serialize)]
pub struct SearchItem {
    /// The movie.
    #[serde(flatten)]
    pub movie: MovieCard,
    /// Its genres.
    pub genres: Vec<String>,
}

fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn push_filters<DB: Database>(q: &mut QueryBuilder<DB>, p: &SearchParams)
where
    String: for<'t> Encode<'t, DB> + Type<DB>,
    i32: for<'t> Encode<'t, DB> + Type<DB>,
{
    q.push(" WHERE 1 = 1");
    if let Some(text) = p.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        q.push(" AND m.title_key LIKE ")
            .push_bind(format!("%{}%", like_pattern(&search_key(text))))
            .push(" ESCAPE '\\'");
    }
    if let Some(genre) = p.genre.as_deref().filter(|g| !g.is_empty()) {
        q.push(" AND EXISTS (SELECT 1 FROM movie_genres g WHERE g.movie_id = m.id AND lower(g.genre) = lower(")
            .push_bind(genre.to_string())
            .push("))");
    }
    if let Some(from) = p.year_from {
        q.push(" AND m.year >= ").push_bind(from);
    }
    if let Some(to) = p.year_to {
        q.push(" AND m.year <= ").push_bind(to);
    }
    if let Some(person) = p.person.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        q.push(
            " AND EXISTS (SELECT 1 FROM credits c JOIN people pe ON pe.id = c.person_id \
             WHERE c.movie_id = m.id AND (c.person_id = ",
        )
        .push_bind(person.to_string())
        .push(" OR lower(pe.name) LIKE ")
        .push_bind(format!("%{}%", like_pattern(&person.to_lowercase())))
        .push(" ESCAPE '\\'))");
    }
    if let Some(tag) = p.tag.as_deref().filter(|t| !t.is_empty()) {
        q.push(" AND EXISTS (SELECT 1 FROM movie_tags t WHERE t.movie_id = m.id AND lower(t.tag) = lower(")
            .push_bind(tag.to_string())
            .push("))");
    }
}

/// Appends the ORDER BY of a search in `order` (validated by [`search`]) and the page.
fn push_order<DB: Database>(
    q: &mut QueryBuilder<DB>,
    order: &str,
    text: Option<String>,
    page: u32,
    per_page: u32,
) where
    String: for<'t> Encode<'t, DB> + Type<DB>,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
{
    q.push(" ORDER BY ");
    match order {
        "relevance" => {
            let text = text.unwrap_or_default();
            q.push("CASE WHEN m.title_key LIKE ")
                .push_bind(format!("{}%", like_pattern(&text)))
                .push(" ESCAPE '\\' THEN 0 WHEN m.title_key LIKE ")
                .push_bind(format!("% {}%", like_pattern(&text)))
                .push(" ESCAPE '\\' THEN 1 ELSE 2 END, ratings DESC");
        }
        "popular" => {
            q.push("ratings DESC");
        }
        "rating" => {
            // Mean shrunk towards 3 by 10 pseudo-ratings, so one 5-star vote does not win.
            q.push(
                "(COALESCE(s.mean, 0) * COALESCE(s.n, 0) + 30.0) / (COALESCE(s.n, 0) + 10) DESC",
            );
        }
        "year" => {
            q.push("m.year IS NULL, m.year DESC");
        }
        _ => {
            q.push("m.title_key");
        }
    }
    q.push(", m.title, m.id LIMIT ")
        .push_bind(i64::from(per_page))
        .push(" OFFSET ")
        .push_bind(i64::from(page - 1) * i64::from(per_page));
}

/// Runs a search.
///
/// # Errors
/// 400 for bad parameters (reversed years, page size, unknown sort, over-long text).
pub async fn search(db: &Db, p: &SearchParams) -> AppResult<SearchPage> {
    for (name, value) in [
        ("q", &p.q),
        ("genre", &p.genre),
        ("person", &p.person),
        ("tag", &p.tag),
    ] {
        if let Some(value) = value {
            check_len(name, value, 0, 200)?;
        }
    }
    if let (Some(from), Some(to)) = (p.year_from, p.year_to) {
        if from > to {
            return Err(AppError::bad_request(
                "invalid_field",
                format!("`year_from` ({from}) is after `year_to` ({to})"),
            ));
        }
    }
    let page = p.page.unwrap_or(1);
    if page == 0 || page > 10_000 {
        return Err(AppError::bad_request(
            "invalid_field",
            "`page` must be 1 to 10000",
        ));
    }
    let per_page = p.per_page.unwrap_or(24);
    if !(1..=100).contains(&per_page) {
        return Err(AppError::bad_request(
            "invalid_field",
            "`per_page` must be 1 to 100",
        ));
    }
    let text =
        p.q.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(search_key);
    let order = match p.sort.as_deref().unwrap_or("relevance") {
        "relevance" if text.is_some() => "relevance",
        "relevance" | "popular" => "popular",
        "rating" => "rating",
        "year" => "year",
        "title" => "title",
        other => {
            return Err(AppError::bad_request(
                "invalid_field",
                format!("unknown `sort` {other:?} (relevance, popular, rating, year, title)"),
            ))
        }
    };

    let (total, rows): (i64, Vec<MovieCard>) = with_db!(db, |pool| {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM movies m");
        push_filters(&mut count, p);
        let total = count.build_query_scalar().fetch_one(pool).await?;
        let mut q = QueryBuilder::new(
            "SELECT m.id, m.title, m.year, \
             (SELECT string_agg(genre, ',') FROM movie_genres g WHERE g.movie_id = m.id) AS genre_list, \
             COALESCE(s.n, 0) AS ratings, s.mean AS average_rating \
             FROM movies m LEFT JOIN (SELECT movie_id, COUNT(rating) AS n, AVG(rating) AS mean \
             FROM feedback WHERE rating IS NOT NULL GROUP BY movie_id) s ON s.movie_id = m.id",
        );
        push_filters(&mut q, p);
        push_order(&mut q, order, text, page, per_page);
        (total, q.build_query_as().fetch_all(pool).await?)
    });
    Ok(SearchPage {
        items: rows
            .into_iter()
            .map(|movie| SearchItem {
                genres: movie
                    .genre_list
                    .as_deref()
                    .map(|g| g.split(',').map(str::to_string).collect())
                    .unwrap_or_default(),
                movie,
            })
            .collect(),
        page,
        per_page,
        total,
    })
}

async fn search_api(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> AppResult<Json<SearchPage>> {
    Ok(Json(search(&state.db, &params).await?))
}

/// Every genre with its number of movies.
///
/// # Errors
/// Database errors.
pub async fn genres(db: &Db) -> AppResult<Vec<(String, i64)>> {
    Ok(with_db!(db, |pool| sqlx::query_as(
        "SELECT genre, COUNT(*) FROM movie_genres GROUP BY genre ORDER BY genre"
    )
    .fetch_all(pool)
    .await)?)
}

async fn genres_api(State(state): State<AppState>) -> AppResult<Json<serde_json::Value>> {
    let list = genres(&state.db).await?;
    Ok(Json(serde_json::json!({
        "genres": list.into_iter().map(|(g, n)| serde_json::json!({"genre": g, "movies": n})).collect::<Vec<_>>()
    })))
}
