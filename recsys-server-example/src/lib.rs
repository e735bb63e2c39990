//! The recsys movie web application: axum + sqlx (SQLite, WAL) + askama, on one
//! [`recsys_core::Recommender`] behind an atomic swap.
//!
//! - [`config`]: settings from environment variables (`RECSYS_ADDR`, `RECSYS_DATA_DIR`, …).
//! - [`db`]: the pool and migrations; [`import`]: MovieLens-100K on first start.
//! - [`model`]: the dataset read from the database, training, the artifact, the live model.
//! - [`auth`]: sessions (cookie + bearer), CSRF, argon2, the login rate limit, extractors.
//! - [`http`]: one router per feature merged by [`http::app`], the JSON API and the pages.
//! - [`error`]: [`error::AppError`], rendered as `{"error": {"code", "message"}}`.
//!
//! [`start`] is what `main` runs: open the database, import on first start, load the last
//! artifact (or train one), and return the state to serve.

pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod import;
pub mod limiter;
pub mod metrics;
pub mod model;
pub mod state;
pub mod validation;

pub use http::app;
pub use state::AppState;

use recsys_core::prelude::Parallelism;

use config::Config;
use error::{AppError, AppResult};
use model::Trainer;

/// Opens the database in `config.data_dir`, imports MovieLens-100K on the first start,
/// loads the last model artifact (training one when there is none) and returns the state.
///
/// # Errors
/// Unreadable data folder, database or artifact; a failed import or training.
pub async fn start(config: Config) -> AppResult<AppState> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        AppError::internal(format!("cannot create {}: {e}", config.data_dir.display()))
    })?;
    let url = config.database_url.as_ref().map(|u| u.0.as_str());
    let db = db::open_url(url, &config.database_path()).await?;
    tracing::info!(backend = db.backend(), "database open");
    if let Some(summary) = import::import_movielens_once(&db, &config.movielens_dir).await? {
        tracing::info!(?summary, "imported MovieLens-100K");
    }
    let trainer = Trainer::movielens(config.model_path());
    let (recommender, status) = match &config.hub_model {
        Some(source) => model_from_hub(source, &trainer).await?,
        None => local_model(&db, &trainer).await?,
    };
    if config.demo_account {
        ensure_demo_account(&db).await?;
    }
    Ok(AppState::with_status(
        db,
        model::live(recommender),
        trainer,
        config,
        status,
    ))
}

/// The model `HF_MODEL_REPO` names, which becomes the local artifact too.
#[cfg(feature = "hub")]
async fn model_from_hub(
    source: &config::HubModel,
    trainer: &Trainer,
) -> AppResult<(recsys_core::prelude::Recommender, model::ModelStatus)> {
    let hub = recsys_core::artifact::hub::Hub::from_env()?;
    let (recommender, commit) = model::load_from_hub(hub, source, trainer.artifact()).await?;
    tracing::info!(
        repo = source.repo_id,
        revision = source.revision,
        file = source.filename,
        commit,
        fingerprint = recommender.fingerprint(),
        "loaded the model from the Hugging Face Hub"
    );
    let status = model::ModelStatus::new(recommender.fingerprint(), db::now(), "hub");
    Ok((recommender, status))
}

#[cfg(not(feature = "hub"))]
async fn model_from_hub(
    source: &config::HubModel,
    _trainer: &Trainer,
) -> AppResult<(recsys_core::prelude::Recommender, model::ModelStatus)> {
    Err(AppError::internal(format!(
        "HF_MODEL_REPO={} is set, but this server was built without the `hub` feature",
        source.repo_id
    )))
}

/// The last good local artifact (or the previous one when it is unusable), or a model trained
/// now when neither loads, with its status; the browser artifact is written when missing.
async fn local_model(
    db: &db::Db,
    trainer: &Trainer,
) -> AppResult<(recsys_core::prelude::Recommender, model::ModelStatus)> {
    let (loaded, warning) = model::load_at_start(trainer).await;
    let (recommender, mut status) = match loaded {
        Some(recommender) => {
            let fingerprint = recommender.fingerprint().to_string();
            tracing::info!(%fingerprint, "loaded the last model");
            let trained_at = match model::trained_at(db, &fingerprint).await? {
                Some(at) => at,
                None => artifact_time(trainer.artifact()),
            };
            let source = if warning.is_some() {
                "previous_artifact"
            } else {
                "artifact"
            };
            let status = model::ModelStatus::new(&fingerprint, trained_at, source);
            (recommender, status)
        }
        None => {
            if let Some(warning) = &warning {
                tracing::warn!(%warning, "no usable model artifact; training a new one");
            }
            let (recommender, info) = trainer
                .train(db, Parallelism::Global)
                .await?
                .ok_or_else(|| AppError::internal("a training was already running"))?;
            tracing::info!(seconds = info.seconds, "trained the first model");
            let status = model::ModelStatus::new(&info.fingerprint, info.trained_at, "trained");
            (recommender, status)
        }
    };
    status.warning = warning;
    let web = trainer.web_artifact();
    if !web.is_file() {
        // A data folder from before the browser artifact: write it now.
        let (snapshot, artifact) = (recommender.clone(), trainer.artifact().to_path_buf());
        tokio::task::spawn_blocking(move || model::write_web_artifact(&snapshot, &artifact))
            .await??;
    }
    Ok((recommender, status))
}

/// The modification time of `path` in Unix seconds (now when unknown).
fn artifact_time(path: &std::path::Path) -> i64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or_else(db::now, |d| d.as_secs() as i64)
}

/// Titles the demo account rates 5 stars on creation (matched by title prefix).
const DEMO_FAVOURITES: [&str; 4] = ["star wars", "empire strikes back", "alien", "terminator"];

/// Creates the staff account `demo` / `demo-password` with a few sci-fi ratings, once.
///
/// # Errors
/// Database errors.
pub async fn ensure_demo_account(db: &db::Db) -> AppResult<()> {
    let exists: Option<i64> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM users WHERE username = 'demo'"
    )
    .fetch_optional(pool)
    .await)?;
    if exists.is_some() {
        return Ok(());
    }
    let hash = auth::hash_password("demo-password".to_string()).await?;
    let id: i64 = with_db!(db, |pool| {
        sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, is_active, is_staff, created_at) \
         VALUES ('demo', 'Demo', $1, TRUE, TRUE, $2) RETURNING id",
    )
    .bind(hash)
    .bind(db::now())
    .fetch_one(pool)
    .await
    })?;
    for (k, title) in DEMO_FAVOURITES.iter().enumerate() {
        let movie: Option<String> = with_db!(db, |pool| sqlx::query_scalar(
            "SELECT id FROM movies WHERE title_key LIKE $1 ORDER BY year LIMIT 1",
        )
        .bind(format!("{title}%"))
        .fetch_optional(pool)
        .await)?;
        if let Some(movie) = movie {
            with_db!(db, |pool| sqlx::query(
                "INSERT INTO feedback (user_id, movie_id, rating, watched, updated_at) \
                 VALUES ($1, $2, 5, TRUE, $3)",
            )
            .bind(id)
            .bind(movie)
            .bind(db::now() + k as i64)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        }
    }
    Ok(())
}
