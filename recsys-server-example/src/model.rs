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
use crate::with_db;
use crate::with_tx;

/// The current recommender, swapped whole when a training finishes.
pub type LiveModel = Arc<ArcSwap<Recommender>>;

/// Where the live model came from, shown by `/api/health` and `/metrics`.
#[derive(Clone, Debug, Serialize)]
pub struct ModelStatus {
    /// The live model's fingerprint.
    pub fingerprint: String,
    /// Unix seconds of its training (the `models` row; the file's time when there is none).
    pub trained_at: i64,
    /// `artifact` (the last artifact, at start), `previous_artifact` (the one before it,
    /// because the last was missing or corrupt), `trained` (fitted by this process) or
    /// `published` (another replica's training, picked up by polling).
    pub source: &'static str,
    /// Why the model is not the expected one (e.g. the artifact was corrupt), if so.
    pub warning: Option<String>,
    /// The last failed retrain's error (cleared by a successful one).
    pub last_retrain_error: Option<String>,
}

impl ModelStatus {
    /// The status of a model with `fingerprint`, trained at `trained_at`, from `source`.
    pub fn new(fingerprint: &str, trained_at: i64, source: &'static str) -> Self {
        Self {
            fingerprint: fingerprint.to_string(),
            trained_at,
            source,
            warning: None,
            last_retrain_error: None,
        }
    }
}

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
                keep_previous_artifact(&path);
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
        let model_id: i64 = with_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
            "INSERT INTO models (fingerprint, trained_at, seconds, n_users, n_items, n_events) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&info.fingerprint)
        .bind(info.trained_at)
        .bind(info.seconds)
        .bind(info.n_users)
        .bind(info.n_items)
        .bind(info.n_events)
        .fetch_one(&mut **conn)
        .await
        })?;
        if let Some(validation) = &info.validation {
            let text =
                serde_json::to_string(validation).map_err(crate::error::AppError::internal)?;
            with_tx!(&mut tx, |conn| sqlx::query(
                "INSERT INTO model_metrics (model_id, metrics) VALUES ($1, $2)"
            )
            .bind(model_id)
            .bind(text)
            .execute(&mut **conn)
            .await
            .map(|done| done.rows_affected()))?;
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
    Ok(with_db!(db, |pool| sqlx::query_as(
        "SELECT fingerprint, trained_at, seconds, n_users, n_items, n_events \
         FROM models ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await)?)
}

/// The validation metrics of the last training, if it had any.
///
/// # Errors
/// Database errors.
pub async fn last_validation(db: &Db) -> AppResult<Option<Validation>> {
    let text: Option<String> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT k.metrics FROM models m JOIN model_metrics k ON k.model_id = m.id \
         WHERE m.id = (SELECT MAX(id) FROM models)",
    )
    .fetch_optional(pool)
    .await)?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Where the artifact before the one at `artifact` is kept (`<stem>.previous.recsys`): the
/// last good model when the current file turns out corrupt at start.
pub fn previous_artifact_path(artifact: &Path) -> std::path::PathBuf {
    let stem = artifact
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("model");
    artifact.with_file_name(format!("{stem}.previous.recsys"))
}

/// Links (or copies) the artifact at `artifact`, if any, to [`previous_artifact_path`]
/// before a new one replaces it. Best effort: a failure is logged and the training goes on.
fn keep_previous_artifact(artifact: &Path) {
    if !artifact.is_file() {
        return;
    }
    let previous = previous_artifact_path(artifact);
    let _ = std::fs::remove_file(&previous);
    if std::fs::hard_link(artifact, &previous).is_err() {
        if let Err(e) = std::fs::copy(artifact, &previous) {
            tracing::warn!(error = %e, "cannot keep the previous artifact");
        }
    }
}

/// The model to serve at start: the artifact at `trainer`'s path; when it is missing or
/// corrupt, the previous artifact (with a warning); when there is neither, `None` (the
/// caller trains).
pub async fn load_at_start(trainer: &Trainer) -> (Option<Recommender>, Option<String>) {
    let path = trainer.artifact();
    let warning = match load_artifact(path).await {
        Ok(Some(recommender)) => return (Some(recommender), None),
        Ok(None) => format!("{} is missing", path.display()),
        Err(e) => format!("{} is unusable ({e})", path.display()),
    };
    let previous = previous_artifact_path(path);
    match load_artifact(&previous).await {
        Ok(Some(recommender)) => {
            tracing::warn!(%warning, "serving the previous artifact");
            // Put it back in place, so the next training keeps it (not the bad file) as the
            // previous one.
            let (copy, target) = (recommender.clone(), path.to_path_buf());
            match tokio::task::spawn_blocking(move || copy.save(&target)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "cannot restore the artifact"),
                Err(e) => tracing::warn!(error = %e, "cannot restore the artifact"),
            }
            (
                Some(recommender),
                Some(format!("{warning}; serving the previous artifact")),
            )
        }
        Ok(None) => (None, Some(warning)),
        Err(e) => (
            None,
            Some(format!("{warning}; the previous artifact too ({e})")),
        ),
    }
}

/// Unix seconds at which the model `fingerprint` was trained, from the `models` table.
///
/// # Errors
/// Database errors.
pub async fn trained_at(db: &Db, fingerprint: &str) -> AppResult<Option<i64>> {
    Ok(with_db!(db, |pool| sqlx::query_scalar(
        "SELECT trained_at FROM models WHERE fingerprint = $1 ORDER BY id DESC LIMIT 1"
    )
    .bind(fingerprint)
    .fetch_optional(pool)
    .await)?)
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
    let movies: Vec<(String, String, Option<i32>, String)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT id, title, year, synopsis FROM movies ORDER BY rowid"
    )
    .fetch_all(pool)
    .await)?;
    for (id, title, year, synopsis) in &movies {
        let mut editor = ds.item(id).title(title);
        if let Some(year) = year {
            editor = editor.year(*year);
        }
        if !synopsis.is_empty() {
            editor.text(synopsis);
        }
    }
    let genres: Vec<(String, String)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT movie_id, genre FROM movie_genres ORDER BY rowid"
    )
    .fetch_all(pool)
    .await)?;
    for (movie, genre) in &genres {
        ds.item(movie).genre(genre);
    }
    let tags: Vec<(String, String)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT movie_id, tag FROM movie_tags"
    )
    .fetch_all(pool)
    .await)?;
    for (movie, tag) in &tags {
        ds.item(movie).tag(tag);
    }
    let attributes: Vec<(String, String, String)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT movie_id, name, value FROM movie_attributes ORDER BY rowid"
    )
    .fetch_all(pool)
    .await)?;
    for (movie, name, value) in &attributes {
        ds.item(movie).attribute(name, value);
    }
    let credits: Vec<(String, String, Option<String>, String)> =
        with_db!(db, |pool| sqlx::query_as(
            "SELECT c.movie_id, c.person_id, p.name, c.role FROM credits c \
         JOIN people p ON p.id = c.person_id ORDER BY c.rowid",
        )
        .fetch_all(pool)
        .await)?;
    for (movie, person, name, role) in &credits {
        if let Some(role) = parse_role(role) {
            ds.item(movie).credit(person, name.as_deref(), role);
        }
    }
    let rows: Vec<StoredFeedback> = with_db!(db, |pool| sqlx::query_as(
        "SELECT user_id, movie_id, rating, opinion, watched, updated_at FROM feedback \
         ORDER BY updated_at, user_id, movie_id",
    )
    .fetch_all(pool)
    .await)?;
    for row in rows {
        let key = user_key(row.user_id);
        for feedback in row_events(row.rating, row.opinion.as_deref(), row.watched) {
            ds.add_event(&key, &row.movie_id, feedback, row.updated_at)?;
        }
    }
    let watchlist: Vec<(i64, String, i64)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT user_id, movie_id, added_at FROM watchlist ORDER BY added_at"
    )
    .fetch_all(pool)
    .await)?;
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
    let rows: Vec<StoredFeedback> = with_db!(db, |pool| sqlx::query_as(
        "SELECT user_id, movie_id, rating, opinion, watched, updated_at FROM feedback \
         WHERE user_id = $1 ORDER BY updated_at",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    let mut history = UserHistory::new();
    for row in rows {
        for feedback in row_events(row.rating, row.opinion.as_deref(), row.watched) {
            history.push(&row.movie_id, feedback, row.updated_at);
        }
    }
    let watchlist: Vec<(String, i64)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT movie_id, added_at FROM watchlist WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    for (movie, at) in watchlist {
        history.push(&movie, Feedback::Watchlisted, at);
    }
    // The onboarding quiz's favourites (weights 1–3 stars), which For You tilts towards.
    let genres: Vec<(String, i64)> = with_db!(db, |pool| {
        sqlx::query_as(
        "SELECT genre, weight FROM favorite_genres WHERE user_id = $1 ORDER BY weight DESC, genre",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    })?;
    for (genre, weight) in genres {
        history = history.with_weighted_favorite_genre(&genre, weight as f32);
    }
    let people: Vec<(String, i64)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT person_id, weight FROM favorite_people WHERE user_id = $1 \
         ORDER BY weight DESC, person_id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
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
    let feedback: i64 = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM feedback WHERE updated_at >= $1"
    )
    .bind(since)
    .fetch_one(pool)
    .await)?;
    let watchlist: i64 = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM watchlist WHERE added_at >= $1"
    )
    .bind(since)
    .fetch_one(pool)
    .await)?;
    Ok(feedback + watchlist)
}

