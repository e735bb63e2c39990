//! People, tags and all-time popularity: `GET /api/people/{id}`, `GET /api/tags/{tag}`,
//! `GET /api/popular?n=&genre=`.
//!
//! MovieLens-100K's knowledge graph (`ml-100k.kg`) links movies to Freebase ids without
//! names, so a person without a stored name is labelled by role and best-known movie
//! ("Director of Star Wars (1977)"), with the id beside it.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::catalog::{search, SearchPage, SearchParams};
use super::recommendations::check_n;
use super::{check_len, ApiQuery};
use crate::auth::MaybeUser;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::with_db;

/// Said of every person without a stored name.
pub const NO_NAME_NOTE: &str = "MovieLens-100K's knowledge graph names people by Freebase id \
    only; they are labelled by role and best-known movie.";

/// The discovery routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/people/{id}", get(person_api))
        .route("/api/tags/{tag}", get(tag_api))
        .route("/api/popular", get(popular_api))
}

/// How a person is shown.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PersonLabel {
    /// Stored name, when known.
    pub name: Option<String>,
    /// The name, or role and best-known movie when the name is unknown.
    pub label: String,
    /// Movies the person is credited on.
    pub movies: i64,
    /// Titles of up to three of their most rated movies (tells apart people with the same
    /// label, such as the cast of one film).
    pub known_for: Vec<String>,
}

/// The id without Freebase's `m.` prefix.
pub fn short_id(id: &str) -> &str {
    id.strip_prefix("m.").unwrap_or(id)
}

/// A role as a title-case noun ("Director").
pub fn role_title(role: &str) -> String {
    let mut chars = role.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Labels of `ids`, in order (an unknown id gets its short id as the label).
///
/// # Errors
/// Database errors.
pub async fn person_labels(db: &Db, ids: &[String]) -> AppResult<Vec<PersonLabel>> {
    let mut labels = Vec::with_capacity(ids.len());
    for id in ids {
        // The person's movies, most rated first; on ties the leading role (director first).
        let top: Vec<(Option<String>, String, String, Option<i32>)> =
            with_db!(db, |pool| sqlx::query_as(
                "SELECT p.name, c.role, m.title, m.year FROM credits c \
             JOIN people p ON p.id = c.person_id JOIN movies m ON m.id = c.movie_id \
             WHERE c.person_id = $1 \
             ORDER BY (SELECT COUNT(rating) FROM feedback f WHERE f.movie_id = c.movie_id) DESC, \
             CASE c.role WHEN 'director' THEN 0 WHEN 'writer' THEN 1 WHEN 'actor' THEN 2 \
             ELSE 3 END, c.rowid",
            )
            .bind(id)
            .fetch_all(pool)
            .await)?;
        let mut known_for: Vec<String> = Vec::new();
        for (_, _, title, _) in &top {
            if known_for.len() < 3 && !known_for.contains(title) {
                known_for.push(title.clone());
            }
        }
        let movies = top
            .iter()
            .map(|row| (&row.2, row.3))
            .collect::<std::collections::HashSet<_>>()
            .len() as i64;
        let label = match top.first() {
            Some((Some(name), ..)) => PersonLabel {
                label: name.clone(),
                name: Some(name.clone()),
                movies,
                known_for,
            },
            Some((None, role, title, year)) => PersonLabel {
                name: None,
                label: match year {
                    Some(year) => format!("{} of {title} ({year})", role_title(role)),
                    None => format!("{} of {title}", role_title(role)),
                },
                movies,
                known_for,
            },
            None => PersonLabel {
                name: None,
                label: short_id(id).to_string(),
                movies,
                known_for,
            },
        };
        labels.push(label);
    }
    Ok(labels)
}

/// A movie in a person's credits.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct CreditedMovie {
    /// Movie id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Year.
    pub year: Option<i32>,
    /// Star ratings.
    pub ratings: i64,
}

