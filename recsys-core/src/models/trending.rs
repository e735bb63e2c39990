//! Popularity from time-stamped events: all-time, trending (time-decayed), within a genre, and
//! onboarding scores for a visitor who only named favourite genres and people.
//!
//! Trending popularity weighs each positive event by `0.5^(age / half_life)`, where `age` is
//! the time before the reference time ("now": the latest event unless set), so an item that was
//! watched a lot last week outranks one watched a lot years ago.
//!
//! For blending, [`TrendingModel::normalized`] puts either popularity in `[0, 1]`;
//! [`TrendingModel::popular_in`] backs a "Popular in Film-Noir" carousel and
//! [`TrendingModel::onboarding_scores`] a first page for a visitor without history.

use serde::{Deserialize, Serialize};

use super::{check_score_len, History, ItemScorer};
use crate::data::{Catalog, Event, FeedbackPolicy};
use crate::topk::{top_n, Scored};
use crate::{Error, Result};

/// Which popularity a [`TrendingModel`] scores with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PopularityKind {
    /// Number of positive events ever.
    AllTime,
    /// Positive events weighted by recency (the default).
    #[default]
    Trending,
}

/// Seconds in a day.
const DAY: f64 = 86_400.0;

/// Hyper-parameters of [`TrendingModel`].
///
/// ```
/// use recsys_core::data::{Dataset, Feedback, FeedbackPolicy};
/// use recsys_core::models::trending::{PopularityKind, TrendingConfig};
/// use recsys_core::models::{recommend, History, TopN};
///
/// let day = 86_400;
/// let mut ds = Dataset::new();
/// for user in ["a", "b", "c"] {
///     ds.add_event(user, "old-hit", Feedback::Watched, 0).unwrap();
/// }
/// ds.add_event("d", "new-hit", Feedback::Watched, 400 * day).unwrap();
/// ds.add_event("e", "new-hit", Feedback::Watched, 401 * day).unwrap();
/// let model = TrendingConfig::new()
///     .half_life_days(30.0)
///     .fit(ds.events(), ds.n_items(), &FeedbackPolicy::default())
///     .unwrap();
/// let new_hit = ds.items.index_of("new-hit").unwrap();
/// let recs = recommend(&model, None, History::default(), &TopN::new(1)).unwrap();
/// assert_eq!(recs[0].item, new_hit);
/// assert!(model.scores(PopularityKind::AllTime)[new_hit as usize] < 3.0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendingConfig {
    half_life_days: f64,
    now: Option<i64>,
    kind: PopularityKind,
}

impl Default for TrendingConfig {
    fn default() -> Self {
        Self {
            half_life_days: 60.0,
            now: None,
            kind: PopularityKind::Trending,
        }
    }
}

impl TrendingConfig {
    /// Defaults: a 60-day half-life, "now" = the latest event, and
    /// [`PopularityKind::Trending`] for [`ItemScorer`] scores.
    ///
    /// The half-life is a product choice (what "trending" means for a carousel), not an
    /// offline optimum: on the MovieLens-100K protocol, whose per-user temporal split spreads
    /// test periods over the data's 7 months, longer half-lives score better (validation
    /// nDCG@10: 7 days 0.057, 60 days 0.069, 365 days 0.077, all-time 0.079).
    pub fn new() -> Self {
        Self::default()
    }

    /// Half-life of an event's weight, in days (> 0).
    pub fn half_life_days(mut self, days: f64) -> Self {
        self.half_life_days = days;
        self
    }

    /// The reference time (seconds, same clock as the events); events after it count fully.
    pub fn now(mut self, now: i64) -> Self {
        self.now = Some(now);
        self
    }