/// Trains on a blocking thread (one core) and swaps the new model in; requests keep
/// reading the old one until the swap. Returns `None` when a training was already running.
///
/// # Errors
/// Those of [`Trainer::train`]; the live model is unchanged then.
pub async fn retrain_and_swap(state: &crate::AppState) -> AppResult<Option<ModelInfo>> {
    let trained = state
        .trainer
        .train(&state.db, Parallelism::Threads(std::num::NonZeroUsize::MIN))
        .await;
    match trained {
        Ok(Some((recommender, info))) => {
            state.model.store(Arc::new(recommender));
            state.metrics.observe_retrain(info.seconds);
            state.update_model_status(|status| {
                *status = ModelStatus::new(&info.fingerprint, info.trained_at, "trained");
            });
            Ok(Some(info))
        }
        Ok(None) => Ok(None),
        Err(e) => {
            // The old model stays live; the failure shows on /api/health and /metrics.
            state.metrics.count_retrain_failure();
            state.update_model_status(|status| status.last_retrain_error = Some(e.to_string()));
            Err(e)
        }
    }
}

/// Replicas: when the `models` table names a newer model than the live one (another
/// replica's training, written to the shared artifact path), loads the artifact and swaps it
/// in if it is that model. Returns the new fingerprint when it swapped.
///
/// # Errors
/// Database errors; an unreadable artifact (the live model stays).
pub async fn follow_published(state: &crate::AppState) -> AppResult<Option<String>> {
    let Some(latest) = last_model(&state.db).await? else {
        return Ok(None);
    };
    if latest.fingerprint == state.model.load().fingerprint() || state.trainer.is_running() {
        return Ok(None);
    }
    let Some(recommender) = load_artifact(state.trainer.artifact()).await? else {
        return Ok(None);
    };
    // The file may be older or newer than the row read above: swap only on a match.
    if recommender.fingerprint() != latest.fingerprint {
        return Ok(None);
    }
    state.model.store(Arc::new(recommender));
    state.update_model_status(|status| {
        *status = ModelStatus::new(&latest.fingerprint, latest.trained_at, "published");
    });
    Ok(Some(latest.fingerprint))
}

/// The replica poller: every `poll`, [`follow_published`]; errors are logged.
pub async fn model_poller(state: crate::AppState, poll: std::time::Duration) {
    let mut ticker = tokio::time::interval(poll);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        match follow_published(&state).await {
            Ok(Some(fingerprint)) => {
                tracing::info!(%fingerprint, "picked up a model published by another replica")
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "model poll failed"),
        }
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
