//! Catalogue editing (staff only): movies, tags and people.
//!
//! `POST /api/admin/movies`, `PATCH|DELETE /api/admin/movies/{id}`,
//! `PATCH|DELETE /api/admin/tags/{tag}` (rename / remove everywhere),
//! `POST /api/admin/people`, `PATCH|DELETE /api/admin/people/{id}`.
//!
//! Edits are committed before the answer; search reads the tables, so it sees them at once;
//! the model sees them at the next training (the dataset is read from these tables).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{check_len, ApiJson};
use crate::auth::StaffUser;
use crate::db::{search_key, Db, Tx};
use crate::error::{AppError, AppResult};
use crate::model::parse_role;
use crate::state::AppState;
use crate::with_db;
use crate::with_tx;

/// Most genres or tags on one movie.
pub const MAX_LABELS: usize = 50;
/// Most cast and crew credits on one movie.
pub const MAX_CREDITS: usize = 500;

/// The catalogue-editing routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/movies", post(create_movie))
        .route(
            "/api/admin/movies/{id}",
            patch(update_movie).delete(delete_movie),
        )
        .route(
            "/api/admin/tags/{tag}",
            patch(rename_tag).delete(delete_tag),
        )
        .route("/api/admin/people", post(create_person))
        .route(
            "/api/admin/people/{id}",
            patch(update_person).delete(delete_person),
        )
}

/// One credit of a movie.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CreditBody {
    /// Person id.
    pub person_id: String,
    /// `actor`, `director`, `writer` or `producer`.
    pub role: String,
}

/// A movie as the admin writes it. On create, `title` is required; on update, absent fields
/// are kept and present lists replace the movie's whole list.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MovieBody {
    /// Id (create only; default: the next free number).
    #[serde(default)]
    pub id: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Year (`null` clears it on update).
    #[serde(default, deserialize_with = "double_option")]
    pub year: Option<Option<i32>>,
    /// Synopsis.
    #[serde(default)]
    pub synopsis: Option<String>,
    /// Poster URL (`https://…`; empty clears it).
    #[serde(default)]
    pub poster_url: Option<String>,
    /// Genres.
    #[serde(default)]
    pub genres: Option<Vec<String>>,
    /// Tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Cast and crew.
    #[serde(default)]
    pub people: Option<Vec<CreditBody>>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i32>>, D::Error> {
    Option::<i32>::deserialize(d).map(Some)
}

/// `{"name"}` body of tags and people.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameBody {
    /// Person id (create only; default: derived from the name).
    #[serde(default)]
    pub id: Option<String>,
    /// The new name.
    pub name: String,
}

/// Checks an id: 1–64 characters of letters, digits, `_ - : .`.
///
/// # Errors
/// 400 naming `field`.
pub fn check_id(field: &str, id: &str) -> AppResult<()> {
    check_len(field, id, 1, 64)?;
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))
    {
        return Err(AppError::bad_request(
            "invalid_field",
            format!("`{field}` may hold letters, digits, `_`, `-`, `:` and `.` only"),
        ));
    }
    Ok(())
}

