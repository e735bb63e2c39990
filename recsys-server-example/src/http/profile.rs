//! Profile: `GET|PATCH /api/profile`, the onboarding quiz (`GET /api/onboarding/options`,
//! `GET|PUT /api/preferences`, `POST /api/onboarding/skip`), rating and watch history
//! (`GET /api/history/ratings|watched`) and simple statistics (`GET /api/stats`).
//!
//! Reads take an optional `?user=ID`: a user reads their own data; staff may read anyone's;
//! another user gets 403. Writes always change the caller's own account.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::discover::{person_labels, PersonLabel};
use super::feedback::HistoryEntry;
use super::{check_len, ApiJson, ApiQuery};
use crate::auth::{CurrentUser, User};
use crate::db::{now, Db, Tx};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::with_db;
use crate::with_tx;

/// The most favourite genres (and people) one quiz may name.
pub const MAX_FAVORITES: usize = 12;
/// The weight range of a favourite (stars).
pub const WEIGHTS: std::ops::RangeInclusive<i64> = 1..=3;
/// History page size when none is asked for; the largest allowed.
pub const PER_PAGE: u32 = 20;
const MAX_PER_PAGE: u32 = 100;

/// The profile routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/profile", get(profile_api).patch(update_profile_api))
        .route("/api/onboarding/options", get(options_api))
        .route("/api/onboarding/skip", post(skip_api))
        .route(
            "/api/preferences",
            get(preferences_api).put(set_preferences_api),
        )
        .route("/api/history/ratings", get(ratings_api))
        .route("/api/history/watched", get(watched_api))
        .route("/api/stats", get(stats_api))
}

/// `?user=` of the read routes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserParam {
    /// Whose data (default: the caller's; others' for staff only).
    #[serde(default)]
    pub user: Option<i64>,
}

/// The account whose data a request reads: the caller's own, or (staff only) another's.
///
/// # Errors
/// 403 for another user's id unless staff; 404 for an unknown id.
pub async fn target_user(db: &Db, caller: &CurrentUser, requested: Option<i64>) -> AppResult<i64> {
    let Some(id) = requested.filter(|&id| id != caller.user.id) else {
        return Ok(caller.user.id);
    };
    if !caller.user.is_staff {
        return Err(AppError::forbidden(
            "not_owner",
            "you may read your own profile and history only",
        ));
    }
    let found: Option<i64> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    found.ok_or_else(|| AppError::NotFound(format!("no user with id {id}")))
}

/// Reads an account.
///
/// # Errors
/// 404 for an unknown id.
pub async fn load_user(db: &Db, id: i64) -> AppResult<User> {
    with_db!(db, |pool| sqlx::query_as(
        "SELECT id, username, display_name, bio, is_staff, created_at FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?
    .ok_or_else(|| AppError::NotFound(format!("no user with id {id}")))
}

/// A favourite genre with its weight.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct GenrePick {
    /// Genre name (case-insensitive on input; the catalogue's spelling on output).
    pub genre: String,
    /// 1 to 3 stars.
    pub weight: i64,
}

/// A favourite person with its weight.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonPick {
    /// Person id.
    pub person_id: String,
    /// 1 to 3 stars.
    pub weight: i64,
}

/// A favourite person as answered: the pick and a readable label.
#[derive(Clone, Debug, Serialize)]
pub struct PersonFavorite {
    /// Person id.
    pub person_id: String,
    /// 1 to 3 stars.
    pub weight: i64,
    /// Who they are, for people.
    #[serde(flatten)]
    pub label: PersonLabel,
}

/// The quiz's answers.
#[derive(Clone, Debug, Serialize)]
pub struct Preferences {
    /// `pending` (not answered yet), `done` or `skipped`.
    pub onboarding: String,
    /// Favourite genres, heaviest first.
    pub genres: Vec<GenrePick>,
    /// Favourite people, heaviest first.
    pub people: Vec<PersonFavorite>,
}

/// `PUT /api/preferences` body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferencesUpdate {
    /// Favourite genres.
    #[serde(default)]
    pub genres: Vec<GenrePick>,
    /// Favourite people.
    #[serde(default)]
    pub people: Vec<PersonPick>,
}

