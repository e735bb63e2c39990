//! Ranking metrics @k with binary relevance, and rating-prediction errors.
//!
//! Definitions (the common ones, as in this project's MovieLens protocol):
//! - precision@k = hits / k (a list shorter than k still divides by k);
//! - recall@k = hits / |relevant|;
//! - nDCG@k = Σ_{hit at rank r} 1/log₂(r+1) / IDCG, IDCG over min(|relevant|, k) hits;
//! - AP@k = Σ_{hit at rank r} precision@r / min(|relevant|, k) (MAP = its mean over users);
//! - hit rate@k = 1 if any hit.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The ranking metrics of one user's list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserMetrics {
    /// hits / k.
    pub precision: f64,
    /// hits / |relevant|.
    pub recall: f64,
    /// Normalised discounted cumulative gain.
    pub ndcg: f64,
    /// Average precision.
    pub average_precision: f64,
    /// 1 if the list holds a relevant item.
    pub hit: f64,
}

/// Metrics of the first `k` entries of `recommended` against the `relevant` items (sorted
/// ascending), or `None` when nothing is relevant (such users are skipped in averages).
///
/// ```
/// use recsys_core::eval::metrics::user_metrics;
/// // Hits at ranks 1 and 3 of 3; relevant = {1, 5, 9}.
/// let m = user_metrics(&[1, 2, 5], &[1, 5, 9], 3).unwrap();
/// assert!((m.precision - 2.0 / 3.0).abs() < 1e-12);
/// assert!((m.recall - 2.0 / 3.0).abs() < 1e-12);
/// assert!((m.average_precision - (1.0 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
/// assert!(user_metrics(&[1], &[], 3).is_none());
/// ```
pub fn user_metrics(recommended: &[u32], relevant: &[u32], k: usize) -> Option<UserMetrics> {
    if relevant.is_empty() || k == 0 {
        return None;
    }
    let mut hits = 0usize;
    let mut dcg = 0.0f64;
    let mut precision_sum = 0.0f64;
    for (rank0, item) in recommended.iter().take(k).enumerate() {
        if relevant.binary_search(item).is_ok() {
            hits += 1;
            dcg += discount(rank0);
            precision_sum += hits as f64 / (rank0 + 1) as f64;
        }
    }
    let ideal_hits = relevant.len().min(k);
    let idcg: f64 = (0..ideal_hits).map(discount).sum();
    Some(UserMetrics {
        precision: hits as f64 / k as f64,
        recall: hits as f64 / relevant.len() as f64,
        ndcg: dcg / idcg,
        average_precision: precision_sum / ideal_hits as f64,
        hit: if hits > 0 { 1.0 } else { 0.0 },
    })
}

/// 1 / log₂(rank + 1) for a 0-based position (rank = position + 1).
fn discount(position: usize) -> f64 {
    1.0 / ((position + 2) as f64).log2()
}

/// Ranking metrics averaged over the evaluated users, plus catalogue coverage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The cut-off.
    pub k: usize,
    /// Users with at least one relevant item (the ones averaged over).
    pub n_users: usize,
    /// Mean precision@k.
    pub precision: f64,
    /// Mean recall@k.
    pub recall: f64,
    /// Mean nDCG@k.
    pub ndcg: f64,
    /// Mean average precision@k.
    pub map: f64,
    /// Share of users with at least one hit.
    pub hit_rate: f64,
    /// Share of the catalogue that appears in at least one evaluated user's list.
    pub coverage: f64,
}

impl Report {
    /// A header line matching [`Report`]'s `Display` columns.
    pub fn header() -> String {
        format!(
            "{:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6}",
            "P@k", "R@k", "nDCG@k", "MAP@k", "HR@k", "Cov@k", "users"
        )
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>6}",
            self.precision,
            self.recall,
            self.ndcg,
            self.map,
            self.hit_rate,
            self.coverage,
            self.n_users
        )
    }
}

