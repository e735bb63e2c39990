//! Evaluation: train/test splits ([`split`]), ranking and rating metrics ([`metrics`]) and
//! [`evaluate_top_n`], which scores a top-N model on held-out relevance the way this project's
//! MovieLens protocol does.
//!
//! ```
//! use recsys_core::data::Interactions;
//! use recsys_core::eval::split::{temporal_split, Rating};
//! use recsys_core::eval::{evaluate_top_n, Relevance};
//! use recsys_core::models::popularity::PopularityConfig;
//!
//! // Three users; everyone's latest rating is held out.
//! let ratings: Vec<Rating> = [(0, 0, 5.0), (0, 1, 4.0), (1, 0, 5.0), (1, 2, 2.0), (1, 1, 5.0),
//!                             (2, 2, 4.0), (2, 0, 4.0)]
//!     .iter().enumerate()
//!     .map(|(t, &(u, i, r))| Rating::new(u, i, r, t as i64))
//!     .collect();
//! let split = temporal_split(&ratings, 0.4).unwrap();
//! let triplets: Vec<(u32, u32, f32)> = split.train.iter().map(|r| (r.user, r.item, 1.0)).collect();
//! let train = Interactions::from_triplets(3, 3, &triplets).unwrap();
//! let relevance = Relevance::from_ratings(&split.test, 3, 4.0).unwrap();
//! let model = PopularityConfig::new().fit(&train).unwrap();
//! let report = evaluate_top_n(&model, &train, &relevance, 1).unwrap();
//! assert_eq!(report.n_users, 3);
//! assert!(report.hit_rate > 0.0);
//! ```

pub mod at_k;
pub mod fold_in;
pub mod holdout;
pub mod metrics;
pub mod onboarding;
mod recommender;
pub mod split;

pub use fold_in::{fold_in_errors, FoldInReport};
pub use metrics::{prediction_errors, summarize, user_metrics, ErrorReport, Report, UserMetrics};
pub use recommender::{
    evaluate_recommender, held_out_users, is_relevant, ExternalEvent, HeldOutUser,
};
pub use split::{Rating, Split};

use crate::data::Interactions;
use crate::models::{recommend, History, ItemScorer, TopN};
use crate::Result;

#[cfg(feature = "parallel")]
use rayon::prelude::*;

/// Held-out relevant items per user (sorted, deduplicated).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Relevance {
    per_user: Vec<Vec<u32>>,
}

impl Relevance {
    /// Relevance from `(user, item)` pairs; `n_users` is a lower bound on the number of users
    /// (it grows to fit the largest user index).
    ///
    /// ```
    /// use recsys_core::eval::Relevance;
    /// let relevance = Relevance::from_pairs(3, [(1, 7), (1, 2), (1, 7)]).unwrap();
    /// assert_eq!(relevance.per_user(), &[vec![], vec![2, 7], vec![]]);
    /// // One list per user is allocated: a user count no pair backs is refused.
    /// assert!(Relevance::from_pairs(usize::MAX, []).is_err());
    /// assert!(Relevance::from_pairs(0, [(u32::MAX, 0)]).is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) when `n_users` or the
    /// largest user index exceeds the number of pairs by more than
    /// [`MAX_UNBACKED_LEN`](crate::data::MAX_UNBACKED_LEN).
    pub fn from_pairs(n_users: usize, pairs: impl IntoIterator<Item = (u32, u32)>) -> Result<Self> {
        let pairs: Vec<(u32, u32)> = pairs.into_iter().collect();
        let users_needed = pairs
            .iter()
            .map(|&(user, _)| (user as usize).saturating_add(1))
            .max()
            .unwrap_or(0)
            .max(n_users);
        crate::data::check_unbacked_len("n_users", users_needed, pairs.len())?;
        let mut per_user: Vec<Vec<u32>> = vec![Vec::new(); users_needed];
        for (user, item) in pairs {
            per_user[user as usize].push(item);
        }
        for items in &mut per_user {
            items.sort_unstable();
            items.dedup();
        }
        Ok(Self { per_user })
    }

