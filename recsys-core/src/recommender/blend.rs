//! How the collaborative, content and popularity signals are mixed.
//!
//! Each signal is z-scored per request (over the items it can score), then
//! `score = w_cf(h)·z_cf + w_knn(h)·z_knn + w_ease·z_ease + w_content·z_content + w_pop(h)·z_pop`
//! with `h` the
//! number of liked history items and `w_cf(h) = h / (h + h0)`; EASE (`x·B`, when the
//! recommender has it) gets `w_ease(h) = ease · h / (h + h_ease)`; item-kNN gets `(1 − w_cf(h))`
//! times its weight and popularity `p0 / (h + p0)` times its own (`p0 = h0` by default), so a
//! first-time visitor gets popular items, a short history co-occurring ones and a heavy user
//! collaborative ones. Then the best [`BlendConfig::pool`] candidates of the user are re-ranked
//! with `− max(0, popularity_penalty − penalty_calibration·m_u)·w_cf(h)·z_pop` added (`m_u`: the
//! mean `z_pop` of the user's liked items): the long-tail boost acts within each user's own
//! candidates (a global penalty would push the same obscure items to everyone).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Blend weights (builder). See [`BlendConfig::new`] for the defaults.
///
/// Settings by name (JSON, Python dicts) start from a `preset` ([`BlendPreset`], default
/// `"default"`) and override fields by name; unknown names are refused and the result is
/// validated:
///
/// ```
/// use recsys_core::recommender::BlendConfig;
/// let blend: BlendConfig =
///     serde_json::from_str(r#"{"preset": "long_tail", "diversity": 0.3}"#).unwrap();
/// assert_eq!(blend, BlendConfig::long_tail().diversity(0.3));
/// let err = serde_json::from_str::<BlendConfig>(r#"{"colour": 1}"#).unwrap_err();
/// assert!(err.to_string().contains("unknown field `colour`"));
/// assert!(serde_json::from_str::<BlendConfig>(r#"{"diversity": 2}"#).is_err()); // validated
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// The derived `Deserialize` is the compact (artifact) form; the human-readable form adds
// `preset` (see the `Deserialize` impl below).
#[serde(remote = "Self")]
pub struct BlendConfig {
    /// History size at which collaborative filtering gets half the weight.
    pub(crate) half_history: f32,
    /// Weight of the content signal.
    pub(crate) content: f32,
    /// Weight of the item-kNN signal (co-occurrence; strong for short histories).
    pub(crate) item_knn: f32,
    /// Weight of popularity for an empty history; it shrinks as `p0 / (h + p0)` with `p0`
    /// [`BlendConfig::popularity_half_history`].
    pub(crate) popularity: f32,
    /// History size at which the popularity weight halves.
    pub(crate) popularity_half_history: f32,
    /// Long-tail boost: subtracted (times `w_cf`) from the popularity weight when the
    /// candidate pool is re-ranked.
    pub(crate) popularity_penalty: f32,
    /// Calibrates the long-tail boost to the user: the penalty becomes
    /// `max(0, popularity_penalty − penalty_calibration·m_u)·w_cf` with `m_u` the mean normalised
    /// popularity of the user's liked items (mainstream users get less of it, niche users more).
    pub(crate) penalty_calibration: f32,
    /// Long-tail boost by exposure: the fraction of training users whose ALS top-10 holds an
    /// item, times this and `w_cf`, is subtracted when the candidate pool is re-ranked.
    /// Unlike [`BlendConfig::popularity_penalty`] it spares popular items that only a few lists
    /// hold and pushes down the ones that crowd everyone's.
    pub(crate) exposure_penalty: f32,
    /// Candidates per request that the popularity penalty re-ranks.
    pub(crate) pool: usize,
    /// Normalised collaborative score given to items without interactions and without warm
    /// content neighbours (nothing estimates their factors; a low value keeps them out unless
    /// their content fits well).
    pub(crate) cold_item_score: f32,
    /// Shrinkage of a cold item's estimated factors: the similarity-weighted mean of its warm
    /// content neighbours' ALS factors is divided by `Σ similarity + cold_item_shrinkage`.
    pub(crate) cold_item_shrinkage: f32,
    /// Default MMR diversity of a request.
    pub(crate) diversity: f32,
    /// Weight of the EASE signal (`x·B` of the history; 0 or no EASE part: not used), reached
    /// as the history grows: `ease · h / (h + ease_half_history)`.
    pub(crate) ease: f32,
    /// History size at which EASE gets half its weight.
    pub(crate) ease_half_history: f32,
}

