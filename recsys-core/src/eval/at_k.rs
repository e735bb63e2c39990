//! The ranking metrics of the `implicit` library's `ranking_metrics_at_k`, from top-K lists and
//! a held-out matrix, so that numbers computed here agree with numbers published with it.
//!
//! The definitions differ from [`super::metrics`]: precision is *micro*-averaged and divided by
//! `min(K, |test_u|)` (hits over all users / Σ_u min(K, |test_u|)); MAP divides each user's
//! average precision by `min(K, |test_u|)`; AUC is `implicit`'s "limited" AUC, where items
//! below the cut-off are assumed to rank half-way.
//!
//! ```
//! use recsys_core::data::Interactions;
//! use recsys_core::eval::at_k::ranking_metrics_at_k;
//!
//! // User 0 held out items 1 and 3, user 1 held out nothing, user 2 held out item 0.
//! let test = Interactions::from_triplets(3, 5, &[(0, 1, 1.0), (0, 3, 1.0), (2, 0, 1.0)]).unwrap();
//! let lists = vec![vec![1, 2], vec![4, 0], vec![2, 4]];
//! let m = ranking_metrics_at_k(&[0, 1, 2], &lists, &test, 2).unwrap();
//! assert_eq!(m.n_users, 2);
//! assert!((m.precision - 1.0 / 3.0).abs() < 1e-12); // one hit / (2 + 1)
//! ```

use crate::data::Interactions;
use crate::{Error, Result};

/// `implicit`-style ranking metrics at a cut-off `K`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankingAtK {
    /// Hits over all users / Σ_u min(K, |test_u|).
    pub precision: f64,
    /// Mean over users of (Σ_{hits at rank r} hits-so-far / r) / min(K, |test_u|).
    pub map: f64,
    /// Mean over users of DCG@K / ideal DCG@K (binary gains, `1 / log2(rank + 1)`).
    pub ndcg: f64,
    /// Mean over users of the AUC of the top-K list, items below the cut-off ranked half-way.
    pub auc: f64,
    /// Users with at least one held-out item (the ones averaged over).
    pub n_users: usize,
}

