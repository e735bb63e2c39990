//! HTML pages: askama templates (`templates/`), vanilla JS and CSS (`static/`, embedded in
//! the binary). Pages call the same functions as the JSON API; writes go through the API
//! from the page's JS (cookie + CSRF header).

use askama::Template;
use axum::extract::{Path, Query as QueryParams, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use recsys_core::prelude::{List, Query, Recommendation, Recommendations};
use serde::Deserialize;

use super::catalog::{genres, movie_detail, search, similar_movies, why_movie, SearchParams};
use super::recommendations::recommend;
use super::watchlist::entries;
use crate::auth::{CurrentUser, MaybeUser};
use crate::error::AppError;
use crate::state::AppState;
use crate::with_db;

/// The page routes and the static files.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/movies/{id}", get(movie_page))
        .route("/search", get(search_page))
        .route("/watchlist", get(watchlist_page))
        .route("/login", get(login_page))
        .route("/signup", get(signup_page))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
}

/// What the header of every page shows.
#[derive(Clone, Debug, Default)]
pub struct Nav {
    /// The signed-in user's display name.
    pub user: Option<String>,
    /// The session's CSRF token (empty for visitors).
    pub csrf: String,
    /// Staff may see the admin link.
    pub is_staff: bool,
    /// The search box's text.
    pub q: String,
}

impl Nav {
    /// The header of a page for `user`.
    pub fn of(user: &Option<CurrentUser>) -> Self {
        match user {
            Some(u) => Nav {
                user: Some(u.user.display_name.clone()),
                csrf: u.csrf_token.clone(),
                is_staff: u.user.is_staff,
                q: String::new(),
            },
            None => Nav::default(),
        }
    }
}

/// A movie tile.
#[derive(Clone, Debug)]
pub struct Card {
    /// Movie id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Year.
    pub year: Option<i32>,
    /// A line under the title (the reason, or genres).
    pub note: String,
    /// Poster colour class, from the id.
    pub hue: u32,
}

/// Poster colour class of a movie id (12 gradients in the CSS).
pub fn hue(id: &str) -> u32 {
    id.bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 12
}

impl Card {
    fn of(r: &Recommendation) -> Self {
        Card {
            id: r.item_id.clone(),
            title: r.title.clone().unwrap_or_else(|| r.item_id.clone()),
            year: r.year,
            note: r.explanation.clone().unwrap_or_default(),
            hue: hue(&r.item_id),
        }
    }

    /// The tile of an all-time popular movie.
    pub fn popular(item: &super::discover::PopularItem) -> Self {
        let note = match item.average_rating {
            Some(mean) => format!("★ {mean:.1} · {} ratings", item.ratings),
            None => format!("{} ratings", item.ratings),
        };
        Card {
            id: item.item_id.clone(),
            title: item.title.clone(),
            year: item.year,
            note,
            hue: hue(&item.item_id),
        }
    }

    /// The tiles of a list; a note every tile shares ("Trending now") is left out.
    pub fn all(recs: &Recommendations) -> Vec<Card> {
        let mut cards: Vec<Card> = recs.items.iter().map(Card::of).collect();
        if cards.len() > 1 && cards.iter().all(|c| c.note == cards[0].note) {
            cards.iter_mut().for_each(|c| c.note.clear());
        }
        cards
    }
}

/// A carousel.
#[derive(Clone, Debug)]
pub struct Row {
    /// Heading.
    pub title: String,
    /// Tiles.
    pub cards: Vec<Card>,
}

/// Renders a template as a page, or the error page when rendering fails.
pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => error_page(&AppError::internal(format!("template: {e}"))),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Nav,
    status: String,
    message: String,
}

/// An error as an HTML page with the error's status (internal details are logged, not shown).
pub fn error_page(error: &AppError) -> Response {
    let status = error.status_code();
    if status.is_server_error() {
        tracing::error!(error = %error, "page failed");
    }
    let page = ErrorPage {
        nav: Nav::default(),
        status: status.to_string(),
        message: error.public_message(),
    };
    let html = page
        .render()
        .unwrap_or_else(|_| "<!doctype html><title>Error</title><h1>Error</h1>".to_string());
    (status, Html(html)).into_response()
}

/// A page handler's error: rendered as HTML.
pub struct PageError(AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(&self.0)
    }
}

/// What page handlers return.
pub type PageResult = Result<Response, PageError>;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Nav,
    notice: Option<String>,
    rows: Vec<Row>,
}