/// A [`BlendConfig`] as artifact format version 3 stored it (before the EASE weight): the
/// fields in order, read by the recommender's version-3 decoder.
#[derive(Deserialize)]
pub(crate) struct BlendConfigV3 {
    half_history: f32,
    content: f32,
    item_knn: f32,
    popularity: f32,
    popularity_half_history: f32,
    popularity_penalty: f32,
    penalty_calibration: f32,
    exposure_penalty: f32,
    pool: usize,
    cold_item_score: f32,
    cold_item_shrinkage: f32,
    diversity: f32,
}

impl From<BlendConfigV3> for BlendConfig {
    /// The same blend, without EASE (version-3 recommenders had none).
    fn from(v3: BlendConfigV3) -> Self {
        Self {
            half_history: v3.half_history,
            content: v3.content,
            item_knn: v3.item_knn,
            popularity: v3.popularity,
            popularity_half_history: v3.popularity_half_history,
            popularity_penalty: v3.popularity_penalty,
            penalty_calibration: v3.penalty_calibration,
            exposure_penalty: v3.exposure_penalty,
            pool: v3.pool,
            cold_item_score: v3.cold_item_score,
            cold_item_shrinkage: v3.cold_item_shrinkage,
            diversity: v3.diversity,
            ease: 0.0,
            ease_half_history: 1.0,
        }
    }
}

impl Default for BlendConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// A named starting point of a [`BlendConfig`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BlendPreset {
    /// [`BlendConfig::new`].
    #[default]
    Default,
    /// [`BlendConfig::long_tail`].
    LongTail,
}

impl BlendPreset {
    /// The preset's configuration.
    pub fn config(self) -> BlendConfig {
        match self {
            BlendPreset::Default => BlendConfig::new(),
            BlendPreset::LongTail => BlendConfig::long_tail(),
        }
    }
}

/// The human-readable form of a [`BlendConfig`]: a preset and the fields it overrides.
macro_rules! blend_settings {
    ($($field:ident: $ty:ty),* $(,)?) => {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct BlendSettings {
            #[serde(default)]
            preset: BlendPreset,
            $($field: Option<$ty>,)*
        }

        impl BlendSettings {
            fn config(self) -> BlendConfig {
                let mut config = self.preset.config();
                $(if let Some(value) = self.$field {
                    config.$field = value;
                })*
                config
            }
        }
    };
}

blend_settings! {
    half_history: f32,
    content: f32,
    item_knn: f32,
    popularity: f32,
    popularity_half_history: f32,
    popularity_penalty: f32,
    penalty_calibration: f32,
    exposure_penalty: f32,
    pool: usize,
    cold_item_score: f32,
    cold_item_shrinkage: f32,
    diversity: f32,
    ease: f32,
    ease_half_history: f32,
}

impl Serialize for BlendConfig {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        BlendConfig::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for BlendConfig {
    /// Human-readable formats (JSON, Python dicts): a preset plus overrides by name, validated.
    /// Compact formats (the artifact): every field, as serialised.
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let config = BlendSettings::deserialize(deserializer)?.config();
            config.validate().map_err(serde::de::Error::custom)?;
            Ok(config)
        } else {
            BlendConfig::deserialize(deserializer)
        }
    }
}