/// The onboarding state of an account: `pending`, `done` or `skipped`.
///
/// # Errors
/// Database errors.
pub async fn onboarding_status(db: &Db, user: i64) -> AppResult<String> {
    let status: Option<String> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT status FROM onboarding WHERE user_id = $1"
    )
    .bind(user)
    .fetch_optional(pool)
    .await)?;
    Ok(status.unwrap_or_else(|| "pending".into()))
}

/// An account's favourites.
///
/// # Errors
/// Database errors.
pub async fn preferences(db: &Db, user: i64) -> AppResult<Preferences> {
    let genres: Vec<GenrePick> = with_db!(db, |pool| {
        sqlx::query_as(
        "SELECT genre, weight FROM favorite_genres WHERE user_id = $1 ORDER BY weight DESC, genre",
    )
    .bind(user)
    .fetch_all(pool)
    .await
    })?;
    let rows: Vec<(String, i64)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT person_id, weight FROM favorite_people WHERE user_id = $1 \
         ORDER BY weight DESC, person_id",
    )
    .bind(user)
    .fetch_all(pool)
    .await)?;
    let ids: Vec<String> = rows.iter().map(|(id, _)| id.clone()).collect();
    let labels = person_labels(db, &ids).await?;
    let people = rows
        .into_iter()
        .zip(labels)
        .map(|((person_id, weight), label)| PersonFavorite {
            person_id,
            weight,
            label,
        })
        .collect();
    Ok(Preferences {
        onboarding: onboarding_status(db, user).await?,
        genres,
        people,
    })
}

fn check_weight(what: &str, name: &str, weight: i64) -> AppResult<()> {
    if !WEIGHTS.contains(&weight) {
        return Err(AppError::bad_request(
            "invalid_weight",
            format!(
                "the weight of {what} {name:?} must be {} to {} stars (got {weight})",
                WEIGHTS.start(),
                WEIGHTS.end()
            ),
        ));
    }
    Ok(())
}

/// Validates and stores the quiz's answers (replacing earlier ones) and marks the quiz done,
/// in one transaction committed before returning.
///
/// # Errors
/// 400 for too many picks, a weight outside 1–3, an unknown genre or person, a repeated pick.
pub async fn set_preferences(db: &Db, user: i64, update: &PreferencesUpdate) -> AppResult<()> {
    if update.genres.len() > MAX_FAVORITES || update.people.len() > MAX_FAVORITES {
        return Err(AppError::bad_request(
            "too_many_favorites",
            format!("name at most {MAX_FAVORITES} genres and {MAX_FAVORITES} people"),
        ));
    }
    let known: Vec<String> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT DISTINCT genre FROM movie_genres"
    )
    .fetch_all(pool)
    .await)?;
    let mut genres: Vec<(String, i64)> = Vec::new();
    for pick in &update.genres {
        check_len("genre", &pick.genre, 1, 64)?;
        check_weight("genre", &pick.genre, pick.weight)?;
        let name = known
            .iter()
            .find(|g| g.eq_ignore_ascii_case(pick.genre.trim()))
            .ok_or_else(|| {
                AppError::bad_request(
                    "unknown_genre",
                    format!("unknown genre {:?}; GET /api/genres lists them", pick.genre),
                )
            })?;
        if genres.iter().any(|(g, _)| g == name) {
            return Err(AppError::bad_request(
                "duplicate_favorite",
                format!("genre {name:?} is named twice"),
            ));
        }
        genres.push((name.clone(), pick.weight));
    }
    let mut people: Vec<(&str, i64)> = Vec::new();
    for pick in &update.people {
        check_len("person_id", &pick.person_id, 1, 64)?;
        check_weight("person", &pick.person_id, pick.weight)?;
        let found: Option<i32> = with_db!(db, |pool| sqlx::query_scalar(
            "SELECT 1 FROM people WHERE id = $1"
        )
        .bind(&pick.person_id)
        .fetch_optional(pool)
        .await)?;
        if found.is_none() {
            return Err(AppError::bad_request(
                "unknown_person",
                format!("unknown person {:?}", pick.person_id),
            ));
        }
        if people.iter().any(|(p, _)| *p == pick.person_id) {
            return Err(AppError::bad_request(
                "duplicate_favorite",
                format!("person {:?} is named twice", pick.person_id),
            ));
        }
        people.push((pick.person_id.as_str(), pick.weight));
    }
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| sqlx::query(
        "DELETE FROM favorite_genres WHERE user_id = $1"
    )
    .bind(user)
    .execute(&mut **conn)
    .await
    .map(|done| done.rows_affected()))?;
    with_tx!(&mut tx, |conn| sqlx::query(
        "DELETE FROM favorite_people WHERE user_id = $1"
    )
    .bind(user)
    .execute(&mut **conn)
    .await
    .map(|done| done.rows_affected()))?;
    for (genre, weight) in &genres {
        with_tx!(&mut tx, |conn| sqlx::query(
            "INSERT INTO favorite_genres (user_id, genre, weight) VALUES ($1, $2, $3)"
        )
        .bind(user)
        .bind(genre)
        .bind(weight)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected()))?;
    }
    for (person, weight) in &people {
        with_tx!(&mut tx, |conn| sqlx::query(
            "INSERT INTO favorite_people (user_id, person_id, weight) VALUES ($1, $2, $3)"
        )
        .bind(user)
        .bind(person)
        .bind(weight)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected()))?;
    }
    set_onboarding(&mut tx, user, "done").await?;
    tx.commit().await?;
    Ok(())
}

