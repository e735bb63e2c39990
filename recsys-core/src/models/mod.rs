//! Trained models: implicit ALS, explicit matrix factorisation, item-kNN, EASE, popularity.
//!
//! Every top-N model implements [`ItemScorer`]: given a user's history it writes one score per
//! item; [`recommend`] turns those scores into a filtered top-N list. Models with a faster
//! dedicated path (ALS batch scoring) offer it as an inherent method too.

use crate::topk::{top_n, Scored};
use crate::{Error, Result};

pub mod als;
pub mod content;
pub mod ease;
pub mod knn;
pub mod mf;
pub mod popularity;
pub mod trending;

/// A user's history as one sparse row: item indices (ascending) and signed confidences, as in
/// [`Interactions::row`](crate::data::Interactions::row).
#[derive(Clone, Copy, Debug, Default)]
pub struct History<'a> {
    /// Dense item indices, sorted ascending.
    pub items: &'a [u32],
    /// Signed confidence per item (negative = negative evidence).
    pub values: &'a [f32],
}

impl<'a> History<'a> {
    /// A history from parallel slices.
    pub fn new(items: &'a [u32], values: &'a [f32]) -> Self {
        Self { items, values }
    }

    /// Whether the history holds `item`.
    pub fn contains(&self, item: u32) -> bool {
        self.items.binary_search(&item).is_ok()
    }
}

/// What to leave out of, or restrict, a top-N list.
#[derive(Clone, Copy, Debug)]
pub struct TopN<'a> {
    /// How many items to return at most.
    pub n: usize,
    /// Leave out every item in the user's history.
    pub exclude_seen: bool,
    /// Further items to leave out (any order).
    pub exclude: &'a [u32],
    /// If set, only these items may be returned.
    pub candidates: Option<&'a [u32]>,
}

impl<'a> TopN<'a> {
    /// The `n` best unseen items.
    pub fn new(n: usize) -> Self {
        Self {
            n,
            exclude_seen: true,
            exclude: &[],
            candidates: None,
        }
    }
}

/// A model that scores every item for a user.
pub trait ItemScorer: Send + Sync {
    /// Number of items the model scores.
    fn n_items(&self) -> usize;

    /// Writes one score per item into `scores` (length [`ItemScorer::n_items`]).
    ///
    /// `user` is the user's dense index when the model was trained on that user (it may then use
    /// cached state); `history` is the user's current history, which the model folds in when it
    /// needs to. Items the model cannot score get `f32::NEG_INFINITY`.
    fn score_items(
        &self,
        user: Option<u32>,
        history: History<'_>,
        scores: &mut [f32],
    ) -> Result<()>;
}

/// Scores with `model` and selects the filtered top-N.
///
/// # Errors
/// [`Error::IndexOutOfRange`] for history or exclusion items outside the model (candidates
/// outside it are ignored); [`Error::DimensionMismatch`] / [`Error::NonFinite`] for a history
/// whose values do not match its items or are not finite.
pub fn recommend<M: ItemScorer + ?Sized>(
    model: &M,
    user: Option<u32>,
    history: History<'_>,
    query: &TopN<'_>,
) -> Result<Vec<Scored>> {
    let n_items = model.n_items();
    check_history(history, n_items)?;
    check_items(query.exclude, n_items, "exclude")?;
    let mut scores = vec![0.0f32; n_items];
    model.score_items(user, history, &mut scores)?;
    Ok(select(&scores, history, query))
}

/// Selects the filtered top-N from dense scores (indices already validated).
pub(crate) fn select(scores: &[f32], history: History<'_>, query: &TopN<'_>) -> Vec<Scored> {
    let mut excluded = vec![false; scores.len()];
    if query.exclude_seen {
        for &i in history.items {
            excluded[i as usize] = true;
        }
    }
    for &i in query.exclude {
        if let Some(e) = excluded.get_mut(i as usize) {
            *e = true;
        }
    }
    if let Some(candidates) = query.candidates {
        let mut allowed = vec![false; scores.len()];
        for &i in candidates {
            if let Some(a) = allowed.get_mut(i as usize) {
                *a = true;
            }
        }
        for (e, a) in excluded.iter_mut().zip(allowed) {
            *e |= !a;
        }
    }
    top_n(scores, query.n, |i| excluded[i as usize])
}

pub(crate) fn check_items(items: &[u32], n_items: usize, what: &'static str) -> Result<()> {
    match items.iter().find(|&&i| i as usize >= n_items) {
        Some(&i) => Err(Error::IndexOutOfRange {
            what,
            index: i as usize,
            len: n_items,
        }),
        None => Ok(()),
    }
}

/// Checks a history: one value per item, items in range, values finite (a NaN or infinite
/// value would turn scores into NaN).
pub(crate) fn check_history(history: History<'_>, n_items: usize) -> Result<()> {
    if history.items.len() != history.values.len() {
        return Err(Error::DimensionMismatch {
            context: "history values (one per history item)".into(),
            expected: history.items.len(),
            got: history.values.len(),
        });
    }
    check_items(history.items, n_items, "history")?;
    for (&item, &value) in history.items.iter().zip(history.values) {
        crate::error::ensure_finite(f64::from(value), || format!("history value of item {item}"))?;
    }
    Ok(())
}

/// Checks that a score buffer has one slot per item.
pub(crate) fn check_score_len(scores: &[f32], n_items: usize) -> Result<()> {
    if scores.len() == n_items {
        Ok(())
    } else {
        Err(Error::DimensionMismatch {
            context: "score buffer (one slot per item)".into(),
            expected: n_items,
            got: scores.len(),
        })
    }
}