impl BlendConfig {
    /// The defaults: the most accurate blend. Chosen on the MovieLens-100K validation split
    /// (the protocol's per-user temporal split applied to the training part; never the test
    /// split): among the settings within one standard error of the best validation nDCG@10
    /// (0.1840 ± 0.0065, indistinguishable on this split), the one best for cold users (5
    /// ratings of history, the same protocol on the validation training part):
    /// `half_history` 20, `popularity` 4 halving at `popularity_half_history` 3, `item_knn` 1,
    /// `content` 0.3, `popularity_penalty` 1 (now 1.5, see below) over a `pool` of 200, no
    /// exposure penalty (now 1),
    /// `cold_item_score` −1, diversity 0 (validation nDCG@10 0.1816, cold users 0.3021; ALS
    /// alone 0.1671). `cold_item_shrinkage` 5 is the smallest shrinkage within 0.5 % of the best
    /// validation nDCG (0.1811; it lets 4 of the 49 validation cold items into lists).
    ///
    /// EASE (`ease` 1, reached as `h / (h + 100)` with `ease_half_history` 100) was added on the
    /// validation parts of both split kinds (the temporal one and the per-user random 80/20 one,
    /// `eval::split::per_user_random_split`; `cargo run --release -p recsys-examples --bin splits
    /// -- --parts val --cold --grid FILE`): the best random-split validation nDCG@10 among the
    /// settings that keep the temporal validation nDCG within 1 % and the cold-user nDCG of both
    /// splits within 3 % of the blend without EASE. Random split 0.2189 → 0.2306, temporal
    /// 0.1811 → 0.1806, cold users 0.3021 → 0.2979 (temporal) and 0.2206 → 0.2147 (random).
    /// Larger EASE weights gain up to 0.2392 on the random split but cost the temporal split
    /// and cold users more (e.g. `ease` 1 from the first liked item: random 0.2389, temporal
    /// 0.1752, cold users 0.2504). EASE narrows the lists (validation coverage 0.2548 → 0.2100
    /// on the temporal split), so `popularity_penalty` went from 1 to 1.5 and
    /// `exposure_penalty` from 0 to 1, the pair that recovered most coverage without costing
    /// validation nDCG (temporal 0.1808, coverage 0.2337; random 0.2295, coverage 0.2117;
    /// cold users 0.2980 and 0.2136); stronger penalties cost nDCG (2 and 4: temporal 0.1752).
    ///
    /// For catalogue coverage use [`BlendConfig::long_tail`].
    ///
    /// Run `cargo test --release -p recsys-core --test recommender_movielens -- --ignored
    /// --nocapture` to print the grid.
    ///
    /// ```
    /// use recsys_core::recommender::BlendConfig;
    ///
    /// let blend = BlendConfig::new().content(0.5);
    /// assert!(blend.validate().is_ok());
    /// assert!(BlendConfig::new().diversity(2.0).validate().is_err());
    /// ```
    pub fn new() -> Self {
        Self {
            half_history: 20.0,
            content: 0.3,
            item_knn: 1.0,
            popularity: 4.0,
            popularity_half_history: 3.0,
            popularity_penalty: 1.5,
            penalty_calibration: 0.0,
            exposure_penalty: 1.0,
            pool: 200,
            cold_item_score: -1.0,
            cold_item_shrinkage: 5.0,
            diversity: 0.0,
            ease: 1.0,
            ease_half_history: 100.0,
        }
    }

    /// The defaults re-ranked for the long tail: catalogue coverage@10 above 0.40 on
    /// MovieLens-100K at a small cost in accuracy. `popularity_penalty` 2.75 calibrated to the
    /// user (`penalty_calibration` 1), `exposure_penalty` 8, `cold_item_shrinkage` 50.
    ///
    /// Chosen on the validation split as the best nDCG@10 whose coverage, projected to the full
    /// training set, is at least 0.40. Coverage grows with the training data, so each
    /// setting's validation coverage is multiplied by its own growth from a nested split (the
    /// same rule applied once more to the validation training part): validation nDCG@10 0.1779,
    /// coverage 0.366 × 1.107 = 0.405 projected.
    ///
    /// ```
    /// use recsys_core::recommender::BlendConfig;
    ///
    /// let blend = BlendConfig::long_tail();
    /// assert_ne!(blend, BlendConfig::new());
    /// assert!(blend.validate().is_ok());
    /// ```
    ///
    /// It has no EASE signal (`ease` 0): it was chosen before EASE joined the blend.
    pub fn long_tail() -> Self {
        Self::new()
            .ease(0.0)
            .popularity_penalty(2.75)
            .penalty_calibration(1.0)
            .exposure_penalty(8.0)
            .cold_item_shrinkage(50.0)
    }

    /// Sets [`BlendConfig::half_history`].
    pub fn half_history(mut self, h0: f32) -> Self {
        self.half_history = h0;
        self
    }

    /// Sets [`BlendConfig::content`].
    pub fn content(mut self, weight: f32) -> Self {
        self.content = weight;
        self
    }

    /// Sets [`BlendConfig::item_knn`].
    pub fn item_knn(mut self, weight: f32) -> Self {
        self.item_knn = weight;
        self
    }

    /// Sets [`BlendConfig::popularity`].
    pub fn popularity(mut self, weight: f32) -> Self {
        self.popularity = weight;
        self
    }

    /// Sets [`BlendConfig::popularity_half_history`].
    pub fn popularity_half_history(mut self, p0: f32) -> Self {
        self.popularity_half_history = p0;
        self
    }

    /// Sets [`BlendConfig::popularity_penalty`].
    pub fn popularity_penalty(mut self, penalty: f32) -> Self {
        self.popularity_penalty = penalty;
        self
    }

    /// Sets [`BlendConfig::penalty_calibration`].
    pub fn penalty_calibration(mut self, calibration: f32) -> Self {
        self.penalty_calibration = calibration;
        self
    }

    /// Sets [`BlendConfig::exposure_penalty`].
    pub fn exposure_penalty(mut self, penalty: f32) -> Self {
        self.exposure_penalty = penalty;
        self
    }

