//! Pages of the profile feature: `/profile` (with statistics charts drawn as inline SVG on
//! the server), `/profile/ratings` and `/profile/watched` (paged history), `/onboarding`
//! (the quiz), `/people/{id}` and `/tags/{tag}`. Writes go through the JSON API from
//! `static/app.js`.

use askama::Template;
use axum::extract::{Path, Query as QueryParams, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::discover::{person_detail, role_title, short_id, tag_movies, TagParams};
use super::pages::{hue, render, Card, Nav, PageResult};
use super::profile::{history_page, preferences, quiz_options, stats, HistoryKind, Stats, WEIGHTS};
use crate::auth::MaybeUser;
use crate::error::AppError;
use crate::state::AppState;

/// The profile pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/profile", get(profile_page))
        .route("/profile/ratings", get(ratings_page))
        .route("/profile/watched", get(watched_page))
        .route("/onboarding", get(onboarding_page))
        .route("/people/{id}", get(person_page))
        .route("/tags/{tag}", get(tag_page))
}

/// One bar of the ratings-per-genre chart (SVG user units).
#[derive(Clone, Debug)]
pub struct GenreBar {
    /// Genre.
    pub genre: String,
    /// Ratings.
    pub count: i64,
    /// Mean stars, one decimal.
    pub average: String,
    /// Top of the bar.
    pub y: u32,
    /// Baseline of the row's text.
    pub text_y: u32,
    /// Bar length.
    pub width: u32,
    /// Where the count is written.
    pub count_x: u32,
}

/// One column of the activity chart (SVG user units).
#[derive(Clone, Debug)]
pub struct ActivityBar {
    /// Period label.
    pub period: String,
    /// Changes in it.
    pub count: i64,
    /// Left edge.
    pub x: u32,
    /// Top.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// The charts of the profile page.
#[derive(Clone, Debug, Default)]
pub struct Charts {
    /// Ratings per genre, at most 10 rows.
    pub genres: Vec<GenreBar>,
    /// Height of the genre chart.
    pub genres_height: u32,
    /// Activity columns.
    pub activity: Vec<ActivityBar>,
    /// `day` or `month`.
    pub unit: String,
    /// First and last period, for the axis.
    pub first: String,
    /// The last period.
    pub last: String,
    /// The busiest period's count.
    pub peak: i64,
}

/// Chart geometry: the genre chart is 420 wide, rows of 24; the activity chart 420 × 140.
const BAR_ROW: u32 = 24;
const GENRE_LABEL: u32 = 110;
const GENRE_BAR_MAX: u32 = 250;
const ACTIVITY_W: u32 = 420;
const ACTIVITY_H: u32 = 120;

fn charts(s: &Stats) -> Charts {
    let top = &s.per_genre[..s.per_genre.len().min(10)];
    let max = top.iter().map(|g| g.count).max().unwrap_or(1).max(1);
    let genres = top
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let width = ((g.count as f64 / max as f64) * f64::from(GENRE_BAR_MAX)).round() as u32;
            let width = width.max(2);
            GenreBar {
                genre: g.genre.clone(),
                count: g.count,
                average: format!("{:.1}", g.average),
                y: k as u32 * BAR_ROW + 4,
                text_y: k as u32 * BAR_ROW + 18,
                width,
                count_x: GENRE_LABEL + width + 6,
            }
        })
        .collect();
    let peak = s.activity.iter().map(|a| a.count).max().unwrap_or(0);
    let n = s.activity.len().max(1) as u32;
    let slot = ACTIVITY_W / n;
    let width = (slot * 3 / 4).clamp(2, 40);
    let activity = s
        .activity
        .iter()
        .enumerate()
        .map(|(k, a)| {
            let height = if peak > 0 {
                ((a.count as f64 / peak as f64) * f64::from(ACTIVITY_H)).round() as u32
            } else {
                0
            };
            let height = if a.count > 0 { height.max(2) } else { 0 };
            ActivityBar {
                period: a.period.clone(),
                count: a.count,
                x: k as u32 * slot + (slot - width) / 2,
                y: ACTIVITY_H - height,
                width,
                height,
            }
        })
        .collect();
    Charts {
        genres_height: (top.len() as u32 * BAR_ROW).max(BAR_ROW),
        genres,
        activity,
        unit: s.activity_unit.clone(),
        first: s
            .activity
            .first()
            .map(|a| a.period.clone())
            .unwrap_or_default(),
        last: s
            .activity
            .last()
            .map(|a| a.period.clone())
            .unwrap_or_default(),
        peak,
    }
}

/// A favourite as the profile shows it.
#[derive(Clone, Debug)]
pub struct FavoriteView {
    /// Link target.
    pub href: String,
    /// Name or label.
    pub label: String,
    /// "★★☆".
    pub stars: String,
}

fn stars(weight: i64) -> String {
    let full = weight.clamp(0, *WEIGHTS.end()) as usize;
    let empty = *WEIGHTS.end() as usize - full;
    format!("{}{}", "★".repeat(full), "☆".repeat(empty))
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    nav: Nav,
    initial: String,
    avatar_hue: u32,
    username: String,
    display_name: String,
    bio: String,
    onboarding: String,
    favorites: Vec<FavoriteView>,
    stats: Stats,
    average: String,
    charts: Charts,
}