/// Scores top-`k` lists against held-out items: `lists[r]` is the list of user `users[r]`,
/// best first (entries past `k` are ignored; shorter lists count their missing ranks as
/// misses). Users whose `test` row is empty are skipped; `test` values are not read.
///
/// # Errors
/// [`Error::DimensionMismatch`] if `users` and `lists` differ in length;
/// [`Error::IndexOutOfRange`] for a user outside `test`; [`Error::InvalidParameter`] for
/// `k == 0`; [`Error::EmptyInput`] when no listed user has a held-out item.
pub fn ranking_metrics_at_k(
    users: &[u32],
    lists: &[Vec<u32>],
    test: &Interactions,
    k: usize,
) -> Result<RankingAtK> {
    if users.len() != lists.len() {
        return Err(Error::DimensionMismatch {
            context: "ranking_metrics_at_k: lists (one per user)".into(),
            expected: users.len(),
            got: lists.len(),
        });
    }
    if k == 0 {
        return Err(Error::invalid("K", "must be at least 1"));
    }
    // No list ranks more items than exist: ranks past that are not allocated or visited, so a
    // huge `k` costs nothing.
    let ranks = k.min(test.n_items());
    let discounts: Vec<f64> = (0..ranks).map(|r| 1.0 / ((r + 2) as f64).log2()).collect();
    let n_items = test.n_items() as f64;
    let (mut hits_total, mut divisor, mut map, mut ndcg, mut auc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut n_users = 0usize;
    for (&user, list) in users.iter().zip(lists) {
        let (relevant, _) = test.try_row(user as usize)?;
        if relevant.is_empty() {
            continue;
        }
        let n_relevant = relevant.len() as f64;
        let cut = k.min(relevant.len());
        let ideal: f64 = discounts[..cut].iter().sum();
        let (mut hits, mut misses, mut precision_sum, mut dcg, mut user_auc) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        for (rank, discount) in discounts.iter().enumerate() {
            let hit = list
                .get(rank)
                .is_some_and(|item| relevant.binary_search(item).is_ok());
            if hit {
                hits += 1.0;
                precision_sum += hits / (rank + 1) as f64;
                dcg += discount;
            } else {
                misses += 1.0;
                user_auc += hits;
            }
        }
        let negatives = n_items - n_relevant;
        user_auc += (hits + n_relevant) / 2.0 * (negatives - misses);
        hits_total += hits;
        divisor += cut as f64;
        map += precision_sum / cut as f64;
        ndcg += dcg / ideal;
        // A user whose held-out items are the whole catalogue has no negative item: every
        // ranking orders the positives first (the formula would divide by zero).
        auc += if negatives > 0.0 {
            user_auc / (n_relevant * negatives)
        } else {
            1.0
        };
        n_users += 1;
    }
    if n_users == 0 {
        return Err(Error::EmptyInput {
            what: "ranking_metrics_at_k: no listed user has a held-out item".into(),
        });
    }
    let users_f = n_users as f64;
    Ok(RankingAtK {
        precision: hits_total / divisor,
        map: map / users_f,
        ndcg: ndcg / users_f,
        auc: auc / users_f,
        n_users,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_empty_lists() {
        let test =
            Interactions::from_triplets(2, 10, &[(0, 1, 1.0), (0, 2, 1.0), (1, 5, 1.0)]).unwrap();
        let perfect = ranking_metrics_at_k(&[0, 1], &[vec![2, 1, 7], vec![5]], &test, 3).unwrap();
        assert_eq!(perfect.n_users, 2);
        assert!((perfect.precision - 1.0).abs() < 1e-12);
        assert!((perfect.map - 1.0).abs() < 1e-12);
        assert!((perfect.ndcg - 1.0).abs() < 1e-12);
        assert!((perfect.auc - 1.0).abs() < 1e-12);
        let nothing = ranking_metrics_at_k(&[0, 1], &[vec![], vec![0]], &test, 3).unwrap();
        assert_eq!(
            (nothing.precision, nothing.map, nothing.ndcg),
            (0.0, 0.0, 0.0)
        );
        // Nothing found in the top 3: the relevant items rank half-way among the rest.
        assert!(nothing.auc > 0.0 && nothing.auc < 0.5);
    }

    #[test]
    fn map_and_ndcg_by_hand() {
        let test = Interactions::from_triplets(1, 6, &[(0, 0, 1.0), (0, 3, 1.0)]).unwrap();
        // Hits at ranks 2 and 3.
        let m = ranking_metrics_at_k(&[0], &[vec![5, 0, 3]], &test, 3).unwrap();
        assert!((m.precision - 1.0).abs() < 1e-12); // 2 hits / min(3, 2)
        assert!((m.map - (1.0 / 2.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
        let dcg = 1.0 / 3f64.log2() + 1.0 / 4f64.log2();
        let ideal = 1.0 + 1.0 / 3f64.log2();
        assert!((m.ndcg - dcg / ideal).abs() < 1e-12);
        // One miss before both hits: AUC = (0 + (2 + 2) / 2 · (4 − 1)) / (2 · 4).
        assert!((m.auc - 6.0 / 8.0).abs() < 1e-12);
    }

    #[test]
    fn every_item_held_out_gives_a_finite_auc() {
        // A 1-item catalogue (or a user who holds out every item) has no negatives: the AUC
        // used to be -inf or NaN.
        let test = Interactions::from_triplets(1, 1, &[(0, 0, 1.0)]).unwrap();
        for list in [vec![], vec![0]] {
            let m = ranking_metrics_at_k(&[0], &[list], &test, 1).unwrap();
            assert_eq!(m.auc, 1.0);
        }
        let both =
            Interactions::from_triplets(2, 2, &[(0, 0, 1.0), (0, 1, 1.0), (1, 0, 1.0)]).unwrap();
        let m = ranking_metrics_at_k(&[0, 1], &[vec![1], vec![0]], &both, 1).unwrap();
        assert!(m.auc.is_finite() && (0.0..=1.0).contains(&m.auc));
    }

    #[test]
    fn bad_arguments() {
        let test = Interactions::from_triplets(1, 3, &[(0, 0, 1.0)]).unwrap();
        assert!(ranking_metrics_at_k(&[0], &[], &test, 3).is_err());
        assert!(ranking_metrics_at_k(&[0], &[vec![0]], &test, 0).is_err());
        assert!(ranking_metrics_at_k(&[1], &[vec![0]], &test, 3).is_err());
        let empty = Interactions::from_triplets(1, 3, &[]).unwrap();
        assert!(matches!(
            ranking_metrics_at_k(&[0], &[vec![0]], &empty, 3),
            Err(Error::EmptyInput { .. })
        ));
        // A huge k is cut at the number of items instead of allocating k discounts (it used to
        // abort with "capacity overflow"), and equals k = n_items.
        let huge = ranking_metrics_at_k(&[0], &[vec![2, 0]], &test, usize::MAX).unwrap();
        assert_eq!(
            huge,
            ranking_metrics_at_k(&[0], &[vec![2, 0]], &test, 3).unwrap()
        );
    }
}