/// Genres shown as rows when the user has no favourites yet.
const DEFAULT_GENRES: [&str; 3] = ["Comedy", "Action", "Drama"];
/// Tiles per carousel.
const ROW_LEN: usize = 18;

async fn home(State(state): State<AppState>, user: MaybeUser) -> PageResult {
    let nav = Nav::of(&user.0);
    let id = user.0.as_ref().map(|u| u.user.id);
    let mut rows = Vec::new();
    let mut push = |title: String, recs: Recommendations| {
        if !recs.items.is_empty() {
            rows.push(Row {
                title,
                cards: Card::all(&recs),
            });
        }
    };
    let mut genre_rows: Vec<String> = DEFAULT_GENRES.iter().map(|g| g.to_string()).collect();
    let notice;
    if let Some(id) = id {
        let for_you = recommend(
            &state,
            Some(id),
            &Query::new(List::ForYou).n(ROW_LEN).explain(true),
        )
        .await?;
        push("For You".into(), for_you);
        // One row per recent like (a like, or 4 stars and more).
        let liked: Vec<(String, String)> = with_db!(&state.db, |pool| sqlx::query_as(
            "SELECT f.movie_id, m.title FROM feedback f JOIN movies m ON m.id = f.movie_id \
             WHERE f.user_id = $1 AND (f.opinion = 'like' OR f.rating >= 4) \
             ORDER BY f.updated_at DESC, f.rowid DESC LIMIT 2",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        for (movie, title) in liked {
            if !state.model.load().contains(&movie) {
                continue;
            }
            let query = Query::new(List::because_you_liked(&movie))
                .n(ROW_LEN)
                .explain(true);
            push(
                format!("Because you liked {title}"),
                recommend(&state, Some(id), &query).await?,
            );
        }
        let top: Vec<String> = with_db!(&state.db, |pool| sqlx::query_scalar(
            "SELECT g.genre FROM feedback f JOIN movie_genres g ON g.movie_id = f.movie_id \
             WHERE f.user_id = $1 AND (f.opinion = 'like' OR f.rating >= 4) \
             GROUP BY g.genre ORDER BY COUNT(*) DESC, g.genre LIMIT 3",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        if !top.is_empty() {
            genre_rows = top;
        }
        notice = None;
    } else {
        notice = Some(
            "<a href=\"/signup\">Sign up</a> and rate a few movies: For You follows every rating at once."
                .to_string(),
        );
    }
    let trending = recommend(
        &state,
        id,
        &Query::new(List::Trending).n(ROW_LEN).explain(true),
    )
    .await?;
    push("Trending now".into(), trending);
    // All-time popularity beside the recent window (anonymous visitors get both).
    let popular = super::discover::popular(&state.db, id, None, ROW_LEN).await?;
    for genre in genre_rows {
        let query = Query::new(List::by_genre(&genre)).n(ROW_LEN).explain(true);
        match recommend(&state, id, &query).await {
            Ok(recs) => push(genre.clone(), recs),
            // A genre the catalogue lacks (an edited catalogue): leave the row out.
            Err(AppError::Recsys(e)) if e.kind().http_status() == 400 => {}
            Err(e) => return Err(e.into()),
        }
    }
    if !popular.items.is_empty() {
        let after_trending = rows
            .iter()
            .position(|r| r.title == "Trending now")
            .map_or(rows.len(), |at| at + 1);
        let row = Row {
            title: "Popular of all time".into(),
            cards: popular.items.iter().map(Card::popular).collect(),
        };
        rows.insert(after_trending, row);
    }
    Ok(render(&HomePage { nav, notice, rows }))
}

/// A person chip.
#[derive(Clone, Debug)]
pub struct PersonChip {
    /// Person id.
    pub id: String,
    /// Name, or a short form of the id.
    pub label: String,
    /// Role.
    pub role: String,
}

/// The "Why this movie?" panel.
#[derive(Clone, Debug)]
pub struct WhyPanel {
    /// The sentence.
    pub sentence: String,
    /// Each reason as a phrase.
    pub reasons: Vec<String>,
    /// Score and its parts, rounded.
    pub score: String,
    /// Collaborative part.
    pub collaborative: String,
    /// Content part.
    pub content: String,
    /// Popularity part.
    pub popularity: String,
    /// Whether the score is a blend of those parts; a list ranked by one score (the
    /// popularity fallback of an empty history) has none, and shows no sum.
    pub blended: bool,
    /// History items behind the collaborative part.
    pub contributions: Vec<Contribution>,
}

/// One history item's share of the collaborative score.
#[derive(Clone, Debug)]
pub struct Contribution {
    /// Movie id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its signed contribution, rounded.
    pub value: String,
}

#[derive(Template)]
#[template(path = "movie.html")]
struct MoviePage {
    nav: Nav,
    movie: super::catalog::MovieDetail,
    hue: u32,
    average: Option<String>,
    people: Vec<PersonChip>,
    signed_in: bool,
    stars: Vec<(u8, bool)>,
    opinion: String,
    watched: bool,
    in_watchlist: bool,
    why: Option<WhyPanel>,
    cards: Vec<Card>,
    /// Said under the people when some have no name (MovieLens-100K's Freebase ids).
    people_note: Option<&'static str>,
}

async fn movie_page(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(id): Path<String>,
) -> PageResult {
    let nav = Nav::of(&user.0);
    let uid = user.0.as_ref().map(|u| u.user.id);
    let movie = movie_detail(&state.db, &id, uid).await?;
    let similar = similar_movies(&state, uid, &id, ROW_LEN).await?;
    let why = match why_movie(&state, uid, &id).await {
        Ok(why) => Some(why_panel(&state, &why).await?),
        Err(AppError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let mine = movie.mine.clone().unwrap_or_default();
    let people = movie
        .people
        .iter()
        .take(12)
        .map(|p| PersonChip {
            id: p.person_id.clone(),
            label: p
                .name
                .clone()
                .unwrap_or_else(|| super::discover::short_id(&p.person_id).to_string()),
            role: p.role.clone(),
        })
        .collect();
    let page = MoviePage {
        nav,
        hue: hue(&movie.id),
        average: movie.average_rating.map(|a| format!("{a:.1}")),
        people,
        signed_in: uid.is_some(),
        stars: (1..=5u8)
            .map(|s| (s, mine.rating.unwrap_or(0.0) >= f64::from(s)))
            .collect(),
        opinion: mine.opinion.clone().unwrap_or_default(),
        watched: mine.watched,
        in_watchlist: mine.in_watchlist,
        why,
        cards: Card::all(&similar),
        people_note: movie.people.iter().any(|p| p.name.is_none()).then_some(
            "Names unknown: the data gives Freebase ids. Open a person for their movies.",
        ),
        movie,
    };
    Ok(render(&page))
}

async fn why_panel(state: &AppState, why: &Recommendation) -> Result<WhyPanel, AppError> {
    let mut contributions = Vec::new();
    if let Some(collaborative) = &why.collaborative {
        for c in collaborative.contributions.iter().take(5) {
            let title: Option<String> = with_db!(&state.db, |pool| sqlx::query_scalar(
                "SELECT title FROM movies WHERE id = $1"
            )
            .bind(&c.item_id)
            .fetch_optional(pool)
            .await)?;
            contributions.push(Contribution {
                id: c.item_id.clone(),
                title: title.unwrap_or_else(|| c.item_id.clone()),
                value: format!("{:+.2}", c.value),
            });
        }
    }
    Ok(WhyPanel {
        sentence: why.sentence(),
        reasons: why.reasons.iter().map(|r| r.phrase()).collect(),
        score: format!("{:.2}", why.score),
        collaborative: format!("{:.2}", why.parts.collaborative),
        content: format!("{:.2}", why.parts.content),
        popularity: format!("{:.2}", why.parts.popularity),
        blended: [
            why.parts.collaborative,
            why.parts.content,
            why.parts.popularity,
        ]
        .iter()
        .any(|part| *part != 0.0),
        contributions,
    })
}

/// The search form's values, echoed back.
#[derive(Clone, Debug, Default)]
pub struct SearchForm {
    q: String,
    genre: String,
    year_from: String,
    year_to: String,
    person: String,
    sort: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPageT {
    nav: Nav,
    form: SearchForm,
    genres: Vec<String>,
    sorts: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    total: i64,
    cards: Vec<Card>,
    prev: Option<String>,
    next: Option<String>,
}

/// The search page's raw parameters (empty fields are allowed: the form sends them).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SearchPageParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    genre: String,
    #[serde(default)]
    year_from: String,
    #[serde(default)]
    year_to: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: String,
}

fn page_link(p: &SearchPageParams, page: u32) -> String {
    let mut pairs = Vec::new();
    for (k, v) in [
        ("q", &p.q),
        ("genre", &p.genre),
        ("year_from", &p.year_from),
        ("year_to", &p.year_to),
        ("person", &p.person),
        ("tag", &p.tag),
        ("sort", &p.sort),
    ] {
        if !v.is_empty() {
            pairs.push(format!("{k}={}", urlencode(v)));
        }
    }
    pairs.push(format!("page={page}"));
    format!("/search?{}", pairs.join("&"))
}

/// Percent-encodes everything but unreserved characters (a query value or a path segment).
pub fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn search_page(
    State(state): State<AppState>,
    user: MaybeUser,
    QueryParams(raw): QueryParams<SearchPageParams>,
) -> PageResult {
    let mut nav = Nav::of(&user.0);
    nav.q = raw.q.clone();
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let mut error = None;
    let mut number = |name: &str, s: &str| -> Option<i32> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        s.parse()
            .map_err(|_| error = Some(format!("{name} must be a year")))
            .ok()
    };
    let params = SearchParams {
        q: opt(&raw.q),
        genre: opt(&raw.genre),
        year_from: number("From year", &raw.year_from),
        year_to: number("To year", &raw.year_to),
        person: opt(&raw.person),
        tag: opt(&raw.tag),
        sort: opt(&raw.sort),
        page: raw.page.trim().parse().ok(),
        per_page: Some(24),
    };
    let (total, cards, page, more) = match search(&state.db, &params).await {
        Ok(found) => {
            let more = i64::from(found.page) * i64::from(found.per_page) < found.total;
            let cards = found
                .items
                .iter()
                .map(|item| Card {
                    id: item.movie.id.clone(),
                    title: item.movie.title.clone(),
                    year: item.movie.year,
                    note: item.genres.join(", "),
                    hue: hue(&item.movie.id),
                })
                .collect();
            (found.total, cards, found.page, more)
        }
        Err(AppError::BadRequest { message, .. }) => {
            error = Some(message);
            (0, Vec::new(), 1, false)
        }
        Err(e) => return Err(e.into()),
    };
    let page_t = SearchPageT {
        nav,
        form: SearchForm {
            q: raw.q.clone(),
            genre: raw.genre.clone(),
            year_from: raw.year_from.clone(),
            year_to: raw.year_to.clone(),
            person: raw.person.clone(),
            sort: raw.sort.clone(),
        },
        genres: genres(&state.db)
            .await?
            .into_iter()
            .map(|(g, _)| g)
            .collect(),
        sorts: vec![
            ("", "Best match"),
            ("popular", "Most rated"),
            ("rating", "Top rated"),
            ("year", "Newest"),
            ("title", "Title A–Z"),
        ],
        error,
        total,
        cards,
        prev: (page > 1).then(|| page_link(&raw, page - 1)),
        next: more.then(|| page_link(&raw, page + 1)),
    };
    Ok(render(&page_t))
}

#[derive(Template)]
#[template(path = "watchlist.html")]
struct WatchlistPage {
    nav: Nav,
    cards: Vec<Card>,
}

async fn watchlist_page(State(state): State<AppState>, user: MaybeUser) -> PageResult {
    let Some(current) = user.0.as_ref() else {
        return Ok(Redirect::to("/login?next=/watchlist").into_response());
    };
    let cards = entries(&state.db, current.user.id)
        .await?
        .into_iter()
        .map(|e| Card {
            hue: hue(&e.movie_id),
            id: e.movie_id,
            title: e.title,
            year: e.year,
            note: String::new(),
        })
        .collect();
    Ok(render(&WatchlistPage {
        nav: Nav::of(&user.0),
        cards,
    }))
}

#[derive(Template)]
#[template(path = "auth.html")]
struct AuthPage {
    nav: Nav,
    action: &'static str,
    heading: &'static str,
    next: String,
}

/// `?next=` of the login page.
#[derive(Debug, Default, Deserialize)]
pub struct NextParam {
    #[serde(default)]
    next: String,
}

fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".to_string()
    }
}

async fn login_page(user: MaybeUser, QueryParams(p): QueryParams<NextParam>) -> Response {
    render(&AuthPage {
        nav: Nav::of(&user.0),
        action: "login",
        heading: "Log in",
        next: safe_next(&p.next),
    })
}

async fn signup_page(user: MaybeUser) -> Response {
    render(&AuthPage {
        nav: Nav::of(&user.0),
        action: "signup",
        heading: "Sign up",
        // New accounts start with the onboarding quiz (skippable).
        next: "/onboarding".into(),
    })
}

async fn css() -> impl IntoResponse {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../../static/app.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../../static/app.js"),
    )
}
