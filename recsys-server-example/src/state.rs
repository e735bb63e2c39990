//! What every handler shares.

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::limiter::LoginLimiter;
use crate::metrics::Metrics;
use crate::model::{LiveModel, ModelStatus, Trainer};

/// The application state: database pool, live model, trainer, settings, login limiter.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The recommender every request reads (swapped whole by retraining).
    pub model: LiveModel,
    /// Fits new models.
    pub trainer: Trainer,
    /// Settings.
    pub config: Arc<Config>,
    /// Failed login attempts per account and per address.
    pub limiter: Arc<LoginLimiter>,
    /// Where the live model came from, when it was trained, the last retrain's error.
    pub model_status: Arc<std::sync::Mutex<ModelStatus>>,
    /// Request, retrain and fold-in metrics for `/metrics`.
    pub metrics: Arc<Metrics>,
}

impl AppState {
    /// A state over an open database and a live model (its status: just trained).
    pub fn new(db: Db, model: LiveModel, trainer: Trainer, config: Config) -> Self {
        let status = ModelStatus::new(model.load().fingerprint(), crate::db::now(), "trained");
        Self::with_status(db, model, trainer, config, status)
    }

    /// A state whose live model has the status `status`.
    pub fn with_status(
        db: Db,
        model: LiveModel,
        trainer: Trainer,
        config: Config,
        status: ModelStatus,
    ) -> Self {
        Self {
            db,
            model,
            trainer,
            config: Arc::new(config),
            limiter: Arc::new(LoginLimiter::default()),
            model_status: Arc::new(std::sync::Mutex::new(status)),
            metrics: Arc::new(Metrics::default()),
        }
    }

    /// A copy of the model status.
    pub fn model_status(&self) -> ModelStatus {
        self.model_status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Changes the model status.
    pub fn update_model_status(&self, change: impl FnOnce(&mut ModelStatus)) {
        change(&mut self.model_status.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("model", &self.model.load().fingerprint())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
