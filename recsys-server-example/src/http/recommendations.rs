//! `GET /api/recommendations?list=&item=&genre=&n=`: the core's request and result shape,
//! with the user's current history read from the database for each request.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use recsys_core::prelude::{Filters, List, Query, Recommendations};
use serde::Deserialize;

use super::ApiQuery;
use crate::auth::MaybeUser;
use crate::error::{AppError, AppResult};
use crate::model::user_history;
use crate::state::AppState;

/// Default list length.
pub const DEFAULT_N: usize = 12;
/// Longest list a request may ask for.
pub const MAX_N: usize = 100;

/// The recommendations route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/recommendations", get(recommendations))
}

/// Checks `n` (default [`DEFAULT_N`], at most [`MAX_N`]).
///
/// # Errors
/// 400 outside 1..=MAX_N.
pub fn check_n(n: Option<usize>) -> AppResult<usize> {
    let n = n.unwrap_or(DEFAULT_N);
    if n == 0 || n > MAX_N {
        return Err(AppError::bad_request(
            "invalid_field",
            format!("`n` must be 1 to {MAX_N} (got {n})"),
        ));
    }
    Ok(n)
}

/// `GET /api/recommendations` parameters.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecParams {
    /// `for_you` (default), `trending`, `because_you_liked`, `by_genre`, `similar_to`.
    #[serde(default)]
    pub list: Option<String>,
    /// The seed movie of `because_you_liked` / `similar_to`.
    #[serde(default)]
    pub item: Option<String>,
    /// The genre of `by_genre`; a genre filter for the other lists.
    #[serde(default)]
    pub genre: Option<String>,
    /// List length.
    #[serde(default)]
    pub n: Option<usize>,
}

/// Builds the core query of the parameters.
///
/// # Errors
/// 400 for an unknown list, a missing `item` or `genre`, a bad `n`.
pub fn build_query(p: &RecParams) -> AppResult<Query> {
    let n = check_n(p.n)?;
    let item = || {
        p.item.as_deref().filter(|i| !i.is_empty()).ok_or_else(|| {
            AppError::bad_request("missing_field", "this list needs `item` (a movie id)")
        })
    };
    let genre = p.genre.as_deref().filter(|g| !g.is_empty());
    let list = match p.list.as_deref().unwrap_or("for_you") {
        "for_you" => List::ForYou,
        "trending" => List::Trending,
        "because_you_liked" => List::because_you_liked(item()?),
        "similar_to" => List::similar_to(item()?),
        "by_genre" => List::by_genre(genre.ok_or_else(|| {
            AppError::bad_request("missing_field", "`by_genre` needs `genre`")
        })?),
        other => {
            return Err(AppError::bad_request(
                "invalid_field",
                format!(
                    "unknown `list` {other:?} (for_you, trending, because_you_liked, by_genre, similar_to)"
                ),
            ))
        }
    };
    let mut filters = Filters::new();
    if let (Some(genre), false) = (genre, matches!(list, List::ByGenre { .. })) {
        filters = filters.genre(genre);
    }
    Ok(Query::new(list).n(n).filters(filters).explain(true))
}

/// Answers a recommendation request for a visitor (signed in: their history from the
/// database, folded in now; anonymous: an empty history). Watched, rated, disliked and
/// not-interested movies are left out (the core's default filters).
///
/// # Errors
/// 400 for bad parameters or an unknown genre, 404 for an unknown seed movie.
pub async fn recommend(
    state: &AppState,
    user: Option<i64>,
    query: &Query,
) -> AppResult<Recommendations> {
    let Some(user) = user else {
        return Ok(state.model.load().recommend(&Default::default(), query)?);
    };
    let history = user_history(&state.db, user).await?;
    let started = std::time::Instant::now();
    let answer = state.model.load().recommend(&history, query)?;
    state.metrics.observe_fold_in(started.elapsed());
    Ok(answer)
}

async fn recommendations(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiQuery(params): ApiQuery<RecParams>,
) -> AppResult<Json<Recommendations>> {
    let query = build_query(&params)?;
    let user = user.0.map(|u| u.user.id);
    Ok(Json(recommend(&state, user, &query).await?))
}
