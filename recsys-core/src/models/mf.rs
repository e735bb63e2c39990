//! Explicit biased matrix factorisation for rating prediction.
//!
//! The model predicts `r̂(u, i) = μ + b_u + b_i + p_uᵀ q_i` (Koren, Bell & Volinsky 2009),
//! fitted to the squared error with L2 penalties weighted by each user's and item's number of
//! ratings. Two solvers minimise that objective ([`MfSolver`]): alternating least squares
//! (the default), which solves users and items in parallel, and stochastic gradient descent
//! ("Funk SVD" with biases), which visits the ratings in a seeded random order on one thread.
//! Either way the same seed gives the same model, whatever the number of threads.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{History, ItemScorer};
use crate::rng::shuffle;
use crate::rng::SplitMix64;
use crate::{Error, Result};

/// Largest factor count [`MfConfig::validate`] accepts.
const MAX_FACTORS: usize = 4096;

/// SGD needs tens of epochs; far more is a mistake that would run for days.
const MAX_EPOCHS: usize = 10_000;

mod als;

/// How [`MfConfig::fit`] minimises the objective.
///
/// ```
/// use recsys_core::models::mf::{MfConfig, MfSolver};
/// assert_eq!(MfConfig::new().get_solver(), MfSolver::Als);
/// assert_eq!(MfConfig::sgd().get_solver(), MfSolver::Sgd);
/// let json: MfSolver = serde_json::from_str("\"sgd\"").unwrap();
/// assert_eq!(json, MfSolver::Sgd);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MfSolver {
    /// Alternating least squares: each epoch solves every user's bias and factors with the
    /// items fixed (a few conjugate-gradient steps per user, [`MfConfig::cg_steps`]), then every
    /// item's, on all the fit's threads. Ignores the learning rate.
    #[default]
    Als,
    /// Stochastic gradient descent over the ratings in a seeded random order, on one thread
    /// ([`MfConfig::learning_rate`], [`MfConfig::learning_rate_decay`]).
    Sgd,
}

/// Progress reported to [`MfConfig::on_epoch`] after each epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MfProgress {
    /// Epochs completed so far (1-based).
    pub epoch: usize,
    /// Epochs in total.
    pub epochs: usize,
}

/// A progress callback; never compared, serialised or saved.
#[derive(Clone, Default)]
struct EpochHook(Option<Arc<dyn Fn(MfProgress) + Send + Sync>>);

impl EpochHook {
    fn call(&self, progress: MfProgress) {
        if let Some(callback) = &self.0 {
            callback(progress);
        }
    }
}

impl PartialEq for EpochHook {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for EpochHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Some(callback)"
        } else {
            "None"
        })
    }
}

/// Hyper-parameters of [`MfModel`].
///
/// ```
/// use recsys_core::models::mf::MfConfig;
///
/// // Two users who agree on items 0 and 1; user 1 has not rated item 2.
/// let ratings = [(0, 0, 5.0), (0, 1, 4.0), (0, 2, 1.0), (1, 0, 5.0), (1, 1, 4.0)];
/// let model = MfConfig::new().factors(4).seed(3).fit(&ratings, 2, 3).unwrap();
/// // A prior shrinks five ratings hard towards the mean, but their order stands.
/// assert!(model.predict(0, 0).unwrap() > model.predict(0, 2).unwrap() + 0.5);
/// assert!(model.predict(1, 2).unwrap() < 4.0);
/// // Unknown users fall back to the item's bias.
/// assert!(model.predict(99, 0).unwrap() > model.predict(99, 2).unwrap());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MfConfig {
    factors: usize,
    epochs: usize,
    learning_rate: f32,
    learning_rate_decay: f32,
    regularization: f32,
    bias_regularization: f32,
    init_std: f32,
    rating_range: Option<(f32, f32)>,
    seed: u64,
    solver: MfSolver,
    cg_steps: usize,
    prior: FoldInPrior,
    #[serde(skip)]
    progress: EpochHook,
}

impl Default for MfConfig {
    fn default() -> Self {
        Self {
            factors: 100,
            epochs: 5,
            learning_rate: 0.005,
            learning_rate_decay: 1.0,
            regularization: 0.04,
            bias_regularization: 0.02,
            init_std: 0.02,
            rating_range: None,
            seed: 42,
            solver: MfSolver::Als,
            cg_steps: 2,
            prior: FoldInPrior::new(2.0, 8.0),
            progress: EpochHook::default(),
        }
    }
}

/// The fields of [`MfConfig`] a saved [`MfModel`] keeps: those of artifact format 4. The
/// solver settings only matter while fitting, so they are not saved (a loaded model reports
/// the default solver) and files stay readable both ways.
#[derive(Serialize, Deserialize)]
#[serde(rename = "MfConfig")]
pub(crate) struct SavedMfConfig {
    factors: usize,
    epochs: usize,
    learning_rate: f32,
    learning_rate_decay: f32,
    regularization: f32,
    bias_regularization: f32,
    init_std: f32,
    rating_range: Option<(f32, f32)>,
    seed: u64,
}

impl From<&MfConfig> for SavedMfConfig {
    fn from(c: &MfConfig) -> Self {
        Self {
            factors: c.factors,
            epochs: c.epochs,
            learning_rate: c.learning_rate,
            learning_rate_decay: c.learning_rate_decay,
            regularization: c.regularization,
            bias_regularization: c.bias_regularization,
            init_std: c.init_std,
            rating_range: c.rating_range,
            seed: c.seed,
        }
    }
}