    /// Which popularity [`ItemScorer::score_items`] returns.
    pub fn kind(mut self, kind: PopularityKind) -> Self {
        self.kind = kind;
        self
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a half-life that is not finite and positive.
    pub fn validate(&self) -> Result<()> {
        if !(self.half_life_days.is_finite() && self.half_life_days > 0.0) {
            return Err(Error::invalid(
                "half_life_days",
                format!("must be finite and > 0, got {}", self.half_life_days),
            ));
        }
        Ok(())
    }

    /// Counts every event whose `policy` weight is positive (a like, a watch, a good rating;
    /// dislikes and, under the default policy, 1–3 stars do not count) for `n_items` items.
    ///
    /// # Errors
    /// Those of [`TrendingConfig::validate`] and [`FeedbackPolicy::validate`];
    /// [`Error::EmptyInput`] for zero items; [`Error::IndexOutOfRange`] for an event's item
    /// outside `n_items`; [`Error::InvalidParameter`] when `n_items` exceeds the number of
    /// events by more than [`MAX_UNBACKED_LEN`](crate::data::MAX_UNBACKED_LEN) (items without
    /// events are allowed, a catalogue of absurd size is not).
    pub fn fit(
        &self,
        events: &[Event],
        n_items: usize,
        policy: &FeedbackPolicy,
    ) -> Result<TrendingModel> {
        self.validate()?;
        policy.validate()?;
        if n_items == 0 {
            return Err(Error::EmptyInput {
                what: "no items to rank".into(),
            });
        }
        crate::data::check_unbacked_len("n_items", n_items, events.len())?;
        let now = self
            .now
            .or_else(|| events.iter().map(|e| e.timestamp).max())
            .unwrap_or(0);
        let half_life = self.half_life_days * DAY;
        let mut all_time = vec![0.0f32; n_items];
        let mut trending = vec![0.0f64; n_items];
        for event in events {
            let item = event.item as usize;
            if item >= n_items {
                return Err(Error::IndexOutOfRange {
                    what: "event item",
                    index: item,
                    len: n_items,
                });
            }
            if policy.weight(event.feedback) > 0.0 {
                all_time[item] += 1.0;
                let age = (now.saturating_sub(event.timestamp)).max(0) as f64;
                trending[item] += (-(age / half_life) * std::f64::consts::LN_2).exp();
            }
        }
        Ok(TrendingModel {
            config: self.clone(),
            now,
            all_time,
            trending: trending.into_iter().map(|t| t as f32).collect(),
        })
    }
}

/// Favourite genres and people named by a user without history (an onboarding form), with
/// weights.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Favorites {
    /// Genre names (ASCII case-insensitive, as in [`Catalog::items_with_genre`]).
    pub genres: Vec<String>,
    /// Person indices into the catalog ([`Catalog::person_index`]), any role.
    pub people: Vec<u32>,
    /// The weight of each genre (≥ 0); missing or mismatched: equal weights.
    #[serde(default)]
    pub genre_weights: Vec<f32>,
    /// The weight of each person (≥ 0); missing or mismatched: equal weights.
    #[serde(default)]
    pub people_weights: Vec<f32>,
}

impl Favorites {
    /// The weight of genre number `at` (1 when the weights do not cover the genres).
    pub fn genre_weight(&self, at: usize) -> f32 {
        weight_at(&self.genre_weights, self.genres.len(), at)
    }

    /// The weight of person number `at` (1 when the weights do not cover the people).
    pub fn person_weight(&self, at: usize) -> f32 {
        weight_at(&self.people_weights, self.people.len(), at)
    }

    /// The sum of all weights.
    pub fn total_weight(&self) -> f32 {
        (0..self.genres.len())
            .map(|g| self.genre_weight(g))
            .sum::<f32>()
            + (0..self.people.len())
                .map(|p| self.person_weight(p))
                .sum::<f32>()
    }
}

fn weight_at(weights: &[f32], len: usize, at: usize) -> f32 {
    match weights.get(at) {
        Some(&w) if weights.len() == len && w.is_finite() && w >= 0.0 => w,
        Some(_) if weights.len() == len => 0.0,
        _ => 1.0,
    }
}

