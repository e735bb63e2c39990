//! The live model: the dataset read from the database, training off the async threads, the
//! artifact written atomically, and the [`ArcSwap`] every request reads.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use arc_swap::ArcSwap;
use recsys_core::data::{Dataset, Feedback, Role};
use recsys_core::prelude::{Artifact, Parallelism, Recommender, RecommenderBuilder, UserHistory};
use recsys_core::recommender::ArtifactOptions;
use serde::Serialize;

use crate::db::{now, Db};
use crate::error::AppResult;
use crate::validation::{validate, Validation};

/// The current recommender, swapped whole when a training finishes.
pub type LiveModel = Arc<ArcSwap<Recommender>>;

/// How models are fitted: the builder and the artifact's path.
#[derive(Clone, Debug)]
pub struct Trainer {
    builder: RecommenderBuilder,
    artifact: std::path::PathBuf,
    running: Arc<AtomicBool>,
}

/// What one training produced (also a row of the `models` table).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ModelInfo {
    /// The recommender's fingerprint.
    pub fingerprint: String,
    /// Unix seconds.
    pub trained_at: i64,
    /// Wall-clock seconds the fit took.
    pub seconds: f64,
    /// Users with events.
    pub n_users: i64,
    /// Items in the catalogue.
    pub n_items: i64,
    /// Feedback events trained on.
    pub n_events: i64,
    /// Held-out validation metrics of this training (see [`crate::validation`]); read back
    /// with [`last_validation`].
    #[sqlx(skip)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<Validation>,
}

impl Trainer {
    /// A trainer fitting with `builder` and writing the artifact to `artifact`.
    pub fn new(builder: RecommenderBuilder, artifact: impl Into<std::path::PathBuf>) -> Self {
        Self {
            builder,
            artifact: artifact.into(),
            running: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The production setting: the core's defaults (chosen on MovieLens-100K validation).
    pub fn movielens(artifact: impl Into<std::path::PathBuf>) -> Self {
        Self::new(RecommenderBuilder::new(), artifact)
    }

    /// The artifact path.
    pub fn artifact(&self) -> &Path {
        &self.artifact
    }

    /// The browser artifact's path (beside the artifact: `<stem>.web.recsys`), written by
    /// every training with [`write_web_artifact`] for recsys-wasm.
    pub fn web_artifact(&self) -> std::path::PathBuf {
        web_artifact_path(&self.artifact)
    }

    /// Whether a training is running now.
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    /// Reads the dataset from the database, fits on a blocking thread with `parallelism`,
    /// writes the artifact atomically (temporary file + rename) and records the model.
    /// Returns `None` when another training is already running.
    ///
    /// # Errors
    /// Database, fit and file errors.
    pub async fn train(
        &self,
        db: &Db,
        parallelism: Parallelism,
    ) -> AppResult<Option<(Recommender, ModelInfo)>> {
        if self.running.swap(true, Ordering::SeqCst) {
            return Ok(None);
        }
        let result = self.train_now(db, parallelism).await;
        self.running.store(false, Ordering::SeqCst);
        result.map(Some)
    }

    async fn train_now(
        &self,
        db: &Db,
        parallelism: Parallelism,
    ) -> AppResult<(Recommender, ModelInfo)> {
        let dataset = dataset_from_db(db).await?;
        let builder = self.builder.clone().parallelism(parallelism);
        let path = self.artifact.clone();
        let started = Instant::now();
        let (recommender, n_users, n_items, n_events, validation) =
            tokio::task::spawn_blocking(move || -> recsys_core::Result<_> {
                let recommender = builder.fit(&dataset)?;
                // Quality on held-out data, by a second fit; a failure there is logged and
                // leaves the model in service.
                let validation = validate(&builder, &dataset).unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "validation failed");
                    None
                });
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| recsys_core::Error::Io {
                        path: dir.display().to_string(),
                        source: e,
                    })?;
                }
                // Artifact::save writes a temporary file in the same folder, syncs it and
                // renames it over the old model.
                recommender.save(&path)?;
                write_web_artifact(&recommender, &path)?;
                Ok((
                    recommender,
                    dataset.n_users(),
                    dataset.n_items(),
                    dataset.events().len(),
                    validation,
                ))
            })
            .await??;
        let info = ModelInfo {
            fingerprint: recommender.fingerprint().to_string(),
            trained_at: now(),
            seconds: started.elapsed().as_secs_f64(),
            n_users: n_users as i64,
            n_items: n_items as i64,
            n_events: n_events as i64,
            validation,
        };
        let mut tx = db.begin().await?;
        let model_id: i64 = sqlx::query_scalar(
            "INSERT INTO models (fingerprint, trained_at, seconds, n_users, n_items, n_events) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&info.fingerprint)
        .bind(info.trained_at)
        .bind(info.seconds)
        .bind(info.n_users)
        .bind(info.n_items)
        .bind(info.n_events)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(validation) = &info.validation {
            let text =
                serde_json::to_string(validation).map_err(crate::error::AppError::internal)?;
            sqlx::query("INSERT INTO model_metrics (model_id, metrics) VALUES (?, ?)")
                .bind(model_id)
                .bind(text)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        tracing::info!(
            fingerprint = %info.fingerprint,
            seconds = info.seconds,
            n_events = info.n_events,
            "model trained"
        );
        Ok((recommender, info))
    }
}