/// `#[serde(with)]` for a model's [`MfConfig`], through [`SavedMfConfig`].
mod saved_config {
    use super::{MfConfig, SavedMfConfig};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(c: &MfConfig, s: S) -> Result<S::Ok, S::Error> {
        SavedMfConfig::from(c).serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MfConfig, D::Error> {
        let c = SavedMfConfig::deserialize(d)?;
        Ok(MfConfig {
            factors: c.factors,
            epochs: c.epochs,
            learning_rate: c.learning_rate,
            learning_rate_decay: c.learning_rate_decay,
            regularization: c.regularization,
            bias_regularization: c.bias_regularization,
            init_std: c.init_std,
            rating_range: c.rating_range,
            seed: c.seed,
            ..MfConfig::default()
        })
    }
}

impl MfConfig {
    /// Defaults, chosen by 5-fold cross-validation on the MovieLens-100K validation training
    /// split: [`MfSolver::Als`] with `cg_steps = 2`, `factors = 100`, `epochs = 5`,
    /// `regularization = 0.04` (factors), `bias_regularization = 0.02`,
    /// `prior = FoldInPrior::new(2.0, 8.0)` (bias, factors), `init_std = 0.02`,
    /// `rating_range = None` (the training data's minimum and maximum), `seed = 42`
    /// (`learning_rate = 0.005` and `learning_rate_decay = 1.0` are for [`MfSolver::Sgd`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// The SGD solver's settings, chosen the same way: [`MfSolver::Sgd`], `epochs = 100`,
    /// `learning_rate = 0.005`, `learning_rate_decay = 1.0`, `regularization = 0.1`,
    /// `bias_regularization = 0.02`, `init_std = 0.02` (the defaults before ALS, which train
    /// the same model as then). One thread; on MovieLens-100K as accurate as the default and
    /// many times slower.
    ///
    /// ```
    /// use recsys_core::models::mf::{MfConfig, MfSolver};
    /// let sgd = MfConfig::sgd();
    /// assert_eq!((sgd.get_solver(), sgd.get_epochs()), (MfSolver::Sgd, 100));
    /// ```
    pub fn sgd() -> Self {
        Self::default()
            .solver(MfSolver::Sgd)
            .epochs(100)
            .regularization(0.1)
    }

    /// Extra penalties every user and item gets on its bias and factors, in units of ratings
    /// (as [`FoldInPrior`]): the penalty of a row with `n` ratings is
    /// `(n λ_b + prior.bias) b² + (n λ + prior.factors) ‖p‖²`, so rows with few ratings stay
    /// near zero. [`MfSolver::Als`] only.
    pub fn prior(mut self, prior: FoldInPrior) -> Self {
        self.prior = prior;
        self
    }

    /// The solver ([`MfSolver`]).
    pub fn solver(mut self, solver: MfSolver) -> Self {
        self.solver = solver;
        self
    }

    /// The configured solver.
    pub fn get_solver(&self) -> MfSolver {
        self.solver
    }

    /// The configured row prior ([`MfConfig::prior`]).
    pub fn get_prior(&self) -> FoldInPrior {
        self.prior
    }

    /// The configured number of epochs.
    pub fn get_epochs(&self) -> usize {
        self.epochs
    }

    /// Conjugate-gradient steps per row and epoch of [`MfSolver::Als`] (1 to 1024; more solve
    /// each row's least-squares problem more exactly, `factors + 1` exactly).
    pub fn cg_steps(mut self, steps: usize) -> Self {
        self.cg_steps = steps;
        self
    }

    /// Calls `callback` after every epoch of a fit (from the fitting thread).
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use recsys_core::models::mf::{MfConfig, MfProgress};
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = Arc::clone(&seen);
    /// let config = MfConfig::new().factors(2).epochs(3).on_epoch(move |p: MfProgress| {
    ///     log.lock().unwrap().push((p.epoch, p.epochs));
    /// });
    /// config.fit(&[(0, 0, 4.0), (1, 0, 2.0)], 2, 1)?;
    /// assert_eq!(*seen.lock().unwrap(), [(1, 3), (2, 3), (3, 3)]);
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    pub fn on_epoch(mut self, callback: impl Fn(MfProgress) + Send + Sync + 'static) -> Self {
        self.progress = EpochHook(Some(Arc::new(callback)));
        self
    }

    /// Number of latent factors (1 to 4096).
    pub fn factors(mut self, factors: usize) -> Self {
        self.factors = factors;
        self
    }

    /// Passes over the training ratings (≥ 1): SGD epochs, or ALS sweeps (users, then items).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// SGD step size (> 0; [`MfSolver::Sgd`] only).
    pub fn learning_rate(mut self, learning_rate: f32) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Factor by which the SGD step size shrinks after each epoch (in `(0, 1]`).
    pub fn learning_rate_decay(mut self, decay: f32) -> Self {
        self.learning_rate_decay = decay;
        self
    }

    /// L2 penalty on the factor vectors, per rating (≥ 0).
    pub fn regularization(mut self, regularization: f32) -> Self {
        self.regularization = regularization;
        self
    }

    /// L2 penalty on the user and item biases, per rating (≥ 0).
    pub fn bias_regularization(mut self, regularization: f32) -> Self {
        self.bias_regularization = regularization;
        self
    }

    /// Standard deviation of the normal initial factors (≥ 0).
    pub fn init_std(mut self, init_std: f32) -> Self {
        self.init_std = init_std;
        self
    }

    /// Predictions are clipped to `[min, max]`; by default the range of the training ratings.
    pub fn rating_range(mut self, min: f32, max: f32) -> Self {
        self.rating_range = Some((min, max));
        self
    }

