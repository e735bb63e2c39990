//! Natural-language discovery: `GET /api/discover?q=&n=` (JSON) and the `/discover?q=` page
//! ("feel-good sci-fi from the 90s", "dark crime like Fargo"). The core reads the query's
//! constraints and embeds its other words with a vocabulary derived from the model itself, so
//! the server runs no text model; a signed-in user's history (read now) steers the ranking.

use askama::Template;
use axum::extract::{Query as QueryParams, State};
use axum::routing::get;
use axum::{Json, Router};
use recsys_core::recommender::{Discovery, UserHistory};
use serde::Deserialize;

use super::pages::{hue, render, Card, Nav, PageResult};
use super::recommendations::check_n;
use super::{check_len, ApiQuery};
use crate::auth::MaybeUser;
use crate::error::AppResult;
use crate::model::user_history;
use crate::state::AppState;

/// Longest query, in characters.
const MAX_QUERY_CHARS: usize = 300;

/// The discovery routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/discover", get(discover_api))
        .route("/discover", get(discover_page))
}

/// `GET /api/discover` parameters.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoverParams {
    /// The query, in words.
    pub q: String,
    /// How many movies (default 12, at most 100).
    #[serde(default)]
    pub n: Option<usize>,
}

/// Answers a query for a visitor (signed in: their current history; anonymous: none).
///
/// # Errors
/// 400 for an empty or over-long query or a bad `n`.
pub async fn discover(
    state: &AppState,
    user: Option<i64>,
    q: &str,
    n: Option<usize>,
) -> AppResult<Discovery> {
    check_len("q", q, 1, MAX_QUERY_CHARS)?;
    let n = check_n(n)?;
    let history = match user {
        Some(user) => user_history(&state.db, user).await?,
        None => UserHistory::new(),
    };
    Ok(state.model.load().discover(&history, q, n)?)
}

async fn discover_api(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiQuery(params): ApiQuery<DiscoverParams>,
) -> AppResult<Json<Discovery>> {
    let user = user.0.map(|u| u.user.id);
    Ok(Json(
        discover(&state, user, params.q.trim(), params.n).await?,
    ))
}

#[derive(Template)]
#[template(path = "discover.html")]
struct DiscoverPage {
    nav: Nav,
    q: String,
    /// What the query was read as ("Genres: Sci-Fi · Years: 1990s · Like: Fargo (1996)").
    read_as: Vec<String>,
    error: Option<String>,
    cards: Vec<Card>,
}

/// The page's raw parameters (the form may send an empty query).
#[derive(Clone, Debug, Default, Deserialize)]
struct DiscoverPageParams {
    #[serde(default)]
    q: String,
}

async fn discover_page(
    State(state): State<AppState>,
    user: MaybeUser,
    QueryParams(raw): QueryParams<DiscoverPageParams>,
) -> PageResult {
    let nav = Nav::of(&user.0);
    let q = raw.q.trim().to_string();
    let (mut read_as, mut error, mut cards) = (Vec::new(), None, Vec::new());
    if !q.is_empty() {
        match discover(&state, user.0.map(|u| u.user.id), &q, Some(24)).await {
            Ok(found) => {
                read_as = describe(&found);
                cards = found
                    .items
                    .iter()
                    .map(|r| Card {
                        id: r.item_id.clone(),
                        title: r.title.clone().unwrap_or_else(|| r.item_id.clone()),
                        year: r.year,
                        note: r.explanation.clone().unwrap_or_default(),
                        hue: hue(&r.item_id),
                    })
                    .collect();
            }
            Err(e) => error = Some(e.public_message()),
        }
    }
    Ok(render(&DiscoverPage {
        nav,
        q,
        read_as,
        error,
        cards,
    }))
}

/// The constraints read from the query, one phrase per kind.
fn describe(found: &Discovery) -> Vec<String> {
    let q = &found.query;
    let mut out = Vec::new();
    let mut add = |label: &str, values: Vec<String>| {
        if !values.is_empty() {
            out.push(format!("{label}: {}", values.join(", ")));
        }
    };
    let joiner = if q.any_genre { " or " } else { " and " };
    if !q.genres.is_empty() {
        add("Genres", vec![q.genres.join(joiner)]);
    }
    add("Not", q.excluded_genres.clone());
    add("Years", q.years.iter().map(|r| r.label.clone()).collect());
    add(
        "Not from",
        q.excluded_years.iter().map(|r| r.label.clone()).collect(),
    );
    add("With", q.people.iter().map(|p| p.name.clone()).collect());
    add(
        "Without",
        q.excluded_people.iter().map(|p| p.name.clone()).collect(),
    );
    add("Like", q.like.iter().map(|i| i.display()).collect());
    add("Mood", q.moods.clone());
    add("Words", q.words.clone());
    add("Ignored", q.unmatched_words.clone());
    out
}
