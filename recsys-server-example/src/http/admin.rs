//! Admin (staff only): `GET /api/admin/model` (model status with the last training's
//! held-out validation), `POST /api/admin/retrain`, the catalogue editing of
//! [`super::admin_catalog`], and the pages `/admin` and `/admin/movies/{id}`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::catalog::movie_detail;
use super::pages::{render, Nav, PageError};
use crate::auth::{MaybeUser, StaffUser};
use crate::error::{AppError, AppResult};
use crate::model::{
    events_since_last_training, last_model, last_validation, retrain_and_swap, ModelInfo,
};
use crate::state::AppState;
use crate::validation::Validation;

/// The admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/model", get(model_status))
        .route("/api/admin/retrain", post(retrain))
        .route("/admin", get(admin_page))
        .route("/admin/movies/{id}", get(movie_page))
        .merge(super::admin_catalog::router())
}

async fn model_status(State(state): State<AppState>, _staff: StaffUser) -> AppResult<Json<Value>> {
    let model = state.model.load();
    Ok(Json(json!({
        "fingerprint": model.fingerprint(),
        "items": model.n_items(),
        "training": state.trainer.is_running(),
        "last_training": last_model(&state.db).await?,
        "validation": last_validation(&state.db).await?,
        "events_since_last_training": events_since_last_training(&state.db).await?,
    })))
}

/// Retrains now (waits for the fit) and swaps the model in; 409 while one is running.
/// The training runs on a task of its own: when the request times out (408) or the client goes
/// away, it still finishes and swaps the model in (`GET /api/admin/model` shows it).
async fn retrain(State(state): State<AppState>, _staff: StaffUser) -> AppResult<Json<Value>> {
    let training = tokio::spawn(async move { retrain_and_swap(&state).await });
    match training.await?? {
        Some(info) => Ok(Json(json!({"retrained": true, "model": info}))),
        None => Err(crate::error::AppError::Conflict(
            "a training is already running".into(),
        )),
    }
}

/// The pages' staff check: the answer for anyone but staff (visitors go to the login page,
/// other accounts get a 403 page); `None` for staff.
fn not_staff(user: &MaybeUser, next: &str) -> Option<Response> {
    match &user.0 {
        None => Some(Redirect::to(&format!("/login?next={next}")).into_response()),
        Some(u) if !u.user.is_staff => Some(super::pages::error_page(&AppError::forbidden(
            "staff_only",
            "staff only",
        ))),
        Some(_) => None,
    }
}

/// A metric line of the status page.
#[derive(Clone, Debug)]
pub struct Metric {
    /// Name.
    pub name: &'static str,
    /// Value, formatted.
    pub value: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    nav: Nav,
    fingerprint: String,
    items: usize,
    training: bool,
    last: Option<ModelInfo>,
    trained_at: String,
    validation: Option<Validation>,
    metrics: Vec<Metric>,
    pending: i64,
}

fn utc(seconds: i64) -> String {
    let rest = seconds.rem_euclid(86_400);
    let (year, month, day) = super::profile::civil(seconds.div_euclid(86_400));
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

async fn admin_page(State(state): State<AppState>, user: MaybeUser) -> Result<Response, PageError> {
    if let Some(response) = not_staff(&user, "/admin") {
        return Ok(response);
    }
    let model = state.model.load();
    let last = last_model(&state.db).await?;
    let validation = last_validation(&state.db).await?;
    let metrics = validation
        .as_ref()
        .map(|v| {
            let mut rows = vec![Metric {
                name: "Users evaluated",
                value: v.n_users.to_string(),
            }];
            for (name, x) in [
                ("Precision", v.precision),
                ("Recall", v.recall),
                ("nDCG", v.ndcg),
                ("MAP", v.map),
                ("Hit rate", v.hit_rate),
                ("Coverage", v.coverage),
            ] {
                rows.push(Metric {
                    name,
                    value: format!("{x:.3}"),
                });
            }
            rows
        })
        .unwrap_or_default();
    Ok(render(&AdminPage {
        nav: Nav::of(&user.0),
        fingerprint: model.fingerprint().to_string(),
        items: model.n_items(),
        training: state.trainer.is_running(),
        trained_at: last.as_ref().map(|m| utc(m.trained_at)).unwrap_or_default(),
        last,
        validation,
        metrics,
        pending: events_since_last_training(&state.db).await?,
    }))
}

#[derive(Template)]
#[template(path = "admin_movie.html")]
struct AdminMoviePage {
    nav: Nav,
    movie: super::catalog::MovieDetail,
    year: String,
    genres: String,
    tags: String,
    people: String,
    poster: String,
}

async fn movie_page(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    if let Some(response) = not_staff(&user, "/admin") {
        return Ok(response);
    }
    let movie = movie_detail(&state.db, &id, None).await?;
    let people = movie
        .people
        .iter()
        .map(|p| format!("{} {}", p.person_id, p.role))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(render(&AdminMoviePage {
        nav: Nav::of(&user.0),
        year: movie.year.map(|y| y.to_string()).unwrap_or_default(),
        genres: movie.genres.join(", "),
        tags: movie.tags.join(", "),
        poster: movie.poster_url.clone().unwrap_or_default(),
        people,
        movie,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_formats_unix_seconds() {
        assert_eq!(super::utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::utc(1_700_000_000), "2023-11-14 22:13 UTC");
    }
}