    /// Seed of the initialisation (and SGD's visiting order).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks the hyper-parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the first parameter out of range.
    pub fn validate(&self) -> Result<()> {
        if self.factors == 0 || self.factors > MAX_FACTORS {
            return Err(Error::invalid(
                "factors",
                format!("must be in 1..={MAX_FACTORS}, got {}", self.factors),
            ));
        }
        self.prior.validate()?;
        if self.cg_steps == 0 || self.cg_steps > 1024 {
            return Err(Error::invalid(
                "cg_steps",
                format!("must be in 1..=1024, got {}", self.cg_steps),
            ));
        }
        if self.epochs == 0 || self.epochs > MAX_EPOCHS {
            return Err(Error::invalid(
                "epochs",
                format!("must be in 1..={MAX_EPOCHS}, got {}", self.epochs),
            ));
        }
        let non_negative = [
            ("regularization", self.regularization),
            ("bias_regularization", self.bias_regularization),
            ("init_std", self.init_std),
        ];
        for (name, v) in non_negative {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid(
                    name,
                    format!("must be finite and ≥ 0, got {v}"),
                ));
            }
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::invalid("learning_rate", "must be finite and > 0"));
        }
        if !(self.learning_rate_decay > 0.0 && self.learning_rate_decay <= 1.0) {
            return Err(Error::invalid("learning_rate_decay", "must be in (0, 1]"));
        }
        if let Some((min, max)) = self.rating_range {
            if !(min.is_finite() && max.is_finite() && min <= max) {
                return Err(Error::invalid(
                    "rating_range",
                    format!("needs finite min ≤ max, got [{min}, {max}]"),
                ));
            }
        }
        Ok(())
    }

    /// Trains on `(user, item, rating)` triplets with dense indices below `n_users` / `n_items`.
    ///
    /// Users and items without training ratings keep zero factors and biases, so their
    /// predictions fall back to the other side's bias and the global mean.
    ///
    /// # Errors
    /// Those of [`MfConfig::validate`]; [`Error::EmptyInput`] for no ratings,
    /// [`Error::IndexOutOfRange`] for an index outside the shape, [`Error::NonFinite`] for a NaN
    /// or infinite rating, [`Error::FitFailed`] if training diverges (lower the learning rate);
    /// [`Error::InvalidParameter`] when `n_users` (or `n_items`) exceeds the number of ratings
    /// by more than [`MAX_UNBACKED_LEN`](crate::data::MAX_UNBACKED_LEN) (an absurd shape is
    /// refused rather than allocated).
    pub fn fit(
        &self,
        ratings: &[(u32, u32, f32)],
        n_users: usize,
        n_items: usize,
    ) -> Result<MfModel> {
        // Every row gets `factors` values, rated or not: bound the rows no rating backs.
        crate::data::check_unbacked_len("n_users", n_users, ratings.len())?;
        crate::data::check_unbacked_len("n_items", n_items, ratings.len())?;
        self.fit_backed(ratings, n_users, n_items)
    }

    /// [`MfConfig::fit`] for a shape backed by data the caller holds (a dataset's id maps).
    pub(crate) fn fit_backed(
        &self,
        ratings: &[(u32, u32, f32)],
        n_users: usize,
        n_items: usize,
    ) -> Result<MfModel> {
        self.validate()?;
        if ratings.is_empty() {
            return Err(Error::EmptyInput {
                what: "ratings".into(),
            });
        }
        // Indices are u32; refuse a shape whose factor matrix could not even be sized, rather
        // than overflow while allocating it.
        for (name, n) in [("n_users", n_users), ("n_items", n_items)] {
            let values = n.checked_mul(self.factors);
            if n as u64 > u64::from(u32::MAX) + 1
                || values.is_none_or(|v| v > isize::MAX as usize / 4)
            {
                return Err(Error::invalid(
                    name,
                    format!("{n} rows of {} factors cannot be stored", self.factors),
                ));
            }
        }
        let mut sum = 0.0f64;
        let (mut lowest, mut highest) = (f32::INFINITY, f32::NEG_INFINITY);
        let mut user_seen = vec![false; n_users];
        let mut item_seen = vec![false; n_items];
        for (k, &(user, item, rating)) in ratings.iter().enumerate() {
            check_index("user", user, n_users)?;
            check_index("item", item, n_items)?;
            crate::error::ensure_finite(f64::from(rating), || {
                format!("rating #{k} (user {user}, item {item})")
            })?;
            user_seen[user as usize] = true;
            item_seen[item as usize] = true;
            sum += f64::from(rating);
            lowest = lowest.min(rating);
            highest = highest.max(rating);
        }
        let k = self.factors;
        let mut rng = SplitMix64::new(self.seed);
        let mut model = MfModel {
            config: self.clone(),
            global_mean: (sum / ratings.len() as f64) as f32,
            user_bias: vec![0.0; n_users],
            item_bias: vec![0.0; n_items],
            user_factors: init_factors(&mut rng, &user_seen, k, self.init_std),
            item_factors: init_factors(&mut rng, &item_seen, k, self.init_std),
            rating_range: self.rating_range.unwrap_or((lowest, highest)),
        };
        match self.solver {
            MfSolver::Als => self.fit_als(&mut model, ratings),
            MfSolver::Sgd => self.fit_sgd(&mut model, ratings, &mut rng)?,
        }
        let finite = |v: &[f32]| v.iter().all(|x| x.is_finite());
        if !(finite(&model.user_factors)
            && finite(&model.item_factors)
            && finite(&model.user_bias)
            && finite(&model.item_bias))
        {
            return Err(Error::FitFailed {
                reason: "the rating model diverged (ratings too large?)".into(),
            });
        }
        Ok(model)
    }

    /// [`MfSolver::Als`]: alternating half-sweeps over users and items ([`als`]).
    fn fit_als(&self, model: &mut MfModel, ratings: &[(u32, u32, f32)]) {
        let (n_users, n_items) = (model.n_users(), model.n_items());
        let by_user = als::RatingRows::group(n_users, ratings, |&(u, i, _)| (u, i));
        let by_item = als::RatingRows::group(n_items, ratings, |&(u, i, _)| (i, u));
        for epoch in 0..self.epochs {
            let users = als::HalfSweep {
                rows: &by_user,
                fixed_bias: &model.item_bias,
                fixed_factors: &model.item_factors,
                k: self.factors,
                global_mean: model.global_mean,
                regularization: self.regularization,
                bias_regularization: self.bias_regularization,
                prior: self.prior,
                cg_steps: self.cg_steps,
            };
            users.solve(&mut model.user_bias, &mut model.user_factors);
            let items = als::HalfSweep {
                rows: &by_item,
                fixed_bias: &model.user_bias,
                fixed_factors: &model.user_factors,
                ..users
            };
            items.solve(&mut model.item_bias, &mut model.item_factors);
            self.progress.call(MfProgress {
                epoch: epoch + 1,
                epochs: self.epochs,
            });
        }
    }

    /// [`MfSolver::Sgd`]: epochs over the ratings in a seeded random order.
    fn fit_sgd(
        &self,
        model: &mut MfModel,
        ratings: &[(u32, u32, f32)],
        rng: &mut SplitMix64,
    ) -> Result<()> {
        let mut order: Vec<usize> = (0..ratings.len()).collect();
        let mut learning_rate = self.learning_rate;
        for epoch in 0..self.epochs {
            shuffle(rng, &mut order);
            let squared_error = pulp::Arch::new().dispatch(SgdEpoch {
                model,
                ratings,
                order: &order,
                learning_rate,
            });
            if !squared_error.is_finite() {
                return Err(Error::FitFailed {
                    reason: format!(
                        "SGD diverged in epoch {epoch} (learning rate {learning_rate}); lower it"
                    ),
                });
            }
            learning_rate *= self.learning_rate_decay;
            self.progress.call(MfProgress {
                epoch: epoch + 1,
                epochs: self.epochs,
            });
        }
        Ok(())
    }
}