fn clean_labels(field: &str, labels: &[String], max_len: usize) -> AppResult<Vec<String>> {
    if labels.len() > MAX_LABELS {
        return Err(AppError::bad_request(
            "invalid_field",
            format!("`{field}` holds at most {MAX_LABELS} values"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for label in labels {
        let label = label.trim().to_string();
        check_len(field, &label, 1, max_len)?;
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&label)) {
            out.push(label);
        }
    }
    Ok(out)
}

struct CleanMovie {
    title: Option<String>,
    year: Option<Option<i32>>,
    synopsis: Option<String>,
    poster_url: Option<Option<String>>,
    genres: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    people: Option<Vec<(String, String)>>,
}

fn clean_movie(body: &MovieBody) -> AppResult<CleanMovie> {
    let title = match &body.title {
        Some(t) => {
            let t = t.trim().to_string();
            check_len("title", &t, 1, 200)?;
            Some(t)
        }
        None => None,
    };
    if let Some(Some(year)) = body.year {
        if !(1870..=2100).contains(&year) {
            return Err(AppError::bad_request(
                "invalid_field",
                format!("`year` must be 1870 to 2100 (got {year})"),
            ));
        }
    }
    if let Some(s) = &body.synopsis {
        check_len("synopsis", s, 0, 5000)?;
    }
    let poster_url = match body.poster_url.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(url) => {
            check_len("poster_url", url, 1, 500)?;
            if !url.starts_with("https://") || url.contains(['"', '<', '>', ' ']) {
                return Err(AppError::bad_request(
                    "invalid_field",
                    "`poster_url` must be an https:// URL",
                ));
            }
            Some(Some(url.to_string()))
        }
    };
    let people = match &body.people {
        Some(people) => {
            if people.len() > MAX_CREDITS {
                return Err(AppError::bad_request(
                    "invalid_field",
                    format!("`people` holds at most {MAX_CREDITS} credits"),
                ));
            }
            let mut out = Vec::new();
            for c in people {
                check_id("person_id", &c.person_id)?;
                let role = parse_role(&c.role).ok_or_else(|| {
                    AppError::bad_request(
                        "invalid_field",
                        format!(
                            "unknown role {:?} (actor, director, writer, producer)",
                            c.role
                        ),
                    )
                })?;
                let pair = (c.person_id.clone(), role.as_str().to_string());
                if !out.contains(&pair) {
                    out.push(pair);
                }
            }
            Some(out)
        }
        None => None,
    };
    Ok(CleanMovie {
        title,
        year: body.year,
        synopsis: body.synopsis.clone(),
        poster_url,
        genres: body
            .genres
            .as_deref()
            .map(|g| clean_labels("genres", g, 40))
            .transpose()?,
        tags: body
            .tags
            .as_deref()
            .map(|t| clean_labels("tags", t, 60))
            .transpose()?,
        people,
    })
}

async fn write_labels(tx: &mut Tx, id: &str, movie: &CleanMovie) -> AppResult<()> {
    // (labels, delete the movie's, insert one): genres and tags.
    let label_sets = [
        (
            &movie.genres,
            "DELETE FROM movie_genres WHERE movie_id = $1",
            "INSERT INTO movie_genres (movie_id, genre) VALUES ($1, $2)",
        ),
        (
            &movie.tags,
            "DELETE FROM movie_tags WHERE movie_id = $1",
            "INSERT INTO movie_tags (movie_id, tag) VALUES ($1, $2)",
        ),
    ];
    for (labels, clear, insert) in label_sets {
        let Some(labels) = labels else { continue };
        with_tx!(&mut *tx, |conn| sqlx::query(clear)
            .bind(id)
            .execute(&mut **conn)
            .await
            .map(|done| done.rows_affected()))?;
        for label in labels {
            with_tx!(&mut *tx, |conn| sqlx::query(insert)
                .bind(id)
                .bind(label)
                .execute(&mut **conn)
                .await
                .map(|done| done.rows_affected()))?;
        }
    }
    if let Some(people) = &movie.people {
        with_tx!(&mut *tx, |conn| sqlx::query(
            "DELETE FROM credits WHERE movie_id = $1"
        )
        .bind(id)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected()))?;
        for (person, role) in people {
            let known: Option<i32> = with_tx!(&mut *tx, |conn| sqlx::query_scalar(
                "SELECT 1 FROM people WHERE id = $1"
            )
            .bind(person)
            .fetch_optional(&mut **conn)
            .await)?;
            if known.is_none() {
                return Err(AppError::bad_request(
                    "unknown_person",
                    format!("no person {person:?}: create them first"),
                ));
            }
            with_tx!(&mut *tx, |conn| sqlx::query(
                "INSERT INTO credits (movie_id, person_id, role) VALUES ($1, $2, $3)"
            )
            .bind(id)
            .bind(person)
            .bind(role)
            .execute(&mut **conn)
            .await
            .map(|done| done.rows_affected()))?;
        }
    }
    Ok(())
}