/// Popularity scores of every item: all-time counts and time-decayed trending counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TrendingModelUnchecked")]
pub struct TrendingModel {
    config: TrendingConfig,
    now: i64,
    all_time: Vec<f32>,
    trending: Vec<f32>,
}

crate::validate::checked_deserialize! {
    TrendingModel via TrendingModelUnchecked {
        config: TrendingConfig,
        now: i64,
        all_time: Vec<f32>,
        trending: Vec<f32>,
    }
    check TrendingModel::validate
}

impl TrendingModel {
    /// The configuration the model was fitted with.
    pub fn config(&self) -> &TrendingConfig {
        &self.config
    }

    /// The reference time trending scores are computed at.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The half-life of the trending decay, in days (what a reason calls the window).
    pub fn half_life_days(&self) -> f64 {
        self.config.half_life_days
    }

    /// Checks a decoded model: a valid configuration, one all-time and one trending score per
    /// item (at least one item), all finite and ≥ 0.
    pub(crate) fn validate(&self) -> Result<()> {
        use crate::validate::{check_finite, corrupt};
        self.config
            .validate()
            .map_err(|err| corrupt(format!("trending configuration: {err}")))?;
        if self.all_time.is_empty() || self.all_time.len() != self.trending.len() {
            return Err(corrupt(format!(
                "trending model has {} all-time and {} trending scores",
                self.all_time.len(),
                self.trending.len()
            )));
        }
        check_finite("all-time popularity", &self.all_time)?;
        check_finite("trending popularity", &self.trending)?;
        if self.all_time.iter().chain(&self.trending).any(|&s| s < 0.0) {
            return Err(corrupt("trending model has negative popularity"));
        }
        Ok(())
    }

    /// One score per item of the given kind (≥ 0).
    pub fn scores(&self, kind: PopularityKind) -> &[f32] {
        match kind {
            PopularityKind::AllTime => &self.all_time,
            PopularityKind::Trending => &self.trending,
        }
    }

    /// Scores of `kind` divided by the largest one, so they lie in `[0, 1]` whatever the data
    /// size (all zero without events): ready to blend with other models.
    pub fn normalized(&self, kind: PopularityKind) -> Vec<f32> {
        let scores = self.scores(kind);
        let max = scores.iter().copied().fold(0.0f32, f32::max);
        if max > 0.0 {
            scores.iter().map(|s| s / max).collect()
        } else {
            vec![0.0; scores.len()]
        }
    }

    /// The `n` most popular items of `genre` ("popular in Film-Noir"), best first; items
    /// without any positive event are left out.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when no catalog item has the genre.
    pub fn popular_in(
        &self,
        catalog: &Catalog,
        genre: &str,
        kind: PopularityKind,
        n: usize,
    ) -> Result<Vec<Scored>> {
        let in_genre = catalog.items_with_genre(genre);
        if in_genre.is_empty() {
            return Err(Error::invalid(
                "genre",
                format!("no item has genre {genre:?}"),
            ));
        }
        let scores = self.scores(kind);
        let mut allowed = vec![false; scores.len()];
        for item in in_genre {
            if let Some(a) = allowed.get_mut(item as usize) {
                *a = true;
            }
        }
        Ok(top_n(scores, n, |i| {
            !allowed[i as usize] || scores[i as usize] <= 0.0
        }))
    }