fn check_index(what: &'static str, index: u32, len: usize) -> Result<()> {
    if (index as usize) < len {
        Ok(())
    } else {
        Err(Error::IndexOutOfRange {
            what,
            index: index as usize,
            len,
        })
    }
}

/// Row-major `seen.len() × k` factors, normal(0, std) for seen rows and zero for the others.
fn init_factors(rng: &mut SplitMix64, seen: &[bool], k: usize, std: f32) -> Vec<f32> {
    let mut factors = vec![0.0f32; seen.len() * k];
    for (row, _) in factors.chunks_mut(k).zip(seen).filter(|(_, &s)| s) {
        for value in row {
            *value = std * standard_normal(rng);
        }
    }
    factors
}

/// One standard normal draw (Box–Muller).
fn standard_normal(rng: &mut SplitMix64) -> f32 {
    let u1 = 1.0 - rng.next_f32(); // in (0, 1]: ln is finite
    let u2 = rng.next_f32();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

/// A trained explicit rating model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MfModelUnchecked")]
pub struct MfModel {
    #[serde(with = "saved_config")]
    config: MfConfig,
    global_mean: f32,
    user_bias: Vec<f32>,
    item_bias: Vec<f32>,
    /// `n_users × factors`, row-major.
    #[serde(with = "crate::codec::packed")]
    user_factors: Vec<f32>,
    /// `n_items × factors`, row-major.
    #[serde(with = "crate::codec::packed")]
    item_factors: Vec<f32>,
    rating_range: (f32, f32),
}

crate::validate::checked_deserialize! {
    MfModel via MfModelUnchecked {
        #[serde(with = "saved_config")]
        config: MfConfig,
        global_mean: f32,
        user_bias: Vec<f32>,
        item_bias: Vec<f32>,
        #[serde(with = "crate::codec::packed")]
        user_factors: Vec<f32>,
        #[serde(with = "crate::codec::packed")]
        item_factors: Vec<f32>,
        rating_range: (f32, f32),
    }
    check MfModel::validate
}

/// One SGD epoch as a `pulp` operation: the inlined loops are compiled for AVX2 where the CPU
/// has it. Besides the wider vectors this keeps them VEX-encoded, so they do not pay the
/// SSE/AVX transition penalty after faer's AVX-512 kernels ran on the thread (ALS before MF
/// made legacy-SSE epochs 2× slower).
struct SgdEpoch<'a> {
    model: &'a mut MfModel,
    ratings: &'a [(u32, u32, f32)],
    order: &'a [usize],
    learning_rate: f32,
}

impl pulp::WithSimd for SgdEpoch<'_> {
    type Output = f64;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> f64 {
        self.model
            .sgd_epoch(self.ratings, self.order, self.learning_rate)
    }
}

impl MfModel {
    /// One SGD pass in `order`; returns the sum of squared training errors seen.
    #[inline(always)]
    fn sgd_epoch(
        &mut self,
        ratings: &[(u32, u32, f32)],
        order: &[usize],
        learning_rate: f32,
    ) -> f64 {
        let k = self.config.factors;
        let (reg, reg_bias) = (self.config.regularization, self.config.bias_regularization);
        let mut squared_error = 0.0f64;
        for &index in order {
            let (user, item, rating) = ratings[index];
            let (u, i) = (user as usize, item as usize);
            let p = &mut self.user_factors[u * k..(u + 1) * k];
            let q = &mut self.item_factors[i * k..(i + 1) * k];
            // Lane-parallel partial sums: a serial sum would not vectorise (most of the time).
            let dot = crate::linalg::dot_f32(p, q);
            let error = rating - (self.global_mean + self.user_bias[u] + self.item_bias[i] + dot);
            squared_error += f64::from(error * error);
            self.user_bias[u] += learning_rate * (error - reg_bias * self.user_bias[u]);
            self.item_bias[i] += learning_rate * (error - reg_bias * self.item_bias[i]);
            for (pf, qf) in p.iter_mut().zip(q.iter_mut()) {
                let (old_p, old_q) = (*pf, *qf);
                *pf += learning_rate * (error * old_q - reg * old_p);
                *qf += learning_rate * (error * old_p - reg * old_q);
            }
        }
        squared_error
    }