    /// Test ratings at or above `threshold` are relevant (the MovieLens protocol uses 4).
    ///
    /// # Errors
    /// Those of [`Relevance::from_pairs`] (`n_users` far beyond the test ratings).
    pub fn from_ratings(test: &[split::Rating], n_users: usize, threshold: f32) -> Result<Self> {
        Self::from_pairs(
            n_users,
            test.iter()
                .filter(|r| r.value >= threshold)
                .map(|r| (r.user, r.item)),
        )
    }

    /// Relevant items per user.
    pub fn per_user(&self) -> &[Vec<u32>] {
        &self.per_user
    }

    /// Number of users with at least one relevant item.
    pub fn n_evaluated_users(&self) -> usize {
        self.per_user.iter().filter(|r| !r.is_empty()).count()
    }
}

/// Evaluates `model`'s top-`k` lists against `relevance`.
///
/// For every user with a relevant item, the model scores from the user's `train` row, the
/// user's training items are excluded, and the list is compared with the relevant items. Users
/// without relevant items are skipped. Coverage counts items with at least one training
/// interaction (the catalogue). Users beyond `train`'s rows are scored as anonymous users with
/// an empty history. Runs in parallel with the `parallel` feature.
///
/// # Errors
/// Any error of the model's scoring; those of [`summarize`].
pub fn evaluate_top_n<M: ItemScorer + ?Sized>(
    model: &M,
    train: &Interactions,
    relevance: &Relevance,
    k: usize,
) -> Result<Report> {
    let lists = top_n_lists(model, train, relevance.per_user(), k)?;
    let catalogue: Vec<bool> = train.item_counts().iter().map(|&c| c > 0).collect();
    summarize(&lists, relevance.per_user(), &catalogue, k)
}

/// The top-`k` items (training items excluded) of every user that has relevant items; other
/// users get an empty list.
fn top_n_lists<M: ItemScorer + ?Sized>(
    model: &M,
    train: &Interactions,
    relevant: &[Vec<u32>],
    k: usize,
) -> Result<Vec<Vec<u32>>> {
    let list_of = |user: usize| -> Result<Vec<u32>> {
        if relevant[user].is_empty() {
            return Ok(Vec::new());
        }
        let (known, history) = if user < train.n_users() {
            let (items, values) = train.row(user);
            (Some(user as u32), History::new(items, values))
        } else {
            (None, History::default())
        };
        let recs = recommend(model, known, history, &TopN::new(k))?;
        Ok(recs.into_iter().map(|s| s.item).collect())
    };
    #[cfg(feature = "parallel")]
    let lists = (0..relevant.len()).into_par_iter().map(list_of).collect();
    #[cfg(not(feature = "parallel"))]
    let lists = (0..relevant.len()).map(list_of).collect();
    lists
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::History;

    /// Scores items by a fixed preference order.
    struct Fixed(Vec<f32>);

    impl ItemScorer for Fixed {
        fn n_items(&self) -> usize {
            self.0.len()
        }
        fn score_items(&self, _: Option<u32>, _: History<'_>, scores: &mut [f32]) -> Result<()> {
            scores.copy_from_slice(&self.0);
            Ok(())
        }
    }

    #[test]
    fn training_items_are_excluded_and_unseen_users_are_anonymous() {
        let train = Interactions::from_triplets(2, 4, &[(0, 3, 1.0), (1, 0, 1.0)]).unwrap();
        let model = Fixed(vec![0.1, 0.2, 0.3, 0.4]);
        // User 0 trained on item 3, so its top-1 is item 2; user 2 is unknown: top-1 is item 3.
        let relevance = Relevance::from_pairs(0, [(0, 2), (2, 3), (1, 1), (1, 1)]).unwrap();
        assert_eq!(relevance.per_user()[1], vec![1]);
        let report = evaluate_top_n(&model, &train, &relevance, 1).unwrap();
        assert_eq!(report.n_users, 3);
        assert!((report.hit_rate - 2.0 / 3.0).abs() < 1e-12);
        // Items 2 and 3 recommended to evaluated users; catalogue = {0, 3}.
        assert!((report.coverage - 0.5).abs() < 1e-12);
    }
}