/// Averages per-user ranking metrics over the users with relevant items.
///
/// `lists[u]` is user `u`'s ranked list (only the first `k` entries count), `relevant[u]` its
/// relevant items sorted ascending; users beyond `lists` count as empty lists. `catalogue[i]`
/// says whether item `i` counts for coverage (e.g. items seen in training).
///
/// ```
/// use recsys_core::eval::metrics::summarize;
/// let lists = vec![vec![3, 1], vec![2, 0]];
/// let relevant = vec![vec![1], vec![]]; // user 1 has nothing relevant: skipped
/// let report = summarize(&lists, &relevant, &[true; 4], 2).unwrap();
/// assert_eq!(report.n_users, 1);
/// assert!((report.precision - 0.5).abs() < 1e-12);
/// assert!((report.coverage - 0.5).abs() < 1e-12); // items 3 and 1 of 4
/// ```
///
/// # Errors
/// [`Error::EmptyInput`] if no user has a relevant item or the catalogue is empty;
/// [`Error::InvalidParameter`] for `k = 0`.
pub fn summarize(
    lists: &[Vec<u32>],
    relevant: &[Vec<u32>],
    catalogue: &[bool],
    k: usize,
) -> Result<Report> {
    if k == 0 {
        return Err(Error::invalid("k", "must be at least 1"));
    }
    let catalogue_size = catalogue.iter().filter(|&&c| c).count();
    if catalogue_size == 0 {
        return Err(Error::EmptyInput {
            what: "catalogue (no item counts for coverage)".into(),
        });
    }
    let mut sum = UserMetrics::default();
    let mut n_users = 0usize;
    let mut covered = vec![false; catalogue.len()];
    for (user, relevant_items) in relevant.iter().enumerate() {
        let list = lists.get(user).map_or(&[][..], Vec::as_slice);
        let Some(m) = user_metrics(list, relevant_items, k) else {
            continue;
        };
        n_users += 1;
        sum.precision += m.precision;
        sum.recall += m.recall;
        sum.ndcg += m.ndcg;
        sum.average_precision += m.average_precision;
        sum.hit += m.hit;
        for &item in list.iter().take(k) {
            if let Some(c) = covered.get_mut(item as usize) {
                *c = true;
            }
        }
    }
    if n_users == 0 {
        return Err(Error::EmptyInput {
            what: "relevant test items (no user has one)".into(),
        });
    }
    let n = n_users as f64;
    let n_covered = covered
        .iter()
        .zip(catalogue)
        .filter(|&(&c, &in_catalogue)| c && in_catalogue)
        .count();
    Ok(Report {
        k,
        n_users,
        precision: sum.precision / n,
        recall: sum.recall / n,
        ndcg: sum.ndcg / n,
        map: sum.average_precision / n,
        hit_rate: sum.hit / n,
        coverage: n_covered as f64 / catalogue_size as f64,
    })
}

/// Root-mean-square error and mean absolute error of `(truth, prediction)` pairs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// √mean((truth − prediction)²).
    pub rmse: f64,
    /// mean(|truth − prediction|).
    pub mae: f64,
    /// Number of pairs.
    pub n: usize,
}