    /// The configuration the model was fitted with.
    pub fn config(&self) -> &MfConfig {
        &self.config
    }

    /// Checks a decoded model: a valid configuration, `n × factors` factor matrices matching
    /// the bias lengths, finite values and a finite rating range with `min ≤ max`.
    pub(crate) fn validate(&self) -> Result<()> {
        use crate::validate::{check_finite, corrupt};
        self.config
            .validate()
            .map_err(|err| corrupt(format!("MF configuration: {err}")))?;
        let k = self.config.factors;
        for (what, biases, factors) in [
            ("user", &self.user_bias, &self.user_factors),
            ("item", &self.item_bias, &self.item_factors),
        ] {
            if biases.len().checked_mul(k) != Some(factors.len()) {
                return Err(corrupt(format!(
                    "MF {what} factors hold {} values, expected {} × {k}",
                    factors.len(),
                    biases.len()
                )));
            }
            check_finite(&format!("MF {what} biases"), biases)?;
            check_finite(&format!("MF {what} factors"), factors)?;
        }
        let (min, max) = self.rating_range;
        if !(min.is_finite() && max.is_finite() && min <= max && self.global_mean.is_finite()) {
            return Err(corrupt(format!(
                "MF rating range [{min}, {max}] or global mean {} is invalid",
                self.global_mean
            )));
        }
        Ok(())
    }

    /// Number of users the model was trained with.
    pub fn n_users(&self) -> usize {
        self.user_bias.len()
    }

    /// Number of items the model was trained with.
    pub fn n_items(&self) -> usize {
        self.item_bias.len()
    }

    /// Mean training rating μ.
    pub fn global_mean(&self) -> f32 {
        self.global_mean
    }

    /// The range predictions are clipped to.
    pub fn rating_range(&self) -> (f32, f32) {
        self.rating_range
    }

    /// The unclipped score `μ + b_u + b_i + p_uᵀ q_i`; terms of an unknown user or item are zero.
    fn raw_score(&self, user: u32, item: u32) -> f32 {
        let k = self.config.factors;
        let (u, i) = (user as usize, item as usize);
        let mut score = self.global_mean;
        if let Some(b) = self.user_bias.get(u) {
            score += b;
        }
        if let Some(b) = self.item_bias.get(i) {
            score += b;
        }
        if u < self.n_users() && i < self.n_items() {
            let p = &self.user_factors[u * k..(u + 1) * k];
            let q = &self.item_factors[i * k..(i + 1) * k];
            score += crate::linalg::dot_f32(p, q);
        }
        score
    }

    /// Predicted rating of `user` for `item`, clipped to the rating range.
    ///
    /// A user (item) index the model was not trained with, or one without training ratings,
    /// contributes nothing: the prediction falls back to `μ + b_i` (`μ + b_u`, or `μ`).
    ///
    /// # Errors
    /// [`Error::NonFinite`] if the score overflows (factors too large to multiply).
    pub fn predict(&self, user: u32, item: u32) -> Result<f32> {
        let (min, max) = self.rating_range;
        let score = self.raw_score(user, item);
        crate::error::ensure_finite(f64::from(score), || {
            format!("MF score of user {user} for item {item}")
        })?;
        // `max` rather than `clamp`: it cannot panic, even on a range built by hand.
        Ok(score.max(min).min(max))
    }

    /// [`MfModel::predict`] for many `(user, item)` pairs.
    pub fn predict_many(&self, pairs: &[(u32, u32)]) -> Result<Vec<f32>> {
        pairs.iter().map(|&(u, i)| self.predict(u, i)).collect()
    }

    /// The same model without its users: what serving needs when every request folds its
    /// user in ([`MfModel::fold_in`]). [`MfModel::predict`] then falls back to `μ + b_i`.
    pub fn into_item_side(mut self) -> Self {
        self.user_bias = Vec::new();
        self.user_factors = Vec::new();
        self
    }

    /// Solves a user's bias and factors from their explicit ratings `(item, rating)` against
    /// the fixed item factors and biases.
    ///
    /// It is the ridge problem of training restricted to one user:
    /// minimise `Σ (r − μ − b_i − b_u − pᵀq_i)² + n (λ_b b_u² + λ ‖p‖²)` over `(b_u, p)`, with
    /// `n` the number of ratings and `λ`, `λ_b` the model's regularisation (SGD applies them
    /// once per rating, hence the factor `n`; a tiny floor keeps an unregularised model
    /// solvable). One `(k + 1) × (k + 1)` Cholesky solve. Repeated items count as repeated
    /// observations: pass one rating per item. No ratings give the item baseline `μ + b_i`.
    ///
    /// ```
    /// use recsys_core::models::mf::MfConfig;
    ///
    /// let ratings = [(0, 0, 5.0), (0, 1, 4.0), (0, 2, 1.0), (1, 0, 5.0), (1, 1, 4.0), (1, 2, 2.0)];
    /// let model = MfConfig::new().factors(4).epochs(100).fit(&ratings, 2, 3)?;
    /// // A new user who loved item 0 and disliked item 2.
    /// let user = model.fold_in(&[(0, 5.0), (2, 1.0)])?;
    /// assert!(model.predict_folded(&user, 0)? > model.predict_folded(&user, 2)?);
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an item the model does not know, [`Error::NonFinite`]
    /// for a NaN or infinite rating, [`Error::FitFailed`] if the system cannot be solved
    /// (ratings so large that it overflows).
    pub fn fold_in(&self, ratings: &[(u32, f32)]) -> Result<FoldedUser> {
        self.fold_in_with_prior(ratings, FoldInPrior::NONE)
    }