    /// Sets [`BlendConfig::cold_item_shrinkage`].
    pub fn cold_item_shrinkage(mut self, shrinkage: f32) -> Self {
        self.cold_item_shrinkage = shrinkage;
        self
    }

    /// Sets [`BlendConfig::pool`].
    pub fn pool(mut self, pool: usize) -> Self {
        self.pool = pool;
        self
    }

    /// Sets [`BlendConfig::cold_item_score`].
    pub fn cold_item_score(mut self, score: f32) -> Self {
        self.cold_item_score = score;
        self
    }

    /// Sets [`BlendConfig::ease`].
    pub fn ease(mut self, weight: f32) -> Self {
        self.ease = weight;
        self
    }

    /// Sets [`BlendConfig::ease_half_history`].
    pub fn ease_half_history(mut self, h: f32) -> Self {
        self.ease_half_history = h;
        self
    }

    /// Sets the default [`BlendConfig::diversity`].
    pub fn diversity(mut self, diversity: f32) -> Self {
        self.diversity = diversity;
        self
    }

    /// Checks the weights.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a non-finite value, a half-history ≤ 0, a negative
    /// content or popularity weight, or a diversity outside `[0, 1]`.
    pub fn validate(&self) -> Result<()> {
        let values = [
            ("half_history", self.half_history),
            ("content", self.content),
            ("item_knn", self.item_knn),
            ("popularity", self.popularity),
            ("popularity_half_history", self.popularity_half_history),
            ("popularity_penalty", self.popularity_penalty),
            ("penalty_calibration", self.penalty_calibration),
            ("exposure_penalty", self.exposure_penalty),
            ("cold_item_shrinkage", self.cold_item_shrinkage),
            ("cold_item_score", self.cold_item_score),
            ("diversity", self.diversity),
            ("ease", self.ease),
            ("ease_half_history", self.ease_half_history),
        ];
        for (name, v) in values {
            if !v.is_finite() {
                return Err(Error::invalid(name, format!("must be finite, got {v}")));
            }
        }
        if self.half_history <= 0.0
            || self.popularity_half_history <= 0.0
            || self.ease_half_history <= 0.0
        {
            return Err(Error::invalid("half_history", "must be > 0"));
        }
        if self.content < 0.0 || self.item_knn < 0.0 || self.popularity < 0.0 || self.ease < 0.0 {
            return Err(Error::invalid("content", "signal weights must be ≥ 0"));
        }
        if self.cold_item_shrinkage < 0.0 {
            return Err(Error::invalid("cold_item_shrinkage", "must be ≥ 0"));
        }
        check_diversity(self.diversity)
    }

    /// The weights for a history with `liked` positive items whose mean normalised popularity
    /// is `history_popularity`.
    pub fn weights(&self, liked: usize, history_popularity: f32) -> Weights {
        let h = liked as f32;
        let cf = h / (h + self.half_history);
        Weights {
            collaborative: cf,
            item_knn: self.item_knn * (1.0 - cf),
            content: if liked == 0 { 0.0 } else { self.content },
            popularity: self.popularity * self.popularity_half_history
                / (h + self.popularity_half_history),
            penalty: (self.popularity_penalty - self.penalty_calibration * history_popularity)
                .max(0.0)
                * cf,
            exposure: self.exposure_penalty * cf,
            ease: self.ease * h / (h + self.ease_half_history),
        }
    }
}

/// The blend weights of one request (see [`BlendConfig::weights`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    /// Of the ALS signal.
    pub collaborative: f32,
    /// Of the item-kNN signal.
    pub item_knn: f32,
    /// Of the content signal.
    pub content: f32,
    /// Of popularity, before re-ranking.
    pub popularity: f32,
    /// Subtracted from the popularity weight when the candidate pool is re-ranked.
    pub penalty: f32,
    /// Weight of the (subtracted) list exposure when the candidate pool is re-ranked.
    pub exposure: f32,
    /// Of the EASE signal.
    pub ease: f32,
}

pub(crate) fn check_diversity(diversity: f32) -> Result<()> {
    if (0.0..=1.0).contains(&diversity) {
        Ok(())
    } else {
        Err(Error::invalid(
            "diversity",
            format!("must be in [0, 1], got {diversity}"),
        ))
    }
}

/// Z-scores `values` in place over the entries where `include` is true; the others are set to
/// `fill`. A constant signal becomes all zeros.
pub(crate) fn z_score(
    values: &mut [f32],
    include: impl Fn(usize) -> bool,
    fill: f32,
) -> (f32, f32) {
    z_score_by(values, &include, &include, fill)
}