async fn set_onboarding(tx: &mut Tx, user: i64, status: &str) -> AppResult<()> {
    with_tx!(tx, |conn| sqlx::query(
        "INSERT INTO onboarding (user_id, status, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, \
         updated_at = excluded.updated_at",
    )
    .bind(user)
    .bind(status)
    .bind(now())
    .execute(&mut **conn)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
}

/// Marks the quiz skipped (an answered quiz stays answered).
///
/// # Errors
/// Database errors.
pub async fn skip_onboarding(db: &Db, user: i64) -> AppResult<String> {
    if onboarding_status(db, user).await? == "done" {
        return Ok("done".into());
    }
    let mut tx = db.begin().await?;
    set_onboarding(&mut tx, user, "skipped").await?;
    tx.commit().await?;
    Ok("skipped".into())
}

/// A genre the quiz offers.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct GenreOption {
    /// Genre name.
    pub genre: String,
    /// Movies of the genre.
    pub movies: i64,
}

/// A person the quiz offers.
#[derive(Clone, Debug, Serialize)]
pub struct PersonOption {
    /// Person id.
    pub person_id: String,
    /// Who they are.
    #[serde(flatten)]
    pub label: PersonLabel,
}

/// What the quiz offers: every genre and the people whose movies are rated most.
#[derive(Clone, Debug, Serialize)]
pub struct QuizOptions {
    /// Genres with their number of movies.
    pub genres: Vec<GenreOption>,
    /// Directors and actors of the most rated movies.
    pub people: Vec<PersonOption>,
    /// Allowed weights.
    pub weights: [i64; 2],
}

/// The quiz's choices: all genres (except "unknown") and the 24 directors and leading actors
/// whose movies have the most ratings.
///
/// # Errors
/// Database errors.
pub async fn quiz_options(db: &Db) -> AppResult<QuizOptions> {
    let genres: Vec<GenreOption> = with_db!(db, |pool| sqlx::query_as(
        "SELECT genre, COUNT(*) AS movies FROM movie_genres WHERE lower(genre) <> 'unknown' \
         GROUP BY genre ORDER BY genre",
    )
    .fetch_all(pool)
    .await)?;
    let ids: Vec<String> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT c.person_id FROM credits c \
         JOIN (SELECT movie_id, COUNT(*) AS n FROM feedback WHERE rating IS NOT NULL \
               GROUP BY movie_id) s ON s.movie_id = c.movie_id \
         WHERE c.role IN ('director', 'actor') \
         GROUP BY c.person_id ORDER BY SUM(s.n) DESC, c.person_id LIMIT 24",
    )
    .fetch_all(pool)
    .await)?;
    let labels = person_labels(db, &ids).await?;
    Ok(QuizOptions {
        genres,
        people: ids
            .into_iter()
            .zip(labels)
            .map(|(person_id, label)| PersonOption { person_id, label })
            .collect(),
        weights: [*WEIGHTS.start(), *WEIGHTS.end()],
    })
}