/// The last trained model's record, if any.
///
/// # Errors
/// Database errors.
pub async fn last_model(db: &Db) -> AppResult<Option<ModelInfo>> {
    Ok(sqlx::query_as(
        "SELECT fingerprint, trained_at, seconds, n_users, n_items, n_events \
         FROM models ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(db)
    .await?)
}

/// The validation metrics of the last training, if it had any.
///
/// # Errors
/// Database errors.
pub async fn last_validation(db: &Db) -> AppResult<Option<Validation>> {
    let text: Option<String> = sqlx::query_scalar(
        "SELECT k.metrics FROM models m JOIN model_metrics k ON k.model_id = m.id \
         WHERE m.id = (SELECT MAX(id) FROM models)",
    )
    .fetch_optional(db)
    .await?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Where the browser artifact of the artifact at `artifact` lives.
pub fn web_artifact_path(artifact: &Path) -> std::path::PathBuf {
    let stem = artifact
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("model");
    artifact.with_file_name(format!("{stem}.web.recsys"))
}

/// Writes the browser artifact of `recommender` (the core's web options: pruned neighbours,
/// small floats) beside `artifact`, atomically.
///
/// # Errors
/// Compaction and file errors.
pub fn write_web_artifact(recommender: &Recommender, artifact: &Path) -> recsys_core::Result<()> {
    recommender
        .compact(&ArtifactOptions::web())?
        .save(web_artifact_path(artifact))
}

/// Loads the model `source` names from the Hugging Face Hub through `hub` (the standard Hub
/// cache: a cached commit needs no network; see `recsys_core::artifact::hub`) and makes it the
/// current artifact: written to `artifact` and beside it as the browser artifact, so the
/// pages, the browsers and the admin page serve the same model. Returns the model and the
/// commit it came from.
///
/// # Errors
/// The Hub's (not found, access denied, unreachable and not cached, …), a corrupt file, file
/// errors while writing the local copies.
#[cfg(feature = "hub")]
pub async fn load_from_hub(
    hub: recsys_core::artifact::hub::Hub,
    source: &crate::config::HubModel,
    artifact: &Path,
) -> AppResult<(Recommender, String)> {
    let (source, artifact) = (source.clone(), artifact.to_path_buf());
    let loaded = tokio::task::spawn_blocking(move || {
        let file = hub.fetch(&source.repo_id, &source.revision, &source.filename)?;
        let recommender = Recommender::load(&file.path)?;
        recommender.save(&artifact)?;
        write_web_artifact(&recommender, &artifact)?;
        Ok::<_, recsys_core::Error>((recommender, file.commit))
    })
    .await??;
    Ok(loaded)
}

/// Loads the artifact at `path` if it exists (validated by the core while decoding).
///
/// # Errors
/// A corrupt or unreadable artifact.
pub async fn load_artifact(path: &Path) -> AppResult<Option<Recommender>> {
    if !path.is_file() {
        return Ok(None);
    }
    let path = path.to_path_buf();
    Ok(Some(
        tokio::task::spawn_blocking(move || Recommender::load(&path)).await??,
    ))
}

/// The training id of an account in datasets.
pub fn user_key(user_id: i64) -> String {
    format!("u{user_id}")
}

/// The feedback events one `feedback` row stands for, oldest meaning first: the rating,
/// the opinion, the watch (all at the row's time; the policy lets the latest opinion win).
fn row_events(
    rating: Option<f64>,
    opinion: Option<&str>,
    watched: bool,
) -> impl Iterator<Item = Feedback> {
    let rating = rating.map(|r| Feedback::Rating(r as f32));
    let opinion = opinion.and_then(|o| match o {
        "like" => Some(Feedback::Like),
        "dislike" => Some(Feedback::Dislike),
        "not_interested" => Some(Feedback::NotInterested),
        _ => None,
    });
    let watched = watched.then_some(Feedback::Watched);
    [watched, rating, opinion].into_iter().flatten()
}

/// A row of the `feedback` table.
#[derive(sqlx::FromRow)]
struct StoredFeedback {
    user_id: i64,
    movie_id: String,
    rating: Option<f64>,
    opinion: Option<String>,
    watched: bool,
    updated_at: i64,
}

/// Parses a role stored by [`Role::as_str`].
pub fn parse_role(text: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|r| r.as_str() == text)
}

/// Everything the recommender trains on, read from the database: the catalogue (titles,
/// years, genres, tags, people, attributes) and every account's feedback and watchlist.
///
/// # Errors
/// Database errors; a stored value the core refuses (e.g. a non-finite rating).
pub async fn dataset_from_db(db: &Db) -> AppResult<Dataset> {
    let mut ds = Dataset::new();
    let movies: Vec<(String, String, Option<i32>, String)> =
        sqlx::query_as("SELECT id, title, year, synopsis FROM movies ORDER BY rowid")
            .fetch_all(db)
            .await?;
    for (id, title, year, synopsis) in &movies {
        let mut editor = ds.item(id).title(title);
        if let Some(year) = year {
            editor = editor.year(*year);
        }
        if !synopsis.is_empty() {
            editor.text(synopsis);
        }
    }
    let genres: Vec<(String, String)> =
        sqlx::query_as("SELECT movie_id, genre FROM movie_genres ORDER BY rowid")
            .fetch_all(db)
            .await?;
    for (movie, genre) in &genres {
        ds.item(movie).genre(genre);
    }
    let tags: Vec<(String, String)> = sqlx::query_as("SELECT movie_id, tag FROM movie_tags")
        .fetch_all(db)
        .await?;
    for (movie, tag) in &tags {
        ds.item(movie).tag(tag);
    }
    let attributes: Vec<(String, String, String)> =
        sqlx::query_as("SELECT movie_id, name, value FROM movie_attributes ORDER BY rowid")
            .fetch_all(db)
            .await?;
    for (movie, name, value) in &attributes {
        ds.item(movie).attribute(name, value);
    }
    let credits: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT c.movie_id, c.person_id, p.name, c.role FROM credits c \
         JOIN people p ON p.id = c.person_id ORDER BY c.rowid",
    )
    .fetch_all(db)
    .await?;
    for (movie, person, name, role) in &credits {
        if let Some(role) = parse_role(role) {
            ds.item(movie).credit(person, name.as_deref(), role);
        }
    }
    let rows: Vec<StoredFeedback> = sqlx::query_as(
        "SELECT user_id, movie_id, rating, opinion, watched, updated_at FROM feedback \
         ORDER BY updated_at, user_id, movie_id",
    )
    .fetch_all(db)
    .await?;
    for row in rows {
        let key = user_key(row.user_id);
        for feedback in row_events(row.rating, row.opinion.as_deref(), row.watched) {
            ds.add_event(&key, &row.movie_id, feedback, row.updated_at)?;
        }
    }
    let watchlist: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT user_id, movie_id, added_at FROM watchlist ORDER BY added_at")
            .fetch_all(db)
            .await?;
    for (user, movie, at) in watchlist {
        ds.add_event(&user_key(user), &movie, Feedback::Watchlisted, at)?;
    }
    Ok(ds)
}

