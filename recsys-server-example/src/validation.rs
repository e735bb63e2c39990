//! Held-out validation of a training, run with the core's `eval` module: each user with
//! enough history keeps about one movie in five out of a second fit (all events on that
//! movie, so a watch cannot leak its rating), and the second model's For You for the rest of
//! the history is scored against the held-out movies the user liked. The numbers describe
//! how well the recipe generalises, not how well it remembers its training data.

use std::collections::{HashMap, HashSet};

use recsys_core::data::Dataset;
use recsys_core::eval::{evaluate_recommender, held_out_users, ExternalEvent};
use recsys_core::prelude::{List, Query, RecommenderBuilder};
use serde::{Deserialize, Serialize};

/// The cut-off of the metrics.
pub const K: usize = 10;
/// Users with fewer distinct movies than this are only trained on.
pub const MIN_ITEMS: usize = 4;
/// One movie in this many is held out.
pub const HOLD_OUT_ONE_IN: u64 = 5;
/// A rating at least this high (or a like, a watch, a watchlist entry) counts as a hit.
pub const RELEVANT_RATING: f32 = 4.0;

/// The validation metrics of one training.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    /// How the split was made.
    pub method: String,
    /// Cut-off.
    pub k: usize,
    /// Users evaluated (with at least one relevant held-out movie).
    pub n_users: usize,
    /// Held-out events.
    pub n_test_events: usize,
    /// Events the validation model trained on.
    pub n_train_events: usize,
    /// Mean precision@k.
    pub precision: f64,
    /// Mean recall@k.
    pub recall: f64,
    /// Mean nDCG@k.
    pub ndcg: f64,
    /// Mean average precision@k.
    pub map: f64,
    /// Share of users with a hit in their top k.
    pub hit_rate: f64,
    /// Share of the catalogue recommended to someone.
    pub coverage: f64,
    /// Seconds the validation fit and scoring took.
    pub seconds: f64,
}

/// A deterministic hash of `(user, item)` (FNV-1a), so a retrain on the same data holds out
/// the same movies.
fn pair_hash(user: &str, item: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in user.bytes().chain([0u8]).chain(item.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Splits `full`'s events, fits `builder` on the training part and evaluates For You at
/// [`K`] on the held-out part. `None` when no user has enough history to hold anything out.
///
/// # Errors
/// Those of the fit and of the evaluation.
pub fn validate(
    builder: &RecommenderBuilder,
    full: &Dataset,
) -> recsys_core::Result<Option<Validation>> {
    let started = std::time::Instant::now();
    let ids = |e: &recsys_core::data::Event| -> (&str, &str) {
        (
            full.users.id_of(e.user).unwrap_or_default(),
            full.items.id_of(e.item).unwrap_or_default(),
        )
    };
    let mut items_of: HashMap<u32, HashSet<u32>> = HashMap::new();
    for e in full.events() {
        items_of.entry(e.user).or_default().insert(e.item);
    }
    let mut train: Vec<ExternalEvent<'_>> = Vec::new();
    let mut test: Vec<ExternalEvent<'_>> = Vec::new();
    for e in full.events() {
        let (user, item) = ids(e);
        let held_out = items_of.get(&e.user).map_or(0, HashSet::len) >= MIN_ITEMS
            && pair_hash(user, item).is_multiple_of(HOLD_OUT_ONE_IN);
        let event = (user, item, e.feedback, e.timestamp);
        if held_out {
            test.push(event);
        } else {
            train.push(event);
        }
    }
    if test.is_empty() {
        return Ok(None);
    }
    let mut train_set = full.without_events();
    for &(user, item, feedback, timestamp) in &train {
        train_set.add_event(user, item, feedback, timestamp)?;
    }
    let model = builder.fit(&train_set)?;
    let users = held_out_users(train.iter().copied(), test.iter().copied(), RELEVANT_RATING)?;
    let report = evaluate_recommender(&model, &users, K, &Query::new(List::ForYou))?;
    Ok(Some(Validation {
        method: format!(
            "one movie in {HOLD_OUT_ONE_IN} held out per user with {MIN_ITEMS}+ movies; \
             For You of a model refit on the rest"
        ),
        k: report.k,
        n_users: report.n_users,
        n_test_events: test.len(),
        n_train_events: train.len(),
        precision: report.precision,
        recall: report.recall,
        ndcg: report.ndcg,
        map: report.map,
        hit_rate: report.hit_rate,
        coverage: report.coverage,
        seconds: started.elapsed().as_secs_f64(),
    }))
}