async fn next_movie_id(db: &Db) -> AppResult<String> {
    // The largest all-digit id, found here rather than in SQL: GLOB is SQLite's and the
    // catalogue is small (this runs when staff add a movie).
    let ids: Vec<String> = with_db!(db, |pool| sqlx::query_scalar("SELECT id FROM movies")
        .fetch_all(pool)
        .await)?;
    let max = ids
        .iter()
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|id| id.parse::<i64>().ok())
        .max();
    Ok((max.unwrap_or(0) + 1).to_string())
}

async fn create_movie(
    State(state): State<AppState>,
    _staff: StaffUser,
    ApiJson(body): ApiJson<MovieBody>,
) -> AppResult<Response> {
    let movie = clean_movie(&body)?;
    let title = movie
        .title
        .clone()
        .ok_or_else(|| AppError::bad_request("missing_field", "a movie needs `title`"))?;
    let id = match &body.id {
        Some(id) => {
            check_id("id", id)?;
            id.clone()
        }
        None => next_movie_id(&state.db).await?,
    };
    let mut tx = state.db.begin().await?;
    with_tx!(&mut tx, |conn| sqlx::query(
        "INSERT INTO movies (id, title, title_key, year, synopsis, poster_url) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&title)
    .bind(search_key(&title))
    .bind(movie.year.flatten())
    .bind(movie.synopsis.clone().unwrap_or_default())
    .bind(movie.poster_url.clone().flatten())
    .execute(&mut **conn)
    .await
    .map(|done| done.rows_affected()))
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::Conflict(format!("movie {id:?} exists")),
        other => other,
    })?;
    write_labels(&mut tx, &id, &movie).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "created": true})),
    )
        .into_response())
}

async fn update_movie(
    State(state): State<AppState>,
    _staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MovieBody>,
) -> AppResult<Json<Value>> {
    check_len("id", &id, 1, 64)?;
    if body.id.as_deref().is_some_and(|new| new != id) {
        return Err(AppError::bad_request(
            "invalid_field",
            "a movie's `id` cannot change",
        ));
    }
    let movie = clean_movie(&body)?;
    let mut tx = state.db.begin().await?;
    let found = with_tx!(&mut tx, |conn| sqlx::query(
        "UPDATE movies SET title = COALESCE($1, title), title_key = COALESCE($2, title_key), \
         year = CASE WHEN $3 THEN $4 ELSE year END, synopsis = COALESCE($5, synopsis), \
         poster_url = CASE WHEN $6 THEN $7 ELSE poster_url END WHERE id = $8",
    )
    .bind(&movie.title)
    .bind(movie.title.as_deref().map(search_key))
    .bind(movie.year.is_some())
    .bind(movie.year.flatten())
    .bind(&movie.synopsis)
    .bind(movie.poster_url.is_some())
    .bind(movie.poster_url.clone().flatten())
    .bind(&id)
    .execute(&mut **conn)
    .await
    .map(|done| done.rows_affected()))?;
    if found == 0 {
        return Err(AppError::NotFound(format!("no movie with id {id:?}")));
    }
    write_labels(&mut tx, &id, &movie).await?;
    tx.commit().await?;
    Ok(Json(json!({"id": id, "updated": true})))
}

async fn delete_movie(
    State(state): State<AppState>,
    _staff: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    check_len("id", &id, 1, 64)?;
    delete_where(&state.db, "DELETE FROM movies WHERE id = $1", &id, || {
        format!("no movie with id {id:?}")
    })
    .await?;
    Ok(Json(json!({"id": id, "deleted": true})))
}