/// A person's movies in one role.
#[derive(Clone, Debug, Serialize)]
pub struct RoleCredits {
    /// `director`, `writer`, `actor`, `producer`, …
    pub role: String,
    /// Movies, most rated first.
    pub movies: Vec<CreditedMovie>,
}

/// A person page's data.
#[derive(Clone, Debug, Serialize)]
pub struct PersonDetail {
    /// Person id.
    pub id: String,
    /// How to show them.
    #[serde(flatten)]
    pub label: PersonLabel,
    /// Why the label is not a name, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Movies by role (director, writer, actor, producer, others).
    pub roles: Vec<RoleCredits>,
}

/// A person with their movies by role.
///
/// # Errors
/// 400 for a malformed id, 404 for an unknown one.
pub async fn person_detail(db: &Db, id: &str) -> AppResult<PersonDetail> {
    check_len("id", id, 1, 64)?;
    let rows: Vec<(String, String, String, Option<i32>, i64)> =
        with_db!(db, |pool| sqlx::query_as(
            "SELECT c.role, m.id, m.title, m.year, \
         (SELECT COUNT(rating) FROM feedback f WHERE f.movie_id = m.id) AS ratings \
         FROM credits c JOIN movies m ON m.id = c.movie_id WHERE c.person_id = $1 \
         ORDER BY CASE c.role WHEN 'director' THEN 0 WHEN 'writer' THEN 1 \
         WHEN 'actor' THEN 2 WHEN 'producer' THEN 3 ELSE 4 END, c.role, ratings DESC, m.title",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
    let known: Option<i32> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT 1 FROM people WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    if known.is_none() {
        return Err(AppError::NotFound(format!("no person with id {id:?}")));
    }
    let mut roles: Vec<RoleCredits> = Vec::new();
    for (role, movie, title, year, ratings) in rows {
        let movie = CreditedMovie {
            id: movie,
            title,
            year,
            ratings,
        };
        match roles.last_mut() {
            Some(last) if last.role == role => last.movies.push(movie),
            _ => roles.push(RoleCredits {
                role,
                movies: vec![movie],
            }),
        }
    }
    let label = person_labels(db, &[id.to_string()])
        .await?
        .pop()
        .unwrap_or_default();
    Ok(PersonDetail {
        id: id.to_string(),
        note: label.name.is_none().then(|| NO_NAME_NOTE.to_string()),
        label,
        roles,
    })
}

async fn person_api(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<PersonDetail>> {
    Ok(Json(person_detail(&state.db, &id).await?))
}

/// `?page=&per_page=` of the tag route.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagParams {
    /// 1-based page.
    #[serde(default)]
    pub page: Option<u32>,
    /// Movies per page, 1–100 (default 24).
    #[serde(default)]
    pub per_page: Option<u32>,
}

/// A tag page's data.
#[derive(Clone, Debug, Serialize)]
pub struct TagPage {
    /// The tag as stored (first spelling found).
    pub tag: String,
    /// Movies with the tag, most rated first.
    #[serde(flatten)]
    pub movies: SearchPage,
}

/// Movies with `tag` (case-insensitive), most rated first.
///
/// # Errors
/// 400 for a malformed tag or page, 404 when no movie has the tag.
pub async fn tag_movies(db: &Db, tag: &str, p: &TagParams) -> AppResult<TagPage> {
    check_len("tag", tag, 1, 200)?;
    let stored: Option<String> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT tag FROM movie_tags WHERE lower(tag) = lower($1) LIMIT 1"
    )
    .bind(tag)
    .fetch_optional(pool)
    .await)?;
    let stored = stored.ok_or_else(|| AppError::NotFound(format!("no movie has tag {tag:?}")))?;
    let movies = search(
        db,
        &SearchParams {
            tag: Some(stored.clone()),
            sort: Some("popular".into()),
            page: p.page,
            per_page: p.per_page,
            ..SearchParams::default()
        },
    )
    .await?;
    Ok(TagPage {
        tag: stored,
        movies,
    })
}

