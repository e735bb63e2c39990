//! Rating prediction for users the model never saw, the way an app meets them: users held out
//! of training are folded in from their first `k` ratings (by time) and their later ratings are
//! predicted, next to the same predictions without any history (the item baseline). A request
//! -time fold-in is worth having only when the first number is not above the second.
//!
//! ```
//! use recsys_core::eval::fold_in::fold_in_errors;
//! use recsys_core::eval::Rating;
//! use recsys_core::models::mf::{FoldInPrior, MfConfig};
//!
//! // Users 0–3 train the model; user 4 is held out and rates like user 0.
//! let train = [(0, 0, 5.0), (0, 1, 1.0), (0, 2, 5.0), (1, 0, 1.0), (1, 1, 5.0), (1, 2, 1.0),
//!              (2, 0, 5.0), (2, 1, 2.0), (3, 1, 4.0), (3, 2, 2.0)];
//! let model = MfConfig::new().factors(2).epochs(100).fit(&train, 4, 3)?;
//! let held_out: Vec<Rating> = [(0, 5.0), (1, 1.0), (2, 5.0)]
//!     .iter().enumerate()
//!     .map(|(t, &(item, r))| Rating::new(4, item, r, t as i64))
//!     .collect();
//! let reports = fold_in_errors(&held_out, &[1, 2], |history, items| {
//!     let user = model.fold_in_with_prior(history, FoldInPrior::default())?;
//!     items.iter().map(|&i| model.predict_folded(&user, i)).collect()
//! })?;
//! assert_eq!((reports[0].k, reports[0].n_users, reports[0].with_history.n), (1, 1, 2));
//! assert_eq!(reports[1].with_history.n, 1);
//! # Ok::<(), recsys_core::Error>(())
//! ```

use std::collections::BTreeMap;

use super::metrics::{prediction_errors, ErrorReport};
use super::split::Rating;
use crate::{Error, Result};

/// The errors at one history length `k`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FoldInReport {
    /// Ratings folded in per user (the user's first `k` by time).
    pub k: usize,
    /// Users with more than `k` ratings (the others are skipped at this `k`).
    pub n_users: usize,
    /// Errors on the later ratings, predicted from the first `k`.
    pub with_history: ErrorReport,
    /// Errors on the same ratings predicted from an empty history.
    pub without_history: ErrorReport,
}

/// Folds each user of `held_out` in from their first `k` ratings (sorted by timestamp, then
/// item) and predicts the rest, for every `k` of `ks`.
///
/// `predict(history, items)` returns the predictions for `items` of a user whose ratings are
/// `history` (`(item, rating)` pairs, oldest first; empty for the baseline). The ratings of
/// `held_out` must not have been used to train what `predict` calls.
///
/// # Errors
/// [`Error::InvalidParameter`] for an empty `ks`, a `k` of 0, or a `predict` that returns
/// the wrong number of values; [`Error::EmptyInput`] when no user has more than `k` ratings;
/// any error of `predict`.
pub fn fold_in_errors<F>(held_out: &[Rating], ks: &[usize], predict: F) -> Result<Vec<FoldInReport>>
where
    F: Fn(&[(u32, f32)], &[u32]) -> Result<Vec<f32>>,
{
    if ks.is_empty() || ks.contains(&0) {
        return Err(Error::invalid("ks", "needs history lengths of at least 1"));
    }
    let mut per_user: BTreeMap<u32, Vec<&Rating>> = BTreeMap::new();
    for rating in held_out {
        per_user.entry(rating.user).or_default().push(rating);
    }
    for ratings in per_user.values_mut() {
        ratings.sort_by_key(|r| (r.timestamp, r.item));
    }
    let mut reports = Vec::with_capacity(ks.len());
    for &k in ks {
        let (mut with, mut without) = (Vec::new(), Vec::new());
        let mut n_users = 0;
        for ratings in per_user.values().filter(|r| r.len() > k) {
            n_users += 1;
            let history: Vec<(u32, f32)> = ratings[..k].iter().map(|r| (r.item, r.value)).collect();
            let items: Vec<u32> = ratings[k..].iter().map(|r| r.item).collect();
            let truth = ratings[k..].iter().map(|r| r.value);
            for (predictions, out) in [
                (predict(&history, &items)?, &mut with),
                (predict(&[], &items)?, &mut without),
            ] {
                if predictions.len() != items.len() {
                    return Err(Error::invalid(
                        "predict",
                        format!(
                            "returned {} predictions for {} items",
                            predictions.len(),
                            items.len()
                        ),
                    ));
                }
                out.extend(truth.clone().zip(predictions));
            }
        }
        if n_users == 0 {
            return Err(Error::EmptyInput {
                what: format!("held-out users with more than {k} ratings"),
            });
        }
        reports.push(FoldInReport {
            k,
            n_users,
            with_history: prediction_errors(with)?,
            without_history: prediction_errors(without)?,
        });
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histories_are_the_earliest_ratings_and_errors_are_per_k() {
        // User 7 rated items 0..4 at times 4..0 (reverse order); user 8 only two items.
        let mut ratings: Vec<Rating> = (0..5)
            .map(|i| Rating::new(7, i, 1.0 + i as f32, 4 - i64::from(i)))
            .collect();
        ratings.push(Rating::new(8, 0, 3.0, 0));
        ratings.push(Rating::new(8, 1, 3.0, 1));
        // Predicts the mean of the history (3 without one).
        let predict = |history: &[(u32, f32)], items: &[u32]| -> Result<Vec<f32>> {
            let mean = if history.is_empty() {
                3.0
            } else {
                history.iter().map(|h| h.1).sum::<f32>() / history.len() as f32
            };
            Ok(vec![mean; items.len()])
        };
        let reports = fold_in_errors(&ratings, &[1, 4], predict).unwrap();
        // k = 1: user 7's first rating is item 4 (5 stars); user 8's is item 0.
        assert_eq!(reports[0].n_users, 2);
        assert_eq!(reports[0].with_history.n, 5);
        // Errors 5−{4,3,2,1} for user 7 and 0 for user 8.
        let expected = ((1.0 + 4.0 + 9.0 + 16.0) / 5.0f64).sqrt();
        assert!((reports[0].with_history.rmse - expected).abs() < 1e-9);
        assert_eq!(reports[1].n_users, 1);
        assert_eq!(reports[1].without_history.n, 1);
        assert!(fold_in_errors(&ratings, &[5], predict).is_err());
        assert!(fold_in_errors(&ratings, &[0], predict).is_err());
        assert!(fold_in_errors(&ratings, &[], predict).is_err());
        let short = |_: &[(u32, f32)], _: &[u32]| -> Result<Vec<f32>> { Ok(Vec::new()) };
        assert!(fold_in_errors(&ratings, &[1], short).is_err());
    }
}