/// `?page=&per_page=&user=` of the history routes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    /// 1-based page.
    #[serde(default)]
    pub page: Option<u32>,
    /// Entries per page, 1–100 (default 20).
    #[serde(default)]
    pub per_page: Option<u32>,
    /// Whose history (staff only for another user).
    #[serde(default)]
    pub user: Option<i64>,
}

/// A page of history.
#[derive(Debug, Serialize)]
pub struct HistoryPage {
    /// Entries, newest first.
    pub items: Vec<HistoryEntry>,
    /// 1-based page.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
    /// All entries.
    pub total: i64,
}

/// Which history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryKind {
    /// Movies with stars.
    Ratings,
    /// Movies marked watched.
    Watched,
}

/// Checks `page` (1–10000) and `per_page` (1–100).
///
/// # Errors
/// 400 naming the parameter.
pub fn check_page(page: Option<u32>, per_page: Option<u32>) -> AppResult<(u32, u32)> {
    let page = page.unwrap_or(1);
    if page == 0 || page > 10_000 {
        return Err(AppError::bad_request(
            "invalid_field",
            format!("`page` must be 1 to 10000 (got {page})"),
        ));
    }
    let per_page = per_page.unwrap_or(PER_PAGE);
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(AppError::bad_request(
            "invalid_field",
            format!("`per_page` must be 1 to {MAX_PER_PAGE} (got {per_page})"),
        ));
    }
    Ok((page, per_page))
}

/// One page of an account's rating or watch history, newest first.
///
/// # Errors
/// 400 for a bad page; database errors.
pub async fn history_page(
    db: &Db,
    user: i64,
    kind: HistoryKind,
    page: Option<u32>,
    per_page: Option<u32>,
) -> AppResult<HistoryPage> {
    let (page, per_page) = check_page(page, per_page)?;
    let kind = match kind {
        HistoryKind::Ratings => "ratings",
        HistoryKind::Watched => "watched",
    };
    let total: i64 = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM feedback f WHERE f.user_id = $1 \
         AND CASE $2 WHEN 'ratings' THEN f.rating IS NOT NULL ELSE f.watched END",
    )
    .bind(user)
    .bind(kind)
    .fetch_one(pool)
    .await)?;
    let items = with_db!(db, |pool| sqlx::query_as(
        "SELECT f.movie_id, m.title, m.year, f.rating, f.opinion, f.watched, f.updated_at \
         FROM feedback f JOIN movies m ON m.id = f.movie_id WHERE f.user_id = $1 \
         AND CASE $2 WHEN 'ratings' THEN f.rating IS NOT NULL ELSE f.watched END \
         ORDER BY f.updated_at DESC, f.rowid DESC LIMIT $3 OFFSET $4",
    )
    .bind(user)
    .bind(kind)
    .bind(i64::from(per_page))
    .bind(i64::from(page - 1) * i64::from(per_page))
    .fetch_all(pool)
    .await)?;
    Ok(HistoryPage {
        items,
        page,
        per_page,
        total,
    })
}

/// Ratings of one genre.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct GenreStat {
    /// Genre.
    pub genre: String,
    /// Rated movies of the genre.
    pub count: i64,
    /// Their mean stars.
    pub average: f64,
}

/// Activity in one period.
#[derive(Clone, Debug, Serialize)]
pub struct ActivityStat {
    /// `YYYY-MM-DD` (daily) or `YYYY-MM` (monthly).
    pub period: String,
    /// Feedback changes in the period (a movie counts once, at its last change).
    pub count: i64,
}