async fn profile_page(State(state): State<AppState>, user: MaybeUser) -> PageResult {
    let Some(current) = user.0.as_ref() else {
        return Ok(Redirect::to("/login?next=/profile").into_response());
    };
    let id = current.user.id;
    let prefs = preferences(&state.db, id).await?;
    let mut favorites: Vec<FavoriteView> = prefs
        .genres
        .iter()
        .map(|g| FavoriteView {
            href: format!("/search?genre={}", super::pages::urlencode(&g.genre)),
            label: g.genre.clone(),
            stars: stars(g.weight),
        })
        .collect();
    favorites.extend(prefs.people.iter().map(|p| FavoriteView {
        href: format!("/people/{}", super::pages::urlencode(&p.person_id)),
        label: p.label.label.clone(),
        stars: stars(p.weight),
    }));
    let stats = stats(&state.db, id).await?;
    let page = ProfilePage {
        nav: Nav::of(&user.0),
        initial: current
            .user
            .display_name
            .chars()
            .next()
            .map_or_else(|| "?".into(), |c| c.to_string()),
        avatar_hue: hue(&current.user.username),
        username: current.user.username.clone(),
        display_name: current.user.display_name.clone(),
        bio: current.user.bio.clone(),
        onboarding: prefs.onboarding,
        favorites,
        average: stats
            .average_rating
            .map(|a| format!("{a:.1}"))
            .unwrap_or_else(|| "–".into()),
        charts: charts(&stats),
        stats,
    };
    Ok(render(&page))
}

/// `?page=` of the history pages.
#[derive(Debug, Default, Deserialize)]
pub struct PageParam {
    #[serde(default)]
    page: String,
}