    /// Scores for a user who only named [`Favorites`]: the weighted fraction of the favourites
    /// an item matches (genres it has, people credited on it; in `[0, 1]`), plus `popularity_weight`
    /// times its normalised popularity of `kind`. With a weight below 1 / (number of
    /// favourites), every item matching more favourites ranks first and popularity orders
    /// items that match equally; larger weights let hits that match little come forward.
    ///
    /// ```
    /// use recsys_core::data::{Catalog, Dataset, Feedback, FeedbackPolicy, Role};
    /// use recsys_core::models::trending::{Favorites, PopularityKind, TrendingConfig};
    /// let mut ds = Dataset::new();
    /// for (user, item) in [("a", "heat"), ("b", "heat"), ("a", "fargo"), ("c", "toy")] {
    ///     ds.add_event(user, item, Feedback::Watched, 0).unwrap();
    /// }
    /// let fargo = ds.items.index_of("fargo").unwrap();
    /// let heat = ds.items.index_of("heat").unwrap();
    /// ds.item("heat").genre("Crime");
    /// ds.item("fargo").genre("Crime").credit("coen", Some("Joel Coen"), Role::Director);
    /// let coen = ds.catalog().person_index("coen").unwrap();
    /// let model = TrendingConfig::new().fit(ds.events(), ds.n_items(), &FeedbackPolicy::default()).unwrap();
    /// let favorites = Favorites { genres: vec!["crime".into()], people: vec![coen], ..Default::default() };
    /// let scores = model.onboarding_scores(ds.catalog(), &favorites, PopularityKind::AllTime, 0.1).unwrap();
    /// assert!(scores[fargo as usize] > scores[heat as usize]); // matches both favourites
    /// assert!(scores[heat as usize] > scores[ds.items.index_of("toy").unwrap() as usize]);
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a negative or non-finite `popularity_weight`.
    pub fn onboarding_scores(
        &self,
        catalog: &Catalog,
        favorites: &Favorites,
        kind: PopularityKind,
        popularity_weight: f32,
    ) -> Result<Vec<f32>> {
        if !(popularity_weight.is_finite() && popularity_weight >= 0.0) {
            return Err(Error::invalid(
                "popularity_weight",
                format!("must be finite and ≥ 0, got {popularity_weight}"),
            ));
        }
        let mut scores = self.normalized(kind);
        scores.iter_mut().for_each(|s| *s *= popularity_weight);
        let total = favorites.total_weight();
        if total <= 0.0 {
            return Ok(scores);
        }
        for (item, score) in scores.iter_mut().enumerate() {
            let Some(info) = catalog.item(item as u32) else {
                continue;
            };
            let genres: f32 = (0..favorites.genres.len())
                .filter(|&g| info.has_genre(&favorites.genres[g]))
                .map(|g| favorites.genre_weight(g))
                .sum();
            let people: f32 = (0..favorites.people.len())
                .filter(|&p| info.credits.iter().any(|c| c.person == favorites.people[p]))
                .map(|p| favorites.person_weight(p))
                .sum();
            *score += (genres + people) / total;
        }
        Ok(scores)
    }
}

impl ItemScorer for TrendingModel {
    fn n_items(&self) -> usize {
        self.all_time.len()
    }