/// One account's current history, read from the database for each request, plus its
/// onboarding favourites.
///
/// # Errors
/// Database errors.
pub async fn user_history(db: &Db, user_id: i64) -> AppResult<UserHistory> {
    let rows: Vec<StoredFeedback> = sqlx::query_as(
        "SELECT user_id, movie_id, rating, opinion, watched, updated_at FROM feedback \
         WHERE user_id = ? ORDER BY updated_at",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    let mut history = UserHistory::new();
    for row in rows {
        for feedback in row_events(row.rating, row.opinion.as_deref(), row.watched) {
            history.push(&row.movie_id, feedback, row.updated_at);
        }
    }
    let watchlist: Vec<(String, i64)> =
        sqlx::query_as("SELECT movie_id, added_at FROM watchlist WHERE user_id = ?")
            .bind(user_id)
            .fetch_all(db)
            .await?;
    for (movie, at) in watchlist {
        history.push(&movie, Feedback::Watchlisted, at);
    }
    // The onboarding quiz's favourites (weights 1–3 stars), which For You tilts towards.
    let genres: Vec<(String, i64)> = sqlx::query_as(
        "SELECT genre, weight FROM favorite_genres WHERE user_id = ? ORDER BY weight DESC, genre",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    for (genre, weight) in genres {
        history = history.with_weighted_favorite_genre(&genre, weight as f32);
    }
    let people: Vec<(String, i64)> = sqlx::query_as(
        "SELECT person_id, weight FROM favorite_people WHERE user_id = ? \
         ORDER BY weight DESC, person_id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    for (person, weight) in people {
        history = history.with_weighted_favorite_person(&person, weight as f32);
    }
    Ok(history)
}

/// The live model for `recommender`.
pub fn live(recommender: Recommender) -> LiveModel {
    Arc::new(ArcSwap::from_pointee(recommender))
}

/// Counts feedback rows changed since the last training (the retrain trigger).
///
/// # Errors
/// Database errors.
pub async fn events_since_last_training(db: &Db) -> AppResult<i64> {
    let since = last_model(db).await?.map_or(0, |m| m.trained_at);
    let feedback: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback WHERE updated_at >= ?")
        .bind(since)
        .fetch_one(db)
        .await?;
    let watchlist: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM watchlist WHERE added_at >= ?")
        .bind(since)
        .fetch_one(db)
        .await?;
    Ok(feedback + watchlist)
}

/// Trains on a blocking thread (one core) and swaps the new model in; requests keep
/// reading the old one until the swap. Returns `None` when a training was already running.
///
/// # Errors
/// Those of [`Trainer::train`]; the live model is unchanged then.
pub async fn retrain_and_swap(state: &crate::AppState) -> AppResult<Option<ModelInfo>> {
    match state
        .trainer
        .train(&state.db, Parallelism::Threads(std::num::NonZeroUsize::MIN))
        .await?
    {
        Some((recommender, info)) => {
            state.model.store(Arc::new(recommender));
            Ok(Some(info))
        }
        None => Ok(None),
    }
}

/// Whether the background trainer should refit now: `after_events` new events (0: never by
/// count), or any new event once `every_seconds` (0: never by time) have passed.
///
/// # Errors
/// Database errors.
pub async fn retrain_due(db: &Db, after_events: u64, every_seconds: u64) -> AppResult<bool> {
    let new_events = events_since_last_training(db).await?;
    if new_events == 0 {
        return Ok(false);
    }
    if after_events > 0 && new_events as u64 >= after_events {
        return Ok(true);
    }
    let last = last_model(db).await?.map_or(0, |m| m.trained_at);
    Ok(every_seconds > 0 && (now() - last) as u64 >= every_seconds)
}

/// The background trainer: checks every `poll` whether a retrain is due (see
/// [`retrain_due`]) and runs it. Errors are logged; the loop keeps going.
pub async fn background_trainer(state: crate::AppState, poll: std::time::Duration) {
    let mut ticker = tokio::time::interval(poll);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let config = &state.config;
        match retrain_due(
            &state.db,
            config.retrain_after_events,
            config.retrain_every_seconds,
        )
        .await
        {
            Ok(true) => match retrain_and_swap(&state).await {
                Ok(Some(info)) => {
                    tracing::info!(fingerprint = %info.fingerprint, "background retrain swapped in")
                }
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "background retrain failed"),
            },
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "retrain check failed"),
        }
    }
}