/// Simple statistics of an account.
#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    /// Rated movies.
    pub ratings: i64,
    /// Their mean stars.
    pub average_rating: Option<f64>,
    /// Movies marked watched.
    pub watched: i64,
    /// Liked movies.
    pub likes: i64,
    /// Ratings per genre, most first.
    pub per_genre: Vec<GenreStat>,
    /// `day` or `month`.
    pub activity_unit: String,
    /// Activity over time, oldest first, gaps filled with zeros.
    pub activity: Vec<ActivityStat>,
}

/// Longest activity series.
const MAX_PERIODS: usize = 36;

/// An account's statistics: counts, ratings per genre, activity per day (a history spanning
/// up to 45 days) or per month.
///
/// # Errors
/// Database errors.
pub async fn stats(db: &Db, user: i64) -> AppResult<Stats> {
    let (ratings, average_rating, watched, likes): (i64, Option<f64>, i64, i64) =
        with_db!(db, |pool| sqlx::query_as(
            "SELECT COUNT(rating), AVG(rating), \
         COALESCE(SUM(CASE WHEN watched THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN opinion = 'like' THEN 1 ELSE 0 END), 0) \
         FROM feedback WHERE user_id = $1",
        )
        .bind(user)
        .fetch_one(pool)
        .await)?;
    let per_genre = with_db!(db, |pool| sqlx::query_as(
        "SELECT g.genre, COUNT(*) AS count, AVG(f.rating) AS average \
         FROM feedback f JOIN movie_genres g ON g.movie_id = f.movie_id \
         WHERE f.user_id = $1 AND f.rating IS NOT NULL \
         GROUP BY g.genre ORDER BY count DESC, g.genre",
    )
    .bind(user)
    .fetch_all(pool)
    .await)?;
    let times: Vec<i64> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT updated_at FROM feedback WHERE user_id = $1 ORDER BY updated_at"
    )
    .bind(user)
    .fetch_all(pool)
    .await)?;
    let (activity_unit, activity) = activity(&times);
    Ok(Stats {
        ratings,
        average_rating,
        watched,
        likes,
        per_genre,
        activity_unit: activity_unit.into(),
        activity,
    })
}

/// Days since the epoch → (year, month, day) in the proleptic Gregorian calendar (UTC), by
/// Howard Hinnant's days-to-civil algorithm.
pub fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Buckets sorted timestamps per day (span ≤ 45 days) or per month, gaps filled, the last
/// [`MAX_PERIODS`] periods kept.
fn activity(times: &[i64]) -> (&'static str, Vec<ActivityStat>) {
    let (Some(&first), Some(&last)) = (times.first(), times.last()) else {
        return ("day", Vec::new());
    };
    let day = |t: i64| t.div_euclid(86_400);
    let daily = day(last) - day(first) <= 45;
    let bucket = |t: i64| -> i64 {
        if daily {
            day(t)
        } else {
            let (y, m, _) = civil(day(t));
            y * 12 + (m - 1)
        }
    };
    let (start, end) = (bucket(first), bucket(last));
    // At least two weeks of days (a new account's one busy day is a column, not a wall).
    let start = if daily { start.min(end - 13) } else { start };
    let start = start.max(end - MAX_PERIODS as i64 + 1);
    let mut counts = vec![0i64; (end - start + 1) as usize];
    for &t in times {
        let b = bucket(t);
        if b >= start {
            counts[(b - start) as usize] += 1;
        }
    }
    let series = counts
        .into_iter()
        .enumerate()
        .map(|(k, count)| {
            let b = start + k as i64;
            let period = if daily {
                let (y, m, d) = civil(b);
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{:04}-{:02}", b.div_euclid(12), b.rem_euclid(12) + 1)
            };
            ActivityStat { period, count }
        })
        .collect();
    (if daily { "day" } else { "month" }, series)
}

/// The profile answer.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileAnswer {
    /// The account.
    pub user: User,
    /// The quiz's answers.
    pub preferences: Preferences,
}

async fn profile_api(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiQuery(params): ApiQuery<UserParam>,
) -> AppResult<Json<ProfileAnswer>> {
    let id = target_user(&state.db, &caller, params.user).await?;
    Ok(Json(ProfileAnswer {
        user: load_user(&state.db, id).await?,
        preferences: preferences(&state.db, id).await?,
    }))
}