    /// [`MfModel::fold_in`] shrunk towards the item baseline by `prior`: the penalties become
    /// `(n λ_b + prior.bias) b_u² + (n λ + prior.factors) ‖p‖²`, so a user with few ratings
    /// stays near `μ + b_i` and the history takes over as it grows (a Gaussian prior on the
    /// user's bias and factors, in units of ratings). [`FoldInPrior::NONE`] is
    /// [`MfModel::fold_in`].
    ///
    /// ```
    /// use recsys_core::models::mf::{FoldInPrior, MfConfig};
    ///
    /// let ratings = [(0, 0, 5.0), (0, 1, 4.0), (1, 0, 2.0), (1, 1, 1.0), (2, 1, 3.0)];
    /// let model = MfConfig::new().factors(2).epochs(50).fit(&ratings, 3, 2)?;
    /// let bare = model.fold_in(&[(0, 5.0)])?;
    /// let shrunk = model.fold_in_with_prior(&[(0, 5.0)], FoldInPrior::new(5.0, 5.0))?;
    /// // One rating moves a shrunk user less than a bare fold-in.
    /// assert!(shrunk.bias().abs() < bare.bias().abs());
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`MfModel::fold_in`]; [`Error::InvalidParameter`] for a negative or
    /// non-finite prior.
    pub fn fold_in_with_prior(
        &self,
        ratings: &[(u32, f32)],
        prior: FoldInPrior,
    ) -> Result<FoldedUser> {
        prior.validate()?;
        let k = self.config.factors;
        let dim = k + 1;
        if ratings.is_empty() {
            return Ok(FoldedUser {
                bias: 0.0,
                factors: vec![0.0; k],
            });
        }
        // Unknowns: [b_u, p]; regressors of item i: [1, q_i] (row-major, one row per rating);
        // target r − μ − b_i.
        let mut regressors = vec![0.0f64; ratings.len() * dim];
        let mut targets = vec![0.0f64; ratings.len()];
        for (position, (&(item, rating), (row, target))) in ratings
            .iter()
            .zip(regressors.chunks_exact_mut(dim).zip(&mut targets))
            .enumerate()
        {
            check_index("item", item, self.n_items())?;
            crate::error::ensure_finite(f64::from(rating), || {
                format!("rating #{position} (item {item})")
            })?;
            let i = item as usize;
            row[0] = 1.0;
            for (r, &q) in row[1..]
                .iter_mut()
                .zip(&self.item_factors[i * k..(i + 1) * k])
            {
                *r = f64::from(q);
            }
            *target =
                f64::from(rating) - f64::from(self.global_mean) - f64::from(self.item_bias[i]);
        }
        // ZᵀZ and Zᵀt as two faer products (SIMD kernels; a scalar loop is 10× slower).
        let z = faer::MatRef::from_row_major_slice(&regressors, ratings.len(), dim);
        let t = faer::MatRef::from_column_major_slice(&targets, ratings.len(), 1);
        let mut gram = faer::Mat::<f64>::zeros(dim, dim);
        let mut rhs = faer::Mat::<f64>::zeros(dim, 1);
        use faer::linalg::matmul::matmul;
        matmul(
            gram.as_mut(),
            faer::Accum::Replace,
            z.transpose(),
            z,
            1.0,
            faer::Par::Seq,
        );
        matmul(
            rhs.as_mut(),
            faer::Accum::Replace,
            z.transpose(),
            t,
            1.0,
            faer::Par::Seq,
        );
        let n = ratings.len() as f64;
        let floor = 1e-6;
        gram[(0, 0)] +=
            (n * f64::from(self.config.bias_regularization) + f64::from(prior.bias)).max(floor);
        for d in 1..dim {
            gram[(d, d)] +=
                (n * f64::from(self.config.regularization) + f64::from(prior.factors)).max(floor);
        }
        let singular = || Error::FitFailed {
            reason: "the rating fold-in system cannot be solved (ratings too large?)".into(),
        };
        let factorisation = gram.llt(faer::Side::Lower).map_err(|_| singular())?;
        use faer::linalg::solvers::Solve;
        factorisation.solve_in_place(rhs.as_mut());
        let solution: Vec<f32> = (0..dim).map(|d| rhs[(d, 0)] as f32).collect();
        if solution.iter().any(|v| !v.is_finite()) {
            return Err(singular());
        }
        Ok(FoldedUser {
            bias: solution[0],
            factors: solution[1..].to_vec(),
        })
    }

    /// Predicted rating of a folded-in user for `item`, clipped to the rating range; an item
    /// without training ratings gets `μ + b_u`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown item, [`Error::DimensionMismatch`] for a user
    /// folded into a model with another factor count, [`Error::NonFinite`] if the score is NaN.
    pub fn predict_folded(&self, user: &FoldedUser, item: u32) -> Result<f32> {
        check_index("item", item, self.n_items())?;
        let k = self.config.factors;
        if user.factors.len() != k {
            return Err(Error::DimensionMismatch {
                context: "folded MF user factors".into(),
                expected: k,
                got: user.factors.len(),
            });
        }
        let i = item as usize;
        let q = &self.item_factors[i * k..(i + 1) * k];
        let dot: f64 = user
            .factors
            .iter()
            .zip(q)
            .map(|(&a, &b)| f64::from(a) * f64::from(b))
            .sum();
        let score =
            f64::from(self.global_mean) + f64::from(self.item_bias[i]) + f64::from(user.bias) + dot;
        crate::error::ensure_finite(score, || {
            format!("MF score of a folded user for item {item}")
        })?;
        let (min, max) = self.rating_range;
        Ok((score as f32).max(min).min(max))
    }
}

