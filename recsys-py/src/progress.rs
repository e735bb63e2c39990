//! Per-iteration progress of an ALS fit, and the finished stages of a recommender's fit,
//! relayed to Python callables.
//!
//! The core calls [`AlsConfig::on_iteration`] from the fitting thread while the GIL is
//! released; the relay re-acquires the GIL for the call. A fit cannot be stopped midway, so the
//! first exception the callable raises is kept and re-raised once the fit has returned.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use pyo3::prelude::*;
use recsys_core::models::als::{AlsConfig, AlsProgress};
use recsys_core::recommender::FitProgress;

/// The first exception a progress callable raised, if any.
#[derive(Clone, Default)]
pub struct CallbackFailure(Arc<Mutex<Option<PyErr>>>);

impl CallbackFailure {
    /// Re-raises the kept exception (once).
    pub fn raise(&self) -> PyResult<()> {
        match self.0.lock().ok().and_then(|mut slot| slot.take()) {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }
}

/// `config` calling `progress(iteration, iterations, seconds, loss)` after every iteration
/// (`seconds`: the iteration's wall time; `loss`: the training loss when the config tracks it,
/// else None), and the slot of the callable's first exception.
pub fn relay(config: AlsConfig, progress: Option<Py<PyAny>>) -> (AlsConfig, CallbackFailure) {
    let failure = CallbackFailure::default();
    let Some(callback) = progress else {
        return (config, failure);
    };
    let slot = Arc::clone(&failure.0);
    let started = Mutex::new(Instant::now());
    let config = config.on_iteration(move |p: AlsProgress| {
        let seconds = started
            .lock()
            .map(|mut t| {
                let elapsed = t.elapsed().as_secs_f64();
                *t = Instant::now();
                elapsed
            })
            .unwrap_or(0.0);
        Python::attach(|py| {
            if let Err(err) = callback.call1(py, (p.iteration, p.iterations, seconds, p.loss)) {
                if let Ok(mut first) = slot.lock() {
                    first.get_or_insert(err);
                }
            }
        });
    });
    (config, failure)
}

/// A stage callback for `RecommenderBuilder::fit_with_progress` calling `stages(stage, done,
/// total)` (the stage's name, stages finished, stages in all) after every stage; the
/// callable's first exception goes to `failure` (shared with the ALS relay).
pub fn stage_relay(
    stages: Option<Py<PyAny>>,
    failure: &CallbackFailure,
) -> impl FnMut(FitProgress) + Send {
    let slot = Arc::clone(&failure.0);
    move |p: FitProgress| {
        let Some(callback) = &stages else {
            return;
        };
        Python::attach(|py| {
            if let Err(err) = callback.call1(py, (p.stage.name(), p.done, p.total)) {
                if let Ok(mut first) = slot.lock() {
                    first.get_or_insert(err);
                }
            }
        });
    }
}