/// One history row as shown.
#[derive(Clone, Debug)]
pub struct HistoryRow {
    /// Movie id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Year.
    pub year: Option<i32>,
    /// Poster colour.
    pub hue: u32,
    /// "★★★★☆" or empty.
    pub stars: String,
    /// Opinion and watched, as words.
    pub badges: Vec<&'static str>,
    /// `YYYY-MM-DD`.
    pub date: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPageT {
    nav: Nav,
    kind: &'static str,
    heading: &'static str,
    rows: Vec<HistoryRow>,
    total: i64,
    page: u32,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

fn date(t: i64) -> String {
    let (y, m, d) = super::profile::civil(t.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

async fn history_of(
    state: AppState,
    user: MaybeUser,
    raw: PageParam,
    kind: HistoryKind,
) -> PageResult {
    let (path, heading, slug) = match kind {
        HistoryKind::Ratings => ("/profile/ratings", "Your ratings", "ratings"),
        HistoryKind::Watched => ("/profile/watched", "Watched", "watched"),
    };
    let Some(current) = user.0.as_ref() else {
        return Ok(Redirect::to(&format!("/login?next={path}")).into_response());
    };
    let page = match raw.page.trim() {
        "" => None,
        text => Some(text.parse::<u32>().map_err(|_| {
            AppError::bad_request("invalid_field", "`page` must be a positive number")
        })?),
    };
    let found = history_page(&state.db, current.user.id, kind, page, None).await?;
    let pages = (found.total + i64::from(found.per_page) - 1) / i64::from(found.per_page);
    let rows = found
        .items
        .into_iter()
        .map(|item| {
            let mut badges = Vec::new();
            match item.opinion.as_deref() {
                Some("like") => badges.push("liked"),
                Some("dislike") => badges.push("disliked"),
                Some("not_interested") => badges.push("not interested"),
                _ => {}
            }
            if item.watched {
                badges.push("watched");
            }
            HistoryRow {
                hue: hue(&item.movie_id),
                stars: item
                    .rating
                    .map(|r| {
                        let full = r.round().clamp(0.0, 5.0) as usize;
                        format!("{}{}", "★".repeat(full), "☆".repeat(5 - full))
                    })
                    .unwrap_or_default(),
                badges,
                date: date(item.updated_at),
                id: item.movie_id,
                title: item.title,
                year: item.year,
            }
        })
        .collect();
    let page_t = HistoryPageT {
        nav: Nav::of(&user.0),
        kind: slug,
        heading,
        rows,
        total: found.total,
        page: found.page,
        pages: pages.max(1),
        prev: (found.page > 1).then(|| format!("{path}?page={}", found.page - 1)),
        next: (i64::from(found.page) < pages).then(|| format!("{path}?page={}", found.page + 1)),
    };
    Ok(render(&page_t))
}

async fn ratings_page(
    State(state): State<AppState>,
    user: MaybeUser,
    QueryParams(raw): QueryParams<PageParam>,
) -> PageResult {
    history_of(state, user, raw, HistoryKind::Ratings).await
}

async fn watched_page(
    State(state): State<AppState>,
    user: MaybeUser,
    QueryParams(raw): QueryParams<PageParam>,
) -> PageResult {
    history_of(state, user, raw, HistoryKind::Watched).await
}

/// A choice of the quiz.
#[derive(Clone, Debug)]
pub struct Pick {
    /// Genre name or person id.
    pub value: String,
    /// What is shown.
    pub label: String,
    /// A second line (movie count).
    pub note: String,
    /// Current weight, 0 when not picked.
    pub weight: i64,
}

/// The second line of a person in the quiz: movie count, best-known titles, short id.
fn person_note(label: &super::discover::PersonLabel, id: &str) -> String {
    let mut parts = vec![format!("{} movies", label.movies)];
    if label.known_for.len() > 1 {
        parts.push(label.known_for.join(", "));
    }
    parts.push(short_id(id).to_string());
    parts.join(" · ")
}

#[derive(Template)]
#[template(path = "onboarding.html")]
struct OnboardingPage {
    nav: Nav,
    genres: Vec<Pick>,
    people: Vec<Pick>,
    weights: Vec<i64>,
    note: &'static str,
}

async fn onboarding_page(State(state): State<AppState>, user: MaybeUser) -> PageResult {
    let Some(current) = user.0.as_ref() else {
        return Ok(Redirect::to("/login?next=/onboarding").into_response());
    };
    let options = quiz_options(&state.db).await?;
    let prefs = preferences(&state.db, current.user.id).await?;
    let genre_weight = |g: &str| {
        prefs
            .genres
            .iter()
            .find(|p| p.genre == g)
            .map_or(0, |p| p.weight)
    };
    let genres = options
        .genres
        .iter()
        .map(|g| Pick {
            value: g.genre.clone(),
            label: g.genre.clone(),
            note: format!("{} movies", g.movies),
            weight: genre_weight(&g.genre),
        })
        .collect();
    let mut people: Vec<Pick> = options
        .people
        .iter()
        .map(|p| Pick {
            value: p.person_id.clone(),
            label: p.label.label.clone(),
            note: person_note(&p.label, &p.person_id),
            weight: 0,
        })
        .collect();
    // Favourites outside today's top list stay editable.
    for fav in &prefs.people {
        match people.iter_mut().find(|p| p.value == fav.person_id) {
            Some(pick) => pick.weight = fav.weight,
            None => people.push(Pick {
                value: fav.person_id.clone(),
                label: fav.label.label.clone(),
                note: person_note(&fav.label, &fav.person_id),
                weight: fav.weight,
            }),
        }
    }
    Ok(render(&OnboardingPage {
        nav: Nav::of(&user.0),
        genres,
        people,
        weights: WEIGHTS.collect(),
        note: super::discover::NO_NAME_NOTE,
    }))
}

/// A role section of a person page.
#[derive(Clone, Debug)]
pub struct RoleSection {
    /// "Director".
    pub title: String,
    /// Their movies.
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    nav: Nav,
    id: String,
    label: String,
    note: Option<String>,
    sections: Vec<RoleSection>,
}

async fn person_page(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(id): Path<String>,
) -> PageResult {
    let person = person_detail(&state.db, &id).await?;
    let sections = person
        .roles
        .iter()
        .map(|r| RoleSection {
            title: format!("{} ({})", role_title(&r.role), r.movies.len()),
            cards: r
                .movies
                .iter()
                .map(|m| Card {
                    id: m.id.clone(),
                    title: m.title.clone(),
                    year: m.year,
                    note: format!("{} ratings", m.ratings),
                    hue: hue(&m.id),
                })
                .collect(),
        })
        .collect();
    Ok(render(&PersonPage {
        nav: Nav::of(&user.0),
        id: person.id,
        label: person.label.label,
        note: person.note,
        sections,
    }))
}

#[derive(Template)]
#[template(path = "tag.html")]
struct TagPageT {
    nav: Nav,
    tag: String,
    total: i64,
    cards: Vec<Card>,
    prev: Option<String>,
    next: Option<String>,
}

async fn tag_page(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(tag): Path<String>,
    QueryParams(raw): QueryParams<PageParam>,
) -> PageResult {
    let page = raw.page.trim().parse::<u32>().ok();
    let found = tag_movies(
        &state.db,
        &tag,
        &TagParams {
            page,
            per_page: Some(24),
        },
    )
    .await?;
    let movies = &found.movies;
    let more = i64::from(movies.page) * i64::from(movies.per_page) < movies.total;
    let base = format!("/tags/{}", super::pages::urlencode(&found.tag));
    Ok(render(&TagPageT {
        nav: Nav::of(&user.0),
        total: movies.total,
        cards: movies
            .items
            .iter()
            .map(|item| Card {
                id: item.movie.id.clone(),
                title: item.movie.title.clone(),
                year: item.movie.year,
                note: item.genres.join(", "),
                hue: hue(&item.movie.id),
            })
            .collect(),
        prev: (movies.page > 1).then(|| format!("{base}?page={}", movies.page - 1)),
        next: more.then(|| format!("{base}?page={}", movies.page + 1)),
        tag: found.tag,
    }))
}