/// Like [`z_score`], but the mean and spread come from the entries where `stats` is true and
/// are applied to those where `apply` is true (the rest are set to `fill`). Returns the
/// `(mean, scale)` applied, `v ↦ (v − mean)·scale`, so a score's parts can be traced through it.
pub(crate) fn z_score_by(
    values: &mut [f32],
    stats: impl Fn(usize) -> bool,
    apply: impl Fn(usize) -> bool,
    fill: f32,
) -> (f32, f32) {
    let include = stats;
    let (mut n, mut sum, mut sum_sq) = (0usize, 0.0f64, 0.0f64);
    for (i, &v) in values.iter().enumerate() {
        if include(i) {
            n += 1;
            sum += f64::from(v);
            sum_sq += f64::from(v) * f64::from(v);
        }
    }
    let mean = if n > 0 { sum / n as f64 } else { 0.0 };
    let variance = if n > 0 {
        (sum_sq / n as f64 - mean * mean).max(0.0)
    } else {
        0.0
    };
    let scale = if variance > 1e-12 {
        (1.0 / variance.sqrt()) as f32
    } else {
        0.0
    };
    let mean = mean as f32;
    for (i, v) in values.iter_mut().enumerate() {
        *v = if apply(i) { (*v - mean) * scale } else { fill };
    }
    (mean, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collaborative_weight_grows_with_history() {
        let blend = BlendConfig::new();
        let [w0, w5, w50] = [0, 5, 50].map(|h| blend.weights(h, 0.0));
        assert_eq!((w0.collaborative, w0.content, w0.penalty), (0.0, 0.0, 0.0));
        assert!(w0.popularity > 0.0);
        assert!(w0.collaborative < w5.collaborative && w5.collaborative < w50.collaborative);
        assert!(w50.collaborative < 1.0);
        assert!(w0.popularity > w5.popularity && w5.popularity > w50.popularity);
        assert!(w0.item_knn > w5.item_knn && w5.penalty < w50.penalty);
        assert!(BlendConfig::new().half_history(0.0).validate().is_err());
        assert!(BlendConfig::new().diversity(1.5).validate().is_err());
        assert!(BlendConfig::new().content(f32::NAN).validate().is_err());
    }

    #[test]
    fn popularity_and_penalty_knobs_shape_the_weights() {
        let blend = BlendConfig::new()
            .half_history(10.0)
            .popularity_half_history(10.0);
        let w = blend.weights(30, 0.0);
        assert!((w.popularity - blend.popularity * (1.0 - w.collaborative)).abs() < 1e-6);
        let fast = blend.clone().popularity_half_history(2.0).weights(30, 0.0);
        assert!(fast.popularity < w.popularity);
        assert_eq!(fast.collaborative, w.collaborative);
        let calibrated = blend.clone().penalty_calibration(1.0);
        let (mainstream, niche) = (calibrated.weights(30, 0.8), calibrated.weights(30, -0.5));
        assert!(mainstream.penalty < w.penalty && w.penalty < niche.penalty);
        assert_eq!(calibrated.weights(30, 5.0).penalty, 0.0);
        assert!(blend
            .clone()
            .popularity_half_history(0.0)
            .validate()
            .is_err());
        assert!(blend.penalty_calibration(f32::INFINITY).validate().is_err());
    }

    #[test]
    fn exposure_penalty_grows_with_the_collaborative_weight() {
        let blend = BlendConfig::long_tail();
        let (short, long) = (blend.weights(2, 0.0), blend.weights(200, 0.0));
        assert!(short.exposure > 0.0 && short.exposure < long.exposure);
        let no_exposure = BlendConfig::new().exposure_penalty(0.0);
        assert_eq!(no_exposure.weights(200, 0.0).exposure, 0.0);
        assert!(blend.clone().cold_item_shrinkage(-1.0).validate().is_err());
        assert!(blend.exposure_penalty(f32::NAN).validate().is_err());
    }

    #[test]
    fn z_score_by_scales_entries_outside_its_statistics() {
        let mut v = [1.0, 3.0, 5.0, 9.0];
        z_score_by(&mut v, |i| i < 2, |i| i < 3, -7.0);
        assert_eq!(v, [-1.0, 1.0, 3.0, -7.0]);
    }

    #[test]
    fn z_score_ignores_excluded_entries() {
        let mut v = [1.0, 3.0, 100.0];
        z_score(&mut v, |i| i < 2, -7.0);
        assert_eq!(v, [-1.0, 1.0, -7.0]);
        let mut flat = [2.0, 2.0];
        z_score(&mut flat, |_| true, 0.0);
        assert_eq!(flat, [0.0, 0.0]);
    }
}