async fn rename_tag(
    State(state): State<AppState>,
    _staff: StaffUser,
    Path(tag): Path<String>,
    ApiJson(body): ApiJson<NameBody>,
) -> AppResult<Json<Value>> {
    check_len("tag", &tag, 1, 60)?;
    if body.id.is_some() {
        return Err(AppError::bad_request("invalid_field", "a tag has no `id`"));
    }
    let name = body.name.trim().to_string();
    check_len("name", &name, 1, 60)?;
    let mut tx = state.db.begin().await?;
    // Movies that already carry the new name keep one copy.
    with_tx!(&mut tx, |conn| sqlx::query(
        "DELETE FROM movie_tags WHERE tag = $1 AND movie_id IN \
         (SELECT movie_id FROM movie_tags WHERE tag = $2)",
    )
    .bind(&tag)
    .bind(&name)
    .execute(&mut **conn)
    .await
    .map(|done| done.rows_affected()))?;
    let n = with_tx!(&mut tx, |conn| sqlx::query(
        "UPDATE movie_tags SET tag = $1 WHERE tag = $2"
    )
    .bind(&name)
    .bind(&tag)
    .execute(&mut **conn)
    .await
    .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(Json(json!({"tag": name, "movies": n})))
}

async fn delete_tag(
    State(state): State<AppState>,
    _staff: StaffUser,
    Path(tag): Path<String>,
) -> AppResult<Json<Value>> {
    check_len("tag", &tag, 1, 60)?;
    let n = delete_where(
        &state.db,
        "DELETE FROM movie_tags WHERE tag = $1",
        &tag,
        || format!("no tag {tag:?}"),
    )
    .await?;
    Ok(Json(json!({"tag": tag, "deleted": true, "movies": n})))
}

fn person_id_of(name: &str) -> String {
    let slug: String = name
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug = slug.trim_matches('-').chars().take(50).collect::<String>();
    format!("p:{}", if slug.is_empty() { "person" } else { &slug })
}

async fn create_person(
    State(state): State<AppState>,
    _staff: StaffUser,
    ApiJson(body): ApiJson<NameBody>,
) -> AppResult<Response> {
    let name = body.name.trim().to_string();
    check_len("name", &name, 1, 120)?;
    let id = body.id.clone().unwrap_or_else(|| person_id_of(&name));
    check_id("id", &id)?;
    with_db!(&state.db, |pool| sqlx::query(
        "INSERT INTO people (id, name) VALUES ($1, $2)"
    )
    .bind(&id)
    .bind(&name)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::Conflict(format!("person {id:?} exists")),
        other => other,
    })?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "name": name}))).into_response())
}

async fn update_person(
    State(state): State<AppState>,
    _staff: StaffUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NameBody>,
) -> AppResult<Json<Value>> {
    check_len("id", &id, 1, 64)?;
    if body.id.as_deref().is_some_and(|new| new != id) {
        return Err(AppError::bad_request(
            "invalid_field",
            "a person's `id` cannot change",
        ));
    }
    let name = body.name.trim().to_string();
    check_len("name", &name, 1, 120)?;
    let n = with_db!(&state.db, |pool| sqlx::query(
        "UPDATE people SET name = $1 WHERE id = $2"
    )
    .bind(&name)
    .bind(&id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    if n == 0 {
        return Err(AppError::NotFound(format!("no person {id:?}")));
    }
    Ok(Json(json!({"id": id, "name": name})))
}

async fn delete_person(
    State(state): State<AppState>,
    _staff: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    check_len("id", &id, 1, 64)?;
    delete_where(&state.db, "DELETE FROM people WHERE id = $1", &id, || {
        format!("no person {id:?}")
    })
    .await?;
    Ok(Json(json!({"id": id, "deleted": true})))
}

/// Runs a one-key `DELETE` and answers 404 (`missing()`) when it removed nothing; the number
/// of rows removed otherwise.
async fn delete_where(
    db: &Db,
    sql: &'static str,
    key: &str,
    missing: impl FnOnce() -> String,
) -> AppResult<u64> {
    let n = with_db!(db, |pool| sqlx::query(sql)
        .bind(key)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
    if n == 0 {
        return Err(AppError::NotFound(missing()));
    }
    Ok(n)
}