/// `PATCH /api/profile` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileEdit {
    /// 1–64 characters.
    #[serde(default)]
    pub display_name: Option<String>,
    /// 0–2000 characters.
    #[serde(default)]
    pub bio: Option<String>,
}

/// Changes the caller's display name and bio (committed before returning).
///
/// # Errors
/// 400 for a length out of range.
pub async fn edit_profile(db: &Db, user: &User, edit: ProfileEdit) -> AppResult<User> {
    let display_name = match edit.display_name {
        Some(name) => name.trim().to_string(),
        None => user.display_name.clone(),
    };
    check_len("display_name", &display_name, 1, 64)?;
    if display_name.chars().any(char::is_control) {
        return Err(AppError::bad_request(
            "invalid_field",
            "`display_name` may not hold control characters",
        ));
    }
    let bio = edit.bio.unwrap_or_else(|| user.bio.clone());
    check_len("bio", &bio, 0, 2000)?;
    with_db!(db, |pool| sqlx::query(
        "UPDATE users SET display_name = $1, bio = $2 WHERE id = $3"
    )
    .bind(&display_name)
    .bind(&bio)
    .bind(user.id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    load_user(db, user.id).await
}

async fn update_profile_api(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiJson(body): ApiJson<ProfileEdit>,
) -> AppResult<Json<User>> {
    Ok(Json(edit_profile(&state.db, &caller.user, body).await?))
}

async fn options_api(State(state): State<AppState>) -> AppResult<Json<QuizOptions>> {
    Ok(Json(quiz_options(&state.db).await?))
}

async fn preferences_api(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiQuery(params): ApiQuery<UserParam>,
) -> AppResult<Json<Preferences>> {
    let id = target_user(&state.db, &caller, params.user).await?;
    Ok(Json(preferences(&state.db, id).await?))
}

async fn set_preferences_api(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiJson(body): ApiJson<PreferencesUpdate>,
) -> AppResult<Json<Preferences>> {
    set_preferences(&state.db, caller.user.id, &body).await?;
    Ok(Json(preferences(&state.db, caller.user.id).await?))
}

async fn skip_api(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> AppResult<Json<serde_json::Value>> {
    let status = skip_onboarding(&state.db, caller.user.id).await?;
    Ok(Json(serde_json::json!({"onboarding": status})))
}

async fn ratings_api(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiQuery(p): ApiQuery<HistoryParams>,
) -> AppResult<Json<HistoryPage>> {
    let id = target_user(&state.db, &caller, p.user).await?;
    let page = history_page(&state.db, id, HistoryKind::Ratings, p.page, p.per_page).await?;
    Ok(Json(page))
}

async fn watched_api(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiQuery(p): ApiQuery<HistoryParams>,
) -> AppResult<Json<HistoryPage>> {
    let id = target_user(&state.db, &caller, p.user).await?;
    let page = history_page(&state.db, id, HistoryKind::Watched, p.page, p.per_page).await?;
    Ok(Json(page))
}

async fn stats_api(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiQuery(params): ApiQuery<UserParam>,
) -> AppResult<Json<Stats>> {
    let id = target_user(&state.db, &caller, params.user).await?;
    Ok(Json(stats(&state.db, id).await?))
}

#[cfg(test)]
mod tests {
    use super::{activity, civil};

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(19_723), (2024, 1, 1));
        assert_eq!(civil(11_016), (2000, 2, 29));
    }

    #[test]
    fn activity_per_day_and_month() {
        let (unit, days) = activity(&[20 * 86_400, 20 * 86_400 + 10, 22 * 86_400]);
        assert_eq!(unit, "day");
        let counts: Vec<i64> = days.iter().map(|d| d.count).collect();
        assert_eq!(counts.len(), 14, "two weeks at least");
        assert_eq!(counts[11..], [2, 0, 1]);
        assert_eq!(days[13].period, "1970-01-23");
        let (unit, months) = activity(&[0, 100 * 86_400]);
        assert_eq!(unit, "month");
        assert_eq!(months.len(), 4);
        assert_eq!(months[3].period, "1970-04");
        assert!(activity(&[]).1.is_empty());
    }
}