/// RMSE and MAE of `(truth, prediction)` pairs.
///
/// ```
/// use recsys_core::eval::metrics::prediction_errors;
/// let e = prediction_errors([(4.0, 3.0), (2.0, 2.0), (5.0, 3.0)]).unwrap();
/// assert!((e.rmse - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
/// assert!((e.mae - 1.0).abs() < 1e-12);
/// ```
///
/// # Errors
/// [`Error::EmptyInput`] for no pairs, [`Error::NonFinite`] for a NaN or infinite value.
pub fn prediction_errors(pairs: impl IntoIterator<Item = (f32, f32)>) -> Result<ErrorReport> {
    let (mut squared, mut absolute, mut n) = (0.0f64, 0.0f64, 0usize);
    for (truth, prediction) in pairs {
        let error = f64::from(truth) - f64::from(prediction);
        crate::error::ensure_finite(error, || format!("prediction error of pair #{n}"))?;
        squared += error * error;
        absolute += error.abs();
        n += 1;
    }
    if n == 0 {
        return Err(Error::EmptyInput {
            what: "prediction pairs".into(),
        });
    }
    Ok(ErrorReport {
        rmse: (squared / n as f64).sqrt(),
        mae: absolute / n as f64,
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn hand_computed_list() {
        // k = 5, relevant = {2, 4, 7, 8, 9, 11} (6 items), hits at ranks 2 and 5.
        let m = user_metrics(&[1, 2, 3, 5, 4, 7], &[2, 4, 7, 8, 9, 11], 5).unwrap();
        assert!(close(m.precision, 0.4));
        assert!(close(m.recall, 2.0 / 6.0));
        let dcg = 1.0 / 3f64.log2() + 1.0 / 6f64.log2();
        let idcg = 1.0 + 1.0 / 3f64.log2() + 0.5 + 1.0 / 5f64.log2() + 1.0 / 6f64.log2();
        assert!(close(m.ndcg, dcg / idcg));
        // AP: (1/2 + 2/5) / min(6, 5).
        assert!(close(m.average_precision, (0.5 + 0.4) / 5.0));
        assert!(close(m.hit, 1.0));
    }

    #[test]
    fn short_lists_and_few_relevant() {
        // One relevant item ranked first: perfect nDCG and AP even though P@10 = 0.1.
        let m = user_metrics(&[7], &[7], 10).unwrap();
        assert!(close(m.ndcg, 1.0) && close(m.average_precision, 1.0));
        assert!(close(m.precision, 0.1) && close(m.recall, 1.0));
        let miss = user_metrics(&[1, 2], &[7], 10).unwrap();
        assert_eq!(miss, UserMetrics::default());
    }

    #[test]
    fn summary_skips_users_without_relevant_items_and_counts_missing_lists() {
        let lists = vec![vec![0, 1], vec![], vec![5]];
        let relevant = vec![vec![1], vec![2], vec![], vec![3]];
        let catalogue = [true, true, false, true, true, false];
        let r = summarize(&lists, &relevant, &catalogue, 2).unwrap();
        assert_eq!(r.n_users, 3); // users 0, 1, 3 (3 has no list: zero everywhere)
        assert!(close(r.hit_rate, 1.0 / 3.0));
        assert!(close(r.ndcg, (1.0 / 3f64.log2()) / 3.0));
        assert!(close(r.coverage, 2.0 / 4.0)); // items 0, 1 of {0, 1, 3, 4}; 5 is outside
        assert!(summarize(&lists, &[vec![]], &catalogue, 2).is_err());
        assert!(summarize(&lists, &relevant, &catalogue, 0).is_err());
    }

    #[test]
    fn prediction_errors_reject_bad_input() {
        assert!(matches!(
            prediction_errors(std::iter::empty()),
            Err(Error::EmptyInput { .. })
        ));
        assert!(matches!(
            prediction_errors([(1.0, f32::NAN)]),
            Err(Error::NonFinite { .. })
        ));
    }

    proptest! {
        #[test]
        fn metrics_are_bounded_and_perfect_lists_score_one(
            relevant in proptest::collection::btree_set(0u32..50, 1..15),
            noise in proptest::collection::vec(50u32..100, 0..10),
            k in 1usize..20,
        ) {
            let relevant: Vec<u32> = relevant.into_iter().collect();
            let mut list = noise.clone();
            list.extend(&relevant);
            let m = user_metrics(&list, &relevant, k).unwrap();
            for v in [m.precision, m.recall, m.ndcg, m.average_precision, m.hit] {
                prop_assert!((0.0..=1.0 + 1e-12).contains(&v));
            }
            let perfect = user_metrics(&relevant, &relevant, k).unwrap();
            prop_assert!(close(perfect.ndcg, 1.0));
            prop_assert!(close(perfect.average_precision, 1.0));
            prop_assert!(perfect.ndcg + 1e-12 >= m.ndcg);
        }
    }
}