/// Prior strength of a request-time fold-in ([`MfModel::fold_in_with_prior`]): extra ridge
/// penalties on the user's bias and factors, in units of ratings (a prior worth `bias` ratings
/// of "this user is average").
///
/// [`FoldInPrior::default`] is the setting chosen for [`MfConfig::new`] on MovieLens-100K
/// validation data (users held out of training, folded in from their first k ∈ {1, 3, 5, 10,
/// 20} ratings; the lowest mean RMSE over the k): `bias` 10, `factors` 5. Run
/// `cargo test --release -p recsys-core --test rating_fold_in_movielens -- --ignored --nocapture`
/// for the grid.
///
/// ```
/// use recsys_core::models::mf::FoldInPrior;
/// assert!(FoldInPrior::default().validate().is_ok());
/// assert!(FoldInPrior::new(-1.0, 0.0).validate().is_err());
/// assert_eq!(FoldInPrior::NONE, FoldInPrior::new(0.0, 0.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FoldInPrior {
    /// Extra penalty on the user bias `b_u²`.
    pub bias: f32,
    /// Extra penalty on the user factors `‖p_u‖²`.
    pub factors: f32,
}

impl Default for FoldInPrior {
    fn default() -> Self {
        Self::new(10.0, 5.0)
    }
}

impl FoldInPrior {
    /// No prior: the fold-in of [`MfModel::fold_in`] (training's regularisation only).
    pub const NONE: Self = Self::new(0.0, 0.0);

    /// A prior worth `bias` ratings on the user bias and `factors` on the user factors.
    pub const fn new(bias: f32, factors: f32) -> Self {
        Self { bias, factors }
    }

    /// Checks that both strengths are finite and ≥ 0.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the strength.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [("prior.bias", self.bias), ("prior.factors", self.factors)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid(
                    name,
                    format!("must be finite and ≥ 0, got {v}"),
                ));
            }
        }
        Ok(())
    }
}

/// A user solved from their ratings by [`MfModel::fold_in`], for [`MfModel::predict_folded`].
#[derive(Clone, Debug, PartialEq)]
pub struct FoldedUser {
    bias: f32,
    factors: Vec<f32>,
}

impl FoldedUser {
    /// The user's rating bias `b_u`.
    pub fn bias(&self) -> f32 {
        self.bias
    }

    /// The user's factor vector `p_u`.
    pub fn factors(&self) -> &[f32] {
        &self.factors
    }
}

/// Ranks by predicted rating (unclipped, so top items do not tie at the maximum). An anonymous
/// user is ranked by `μ + b_i`; items without training ratings get `-inf`.
impl ItemScorer for MfModel {
    fn n_items(&self) -> usize {
        self.item_bias.len()
    }