async fn tag_api(
    State(state): State<AppState>,
    Path(tag): Path<String>,
    ApiQuery(params): ApiQuery<TagParams>,
) -> AppResult<Json<TagPage>> {
    Ok(Json(tag_movies(&state.db, &tag, &params).await?))
}

/// `?n=&genre=` of the popular route.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopularParams {
    /// List length, 1–100 (default 12).
    #[serde(default)]
    pub n: Option<usize>,
    /// Only this genre (case-insensitive).
    #[serde(default)]
    pub genre: Option<String>,
}

/// A movie of the all-time popular list.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct PopularItem {
    /// Movie id.
    pub item_id: String,
    /// Title.
    pub title: String,
    /// Year.
    pub year: Option<i32>,
    /// Star ratings ever given.
    pub ratings: i64,
    /// Their mean.
    pub average_rating: Option<f64>,
}

/// The all-time popular list.
#[derive(Clone, Debug, Serialize)]
pub struct PopularList {
    /// Always `popular`: the most rated movies of all time (Trending, from the model, is the
    /// recent window).
    pub list: &'static str,
    /// Most rated first.
    pub items: Vec<PopularItem>,
}

/// The `n` most rated movies of all time (of `genre`, when given), leaving out those `user`
/// rated, watched or gave an opinion on.
///
/// # Errors
/// 400 for an unknown genre; database errors.
pub async fn popular(
    db: &Db,
    user: Option<i64>,
    genre: Option<&str>,
    n: usize,
) -> AppResult<PopularList> {
    let genre = genre.map(str::trim).filter(|g| !g.is_empty());
    if let Some(genre) = genre {
        check_len("genre", genre, 1, 64)?;
        let known: Option<i32> = with_db!(db, |pool| sqlx::query_scalar(
            "SELECT 1 FROM movie_genres WHERE lower(genre) = lower($1) LIMIT 1"
        )
        .bind(genre)
        .fetch_optional(pool)
        .await)?;
        if known.is_none() {
            return Err(AppError::bad_request(
                "unknown_genre",
                format!("unknown genre {genre:?}; GET /api/genres lists them"),
            ));
        }
    }
    let items = with_db!(db, |pool| sqlx::query_as(
        "SELECT m.id AS item_id, m.title, m.year, s.n AS ratings, s.mean AS average_rating \
         FROM movies m JOIN (SELECT movie_id, COUNT(rating) AS n, AVG(rating) AS mean \
         FROM feedback WHERE rating IS NOT NULL GROUP BY movie_id) s ON s.movie_id = m.id \
         WHERE ($1 IS NULL OR EXISTS (SELECT 1 FROM movie_genres g WHERE g.movie_id = m.id \
                AND lower(g.genre) = lower($2))) \
           AND ($3 IS NULL OR m.id NOT IN (SELECT movie_id FROM feedback WHERE user_id = $4)) \
         ORDER BY s.n DESC, s.mean DESC, m.id LIMIT $5",
    )
    .bind(genre)
    .bind(genre)
    .bind(user)
    .bind(user)
    .bind(n as i64)
    .fetch_all(pool)
    .await)?;
    Ok(PopularList {
        list: "popular",
        items,
    })
}

async fn popular_api(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiQuery(params): ApiQuery<PopularParams>,
) -> AppResult<Json<PopularList>> {
    let n = check_n(params.n)?;
    let user = user.0.map(|u| u.user.id);
    Ok(Json(
        popular(&state.db, user, params.genre.as_deref(), n).await?,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_parts() {
        assert_eq!(super::short_id("m.0bln8"), "0bln8");
        assert_eq!(super::short_id("p:scott"), "p:scott");
        assert_eq!(super::role_title("director"), "Director");
        assert_eq!(super::role_title(""), "");
    }
}