    /// The configured [`PopularityKind`]'s scores, the same for every user.
    fn score_items(
        &self,
        _user: Option<u32>,
        _history: History<'_>,
        scores: &mut [f32],
    ) -> Result<()> {
        // Checked against the slice copied, so a decoded model with mismatched lengths errs.
        let source = self.scores(self.config.kind);
        check_score_len(scores, source.len())?;
        check_score_len(scores, self.n_items())?;
        scores.copy_from_slice(source);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Feedback;
    use proptest::prelude::*;

    fn event(item: u32, feedback: Feedback, timestamp: i64) -> Event {
        Event {
            user: 0,
            item,
            feedback,
            timestamp,
        }
    }

    #[test]
    fn decay_halves_per_half_life_and_negative_events_do_not_count() {
        let day = 86_400;
        let events = [
            event(0, Feedback::Watched, 0),
            event(1, Feedback::Watched, 10 * day),
            event(1, Feedback::Dislike, 10 * day),
            event(2, Feedback::Rating(1.0), 10 * day),
        ];
        let model = TrendingConfig::new()
            .half_life_days(10.0)
            .fit(&events, 4, &FeedbackPolicy::default())
            .unwrap();
        assert_eq!(model.now(), 10 * day);
        assert_eq!(model.scores(PopularityKind::AllTime), &[1.0, 1.0, 0.0, 0.0]);
        let trending = model.scores(PopularityKind::Trending);
        assert!((trending[0] - 0.5).abs() < 1e-6 && (trending[1] - 1.0).abs() < 1e-6);
        assert_eq!(model.normalized(PopularityKind::Trending)[1], 1.0);
        // A reference time before an event: it counts fully.
        let early = TrendingConfig::new()
            .now(0)
            .fit(&events, 4, &FeedbackPolicy::default())
            .unwrap();
        assert_eq!(early.scores(PopularityKind::Trending)[1], 1.0);
        assert!(TrendingConfig::new()
            .fit(&events, 1, &FeedbackPolicy::default())
            .is_err());
        assert!(TrendingConfig::new()
            .fit(&[], 0, &FeedbackPolicy::default())
            .is_err());
        assert!(TrendingConfig::new()
            .half_life_days(0.0)
            .validate()
            .is_err());
        let mut wrong = vec![0.0; 3];
        assert!(model
            .score_items(None, History::default(), &mut wrong)
            .is_err());
    }

    #[test]
    fn popular_in_a_genre() {
        let mut catalog = Catalog::new();
        catalog.item_mut(0).unwrap().add_genre("Noir");
        catalog.item_mut(2).unwrap().add_genre("Noir");
        catalog.item_mut(3).unwrap().add_genre("Noir");
        let events = [
            event(0, Feedback::Watched, 0),
            event(1, Feedback::Watched, 0),
            event(1, Feedback::Watched, 0),
            event(2, Feedback::Watched, 0),
            event(2, Feedback::Watched, 0),
        ];
        let model = TrendingConfig::new()
            .fit(&events, 4, &FeedbackPolicy::default())
            .unwrap();
        let top = model
            .popular_in(&catalog, "noir", PopularityKind::AllTime, 5)
            .unwrap();
        assert_eq!(top.iter().map(|s| s.item).collect::<Vec<_>>(), vec![2, 0]);
        assert!(model
            .popular_in(&catalog, "western", PopularityKind::AllTime, 5)
            .is_err());
        assert!(model
            .onboarding_scores(
                &catalog,
                &Favorites::default(),
                PopularityKind::AllTime,
                -1.0
            )
            .is_err());
        let no_favorites = model
            .onboarding_scores(
                &catalog,
                &Favorites::default(),
                PopularityKind::AllTime,
                1.0,
            )
            .unwrap();
        assert_eq!(no_favorites, model.normalized(PopularityKind::AllTime));
    }

    #[test]
    fn serde_round_trip_and_thread_safety() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<TrendingModel>();
        let model = TrendingConfig::new()
            .now(5)
            .fit(
                &[event(1, Feedback::Like, 3)],
                2,
                &FeedbackPolicy::default(),
            )
            .unwrap();
        let config = bincode::config::standard();
        let bytes = bincode::serde::encode_to_vec(&model, config).unwrap();
        let (back, _): (TrendingModel, usize) =
            bincode::serde::decode_from_slice(&bytes, config).unwrap();
        assert_eq!(back, model);
    }

    proptest! {
        #[test]
        fn scores_are_finite_and_trending_never_exceeds_all_time(
            events in prop::collection::vec((0u32..5, -1_000_000_000i64..1_000_000_000, any::<bool>()), 0..40),
            half_life in 0.01f64..1000.0,
        ) {
            let events: Vec<Event> = events
                .into_iter()
                .map(|(item, t, like)| event(item, if like { Feedback::Like } else { Feedback::Dislike }, t))
                .collect();
            let model = TrendingConfig::new()
                .half_life_days(half_life)
                .fit(&events, 5, &FeedbackPolicy::default())
                .unwrap();
            for (t, a) in model.scores(PopularityKind::Trending).iter().zip(model.scores(PopularityKind::AllTime)) {
                prop_assert!(t.is_finite() && *t >= 0.0 && *t <= *a + 1e-4);
            }
        }
    }
}