    fn score_items(
        &self,
        user: Option<u32>,
        _history: History<'_>,
        scores: &mut [f32],
    ) -> Result<()> {
        super::check_score_len(scores, self.n_items())?;
        let k = self.config.factors;
        let user = user.filter(|&u| (u as usize) < self.n_users());
        for (item, score) in scores.iter_mut().enumerate() {
            let q = &self.item_factors[item * k..(item + 1) * k];
            *score = if self.item_bias[item] == 0.0 && q.iter().all(|&v| v == 0.0) {
                f32::NEG_INFINITY
            } else {
                match user {
                    Some(u) => self.raw_score(u, item as u32),
                    None => self.global_mean + self.item_bias[item],
                }
            };
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ratings from a planted rank-2 model plus biases.
    fn planted(n_users: u32, n_items: u32) -> Vec<(u32, u32, f32)> {
        let mut out = Vec::new();
        for u in 0..n_users {
            for i in 0..n_items {
                if (u * 7 + i * 3) % 4 != 0 {
                    let taste = if (u % 2 == 0) == (i % 2 == 0) {
                        1.0
                    } else {
                        -1.0
                    };
                    let r = 3.0 + 0.5 * ((i % 3) as f32 - 1.0) + taste;
                    out.push((u, i, r));
                }
            }
        }
        out
    }

    #[test]
    fn learns_a_planted_structure_and_generalises() {
        let all = planted(30, 20);
        let (test, train): (Vec<_>, Vec<_>) = all.iter().partition(|(u, i, _)| (u + i) % 5 == 0);
        let model = MfConfig::sgd()
            .factors(4)
            .epochs(300)
            .learning_rate(0.02)
            .regularization(0.02)
            .fit(&train, 30, 20)
            .unwrap();
        let rmse = crate::eval::prediction_errors(
            test.iter()
                .map(|&(u, i, r)| (r, model.predict(u, i).unwrap())),
        )
        .unwrap()
        .rmse;
        assert!(rmse < 0.3, "held-out RMSE {rmse}");
        // A global-mean predictor is far worse.
        let mean = train.iter().map(|r| r.2).sum::<f32>() / train.len() as f32;
        let baseline =
            crate::eval::prediction_errors(test.iter().map(|&(_, _, r)| (r, mean))).unwrap();
        assert!(baseline.rmse > 0.9);
    }

    #[test]
    fn deterministic_and_clipped() {
        let data = planted(10, 10);
        let config = MfConfig::new().factors(3).epochs(20).seed(5);
        let a = config.fit(&data, 12, 11).unwrap();
        assert_eq!(a, config.fit(&data, 12, 11).unwrap());
        let (min, max) = a.rating_range();
        assert_eq!((min, max), (1.5, 4.5));
        for u in 0..14 {
            for i in 0..13 {
                let p = a.predict(u, i).unwrap();
                assert!((min..=max).contains(&p));
            }
        }
        // User 11 and item 10 have no ratings: bias-only fallbacks.
        assert_eq!(a.predict(11, 10).unwrap(), a.global_mean().clamp(min, max));
        let mut scores = vec![0.0; 11];
        a.score_items(Some(3), History::default(), &mut scores)
            .unwrap();
        assert_eq!(scores[10], f32::NEG_INFINITY);
        assert!(scores[..10].iter().all(|s| s.is_finite()));
    }

    #[test]
    fn rejects_bad_input() {
        let c = MfConfig::new();
        assert!(matches!(c.fit(&[], 1, 1), Err(Error::EmptyInput { .. })));
        assert!(matches!(
            c.fit(&[(0, 0, f32::NAN)], 1, 1),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            c.fit(&[(0, 3, 1.0)], 1, 2),
            Err(Error::IndexOutOfRange { what: "item", .. })
        ));
        assert!(MfConfig::new().factors(0).validate().is_err());
        assert!(MfConfig::new().factors(usize::MAX).validate().is_err());
        assert!(MfConfig::new().epochs(0).validate().is_err());
        assert!(MfConfig::new().epochs(10_001).validate().is_err());
        // Shapes that cannot be indexed or allocated are refused, not attempted.
        for (n_users, n_items) in [(usize::MAX, 1), (1, u32::MAX as usize + 2)] {
            assert!(matches!(
                MfConfig::new().fit(&[(0, 0, 1.0)], n_users, n_items),
                Err(Error::InvalidParameter { .. })
            ));
        }
        assert!(MfConfig::new().learning_rate(0.0).validate().is_err());
        assert!(MfConfig::new().learning_rate_decay(1.5).validate().is_err());
        assert!(MfConfig::new().rating_range(5.0, 1.0).validate().is_err());
        assert!(matches!(
            MfConfig::sgd().learning_rate(1e6).fit(&planted(5, 5), 5, 5),
            Err(Error::FitFailed { .. })
        ));
    }

    fn planted_model() -> (Vec<(u32, u32, f32)>, MfModel) {
        let data = planted(30, 20);
        let model = MfConfig::sgd()
            .factors(4)
            .epochs(300)
            .learning_rate(0.02)
            .regularization(0.02)
            .fit(&data, 30, 20)
            .unwrap();
        (data, model)
    }

    #[test]
    fn folding_in_a_training_user_reproduces_their_predictions() {
        let (data, model) = planted_model();
        for user in [0, 7, 12] {
            let own: Vec<(u32, f32)> = data
                .iter()
                .filter(|r| r.0 == user)
                .map(|&(_, i, r)| (i, r))
                .collect();
            let folded = model.fold_in(&own).unwrap();
            assert_eq!(folded.factors().len(), 4);
            for item in 0..20 {
                let trained = model.predict(user, item).unwrap();
                let refolded = model.predict_folded(&folded, item).unwrap();
                assert!(
                    (trained - refolded).abs() < 0.15,
                    "user {user} item {item}: {trained} vs {refolded}"
                );
            }
        }
    }

    #[test]
    fn fold_in_without_ratings_is_the_item_baseline_and_users_can_be_dropped() {
        let (_, model) = planted_model();
        let items_only = model.clone().into_item_side();
        assert_eq!(items_only.n_users(), 0);
        items_only.validate().unwrap();
        let nobody = items_only.fold_in(&[]).unwrap();
        for item in 0..20 {
            let baseline = items_only.predict_folded(&nobody, item).unwrap();
            assert_eq!(baseline, model.predict(999, item).unwrap());
            assert_eq!(baseline, items_only.predict(0, item).unwrap());
        }
    }

    #[test]
    fn fold_in_rejects_bad_input() {
        let (_, model) = planted_model();
        assert!(matches!(
            model.fold_in(&[(20, 4.0)]),
            Err(Error::IndexOutOfRange { what: "item", .. })
        ));
        for bad in [f32::NAN, f32::INFINITY] {
            assert!(matches!(
                model.fold_in(&[(1, 4.0), (2, bad)]),
                Err(Error::NonFinite { .. })
            ));
        }
        let user = model.fold_in(&[(1, 4.0)]).unwrap();
        assert!(matches!(
            model.predict_folded(&user, 20),
            Err(Error::IndexOutOfRange { .. })
        ));
        let other = MfConfig::new()
            .factors(2)
            .epochs(2)
            .fit(&planted(3, 3), 3, 3)
            .unwrap();
        assert!(matches!(
            other.predict_folded(&user, 0),
            Err(Error::DimensionMismatch { .. })
        ));
        // Without any regularisation a single rating still gives a solvable system.
        let unregularised = MfConfig::new()
            .factors(3)
            .epochs(5)
            .regularization(0.0)
            .bias_regularization(0.0)
            .fit(&planted(5, 5), 5, 5)
            .unwrap();
        let one = unregularised.fold_in(&[(0, 5.0)]).unwrap();
        assert!(unregularised.predict_folded(&one, 1).unwrap().is_finite());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            #[test]
            fn folded_predictions_are_finite_and_in_range(
                training in proptest::collection::vec((0u32..6, 0u32..8, 1.0f32..5.0), 1..40),
                request in proptest::collection::vec((0u32..8, -1e6f32..1e6), 0..12),
                factors in 1usize..5,
                seed in any::<u64>(),
            ) {
                let model = MfConfig::new()
                    .factors(factors)
                    .epochs(10)
                    .seed(seed)
                    .fit(&training, 6, 8)
                    .unwrap();
                let (min, max) = model.rating_range();
                let user = model.fold_in(&request).unwrap();
                for item in 0..8 {
                    let p = model.predict_folded(&user, item).unwrap();
                    prop_assert!(p.is_finite() && (min..=max).contains(&p), "{p} outside [{min}, {max}]");
                }
            }
        }
    }
}
