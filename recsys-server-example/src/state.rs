//! What every handler shares.

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::limiter::LoginLimiter;
use crate::model::{LiveModel, Trainer};

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
}

impl AppState {
    /// A state over an open database and a live model.
    pub fn new(db: Db, model: LiveModel, trainer: Trainer, config: Config) -> Self {
        Self {
            db,
            model,
            trainer,
            config: Arc::new(config),
            limiter: Arc::new(LoginLimiter::default()),
        }
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
