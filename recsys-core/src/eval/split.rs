//! Train/test splits: random, per-user random, per-user temporal, leave-last-k-out and k-fold.
//!
//! Every split works on any record type that knows its user, item and time ([`Timed`]), so the
//! same functions split explicit [`Rating`]s and feedback [`Event`]s.

use serde::{Deserialize, Serialize};

use crate::data::{Event, Feedback};
use crate::rng::{shuffle, SplitMix64};
use crate::{Error, Result};

/// One explicit rating with the time it was given.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// Dense user index.
    pub user: u32,
    /// Dense item index.
    pub item: u32,
    /// The rating value (e.g. 1–5 stars).
    pub value: f32,
    /// Seconds since the Unix epoch (only the order matters).
    pub timestamp: i64,
}

impl Rating {
    /// A rating from its parts.
    pub fn new(user: u32, item: u32, value: f32, timestamp: i64) -> Self {
        Self {
            user,
            item,
            value,
            timestamp,
        }
    }
}

/// A record that belongs to a user and an item at a point in time.
pub trait Timed {
    /// Dense user index.
    fn user(&self) -> u32;
    /// Dense item index.
    fn item(&self) -> u32;
    /// When it happened.
    fn timestamp(&self) -> i64;
}

/// Both record types carry the same three fields under the same names.
macro_rules! impl_timed {
    ($($record:ty),*) => {$(
        impl Timed for $record {
            fn user(&self) -> u32 {
                self.user
            }
            fn item(&self) -> u32 {
                self.item
            }
            fn timestamp(&self) -> i64 {
                self.timestamp
            }
        }
    )*};
}

impl_timed!(Rating, Event);

/// The explicit ratings among `events` (other feedback kinds are skipped), in order.
///
/// ```
/// use recsys_core::data::{Dataset, Feedback};
/// use recsys_core::eval::split::{ratings_from_events, Rating};
/// let mut ds = Dataset::new();
/// ds.add_event("ann", "alien", Feedback::Rating(4.0), 7).unwrap();
/// ds.add_event("ann", "heat", Feedback::Like, 8).unwrap();
/// assert_eq!(ratings_from_events(ds.events()), vec![Rating::new(0, 0, 4.0, 7)]);
/// ```
pub fn ratings_from_events(events: &[Event]) -> Vec<Rating> {
    events
        .iter()
        .filter_map(|e| match e.feedback {
            Feedback::Rating(value) => Some(Rating::new(e.user, e.item, value, e.timestamp)),
            _ => None,
        })
        .collect()
}

/// The two halves of a split.
#[derive(Clone, Debug, PartialEq)]
pub struct Split<T> {
    /// Records to train on.
    pub train: Vec<T>,
    /// Held-out records.
    pub test: Vec<T>,
}

/// Random split: each record goes to test with probability close to `test_fraction`
/// (exactly `round(test_fraction · n)` records are drawn, seeded). Records keep their input
/// order within each half.
///
/// ```
/// use recsys_core::eval::split::{random_split, Rating};
/// let ratings: Vec<Rating> = (0..10).map(|i| Rating::new(0, i, 4.0, i as i64)).collect();
/// let split = random_split(&ratings, 0.3, 42).unwrap();
/// assert_eq!((split.train.len(), split.test.len()), (7, 3));
/// assert_eq!(split, random_split(&ratings, 0.3, 42).unwrap()); // seeded
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] unless `0 ≤ test_fraction ≤ 1`.
pub fn random_split<T: Clone>(records: &[T], test_fraction: f64, seed: u64) -> Result<Split<T>> {
    check_fraction(test_fraction)?;
    let n_test = (test_fraction * records.len() as f64).round() as usize;
    let mut order: Vec<usize> = (0..records.len()).collect();
    shuffle(&mut SplitMix64::new(seed), &mut order);
    let mut is_test = vec![false; records.len()];
    for &k in &order[..n_test] {
        is_test[k] = true;
    }
    Ok(partition(records, |k| is_test[k]))
}

/// Per-user temporal split: each user's records are sorted by `(timestamp, item)` and the last
/// `ceil(test_fraction · n_u)` go to test.
///
/// This is the MovieLens evaluation protocol of this project (`test_fraction = 0.2`); the
/// item index breaks same-second ties so the split is deterministic (use
/// [`temporal_split_by`] to break ties by another key, e.g. the raw item id). Both halves come
/// out sorted by user, then time.
///
/// ```
/// use recsys_core::eval::split::{temporal_split, Rating};
/// let ratings: Vec<Rating> = (0..6).map(|i| Rating::new(i % 2, i, 3.0, 10 - i as i64)).collect();
/// let split = temporal_split(&ratings, 0.2).unwrap();
/// // ceil(0.2 · 3) = 1 per user: the latest rating of each user goes to test.
/// assert_eq!(split.test.iter().map(|r| r.item).collect::<Vec<_>>(), vec![0, 1]);
/// assert_eq!(split.train.len(), 4);
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] unless `0 ≤ test_fraction ≤ 1`.
pub fn temporal_split<T: Timed + Clone>(records: &[T], test_fraction: f64) -> Result<Split<T>> {
    temporal_split_by(records, test_fraction, Timed::item)
}

/// [`temporal_split`] with same-timestamp ties broken by `tie_break` (smaller = earlier).
///
/// The MovieLens protocol breaks ties by the *raw* item id; with dense indices assigned in file
/// order, pass a key that maps the index back to the raw id's order:
///
/// ```
/// use recsys_core::eval::split::{temporal_split_by, Rating};
/// // Raw ids of the dense items 0, 1: "50" and "7". Both rated in the same second.
/// let raw: [u64; 2] = [50, 7];
/// let ratings = [Rating::new(0, 0, 4.0, 1), Rating::new(0, 1, 4.0, 1)];
/// let split = temporal_split_by(&ratings, 0.5, |r| raw[r.item as usize]).unwrap();
/// assert_eq!(split.test[0].item, 0); // raw id 50 sorts after 7
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] unless `0 ≤ test_fraction ≤ 1`.
pub fn temporal_split_by<T: Timed + Clone, K: Ord>(
    records: &[T],
    test_fraction: f64,
    tie_break: impl Fn(&T) -> K,
) -> Result<Split<T>> {
    check_fraction(test_fraction)?;
    // The small epsilon keeps e.g. 0.2 · 20 = 4.000000000000001 from rounding up to 5.
    split_user_tails(records, tie_break, |n_u| {
        ((test_fraction * n_u as f64 - 1e-9).ceil().max(0.0) as usize).min(n_u)
    })
}

/// Per-user random split: each user's records are shuffled (seeded by `seed` and the user) and
/// `ceil(test_fraction · n_u)` of them go to test, the same count per user as
/// [`temporal_split`] but regardless of time (for data whose order says nothing, or to check
/// that a model is not tuned to one split kind). Both halves come out sorted by user, then
/// `(timestamp, item)`. Carve a validation part from the training half by calling it again on
/// `split.train` with another seed.
///
/// ```
/// use recsys_core::eval::split::{per_user_random_split, Rating};
/// let ratings: Vec<Rating> = (0..20).map(|i| Rating::new(i % 2, i, 4.0, i as i64)).collect();
/// let split = per_user_random_split(&ratings, 0.2, 7).unwrap();
/// // ceil(0.2 · 10) = 2 per user.
/// assert_eq!(split.test.iter().filter(|r| r.user == 0).count(), 2);
/// assert_eq!(split, per_user_random_split(&ratings, 0.2, 7).unwrap()); // seeded
/// let validation = per_user_random_split(&split.train, 0.2, 8).unwrap();
/// assert_eq!(validation.train.len() + validation.test.len(), split.train.len());
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] unless `0 ≤ test_fraction ≤ 1`.
pub fn per_user_random_split<T: Timed + Clone>(
    records: &[T],
    test_fraction: f64,
    seed: u64,
) -> Result<Split<T>> {
    check_fraction(test_fraction)?;
    let mut order: Vec<&T> = records.iter().collect();
    order.sort_by_key(|r| (r.user(), r.timestamp(), r.item()));
    let mut split = Split {
        train: Vec::with_capacity(records.len()),
        test: Vec::new(),
    };
    for user_records in order.chunk_by(|a, b| a.user() == b.user()) {
        let n_u = user_records.len();
        let n_test = ((test_fraction * n_u as f64 - 1e-9).ceil().max(0.0) as usize).min(n_u);
        let user = u64::from(user_records[0].user());
        let mut rng = SplitMix64::new(seed ^ user.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut positions: Vec<usize> = (0..n_u).collect();
        shuffle(&mut rng, &mut positions);
        let mut is_test = vec![false; n_u];
        for &k in &positions[..n_test] {
            is_test[k] = true;
        }
        for (k, &r) in user_records.iter().enumerate() {
            if is_test[k] {
                split.test.push(r.clone());
            } else {
                split.train.push(r.clone());
            }
        }
    }
    Ok(split)
}

/// Leave-last-k-out: each user's `k` most recent records (by `(timestamp, item)`) go to test.
/// Users with `k` records or fewer stay entirely in train, so every test user has history.
///
/// ```
/// use recsys_core::eval::split::{leave_last_k_out, Rating};
/// let ratings = [Rating::new(0, 0, 5.0, 1), Rating::new(0, 1, 4.0, 2), Rating::new(1, 2, 3.0, 1)];
/// let split = leave_last_k_out(&ratings, 1).unwrap();
/// assert_eq!(split.test, vec![Rating::new(0, 1, 4.0, 2)]);
/// assert_eq!(split.train.len(), 2);
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] for `k = 0`.
pub fn leave_last_k_out<T: Timed + Clone>(records: &[T], k: usize) -> Result<Split<T>> {
    if k == 0 {
        return Err(Error::invalid("k", "must be at least 1"));
    }
    split_user_tails(records, Timed::item, |n_u| if n_u > k { k } else { 0 })
}

/// Assigns each of the `records` to one of `n_folds` folds of (nearly) equal size, seeded:
/// a random permutation cut into contiguous blocks. Only the number of records matters; taking
/// the records (not a bare count) keeps the allocation the size of data that exists.
///
/// ```
/// use recsys_core::eval::split::{fold_assignment, fold_split, Rating};
/// let ratings: Vec<Rating> = (0..10).map(|i| Rating::new(0, i, 4.0, 0)).collect();
/// let folds = fold_assignment(&ratings, 5, 1).unwrap();
/// for f in 0..5 {
///     assert_eq!(folds.iter().filter(|&&x| x == f).count(), 2);
/// }
/// assert_eq!(fold_split(&ratings, &folds, 0).unwrap().test.len(), 2);
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] for `n_folds < 2`.
pub fn fold_assignment<T>(records: &[T], n_folds: usize, seed: u64) -> Result<Vec<usize>> {
    if n_folds < 2 {
        return Err(Error::invalid("n_folds", "must be at least 2"));
    }
    let n = records.len();
    let mut order: Vec<usize> = (0..n).collect();
    shuffle(&mut SplitMix64::new(seed), &mut order);
    let mut fold = vec![0; n];
    for (position, &record) in order.iter().enumerate() {
        // In u128: `position * n_folds` overflows usize for a huge fold count.
        fold[record] = (position as u128 * n_folds as u128 / n.max(1) as u128) as usize;
    }
    Ok(fold)
}

/// The split for fold `k`: records assigned to `k` are the test half, the rest train.
///
/// # Errors
/// [`Error::DimensionMismatch`] if `folds` and `records` differ in length.
pub fn fold_split<T: Clone>(records: &[T], folds: &[usize], k: usize) -> Result<Split<T>> {
    if folds.len() != records.len() {
        return Err(Error::DimensionMismatch {
            context: "fold assignment vs records".into(),
            expected: records.len(),
            got: folds.len(),
        });
    }
    Ok(partition(records, |i| folds[i] == k))
}

fn check_fraction(test_fraction: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&test_fraction) {
        return Err(Error::invalid(
            "test_fraction",
            format!("must be in [0, 1], got {test_fraction}"),
        ));
    }
    Ok(())
}

fn partition<T: Clone>(records: &[T], is_test: impl Fn(usize) -> bool) -> Split<T> {
    let mut split = Split {
        train: Vec::new(),
        test: Vec::new(),
    };
    for (k, record) in records.iter().enumerate() {
        if is_test(k) {
            split.test.push(record.clone());
        } else {
            split.train.push(record.clone());
        }
    }
    split
}

/// Sorts by `(user, timestamp, tie_break)` (stable) and sends the last `n_test(n_u)` records of
/// each user to test.
fn split_user_tails<T: Timed + Clone, K: Ord>(
    records: &[T],
    tie_break: impl Fn(&T) -> K,
    n_test: impl Fn(usize) -> usize,
) -> Result<Split<T>> {
    let mut order: Vec<&T> = records.iter().collect();
    order.sort_by_cached_key(|r| (r.user(), r.timestamp(), tie_break(r)));
    let mut split = Split {
        train: Vec::with_capacity(records.len()),
        test: Vec::new(),
    };
    for user_records in order.chunk_by(|a, b| a.user() == b.user()) {
        let cut = user_records.len() - n_test(user_records.len());
        split
            .train
            .extend(user_records[..cut].iter().map(|&r| r.clone()));
        split
            .test
            .extend(user_records[cut..].iter().map(|&r| r.clone()));
    }
    Ok(split)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ratings(spec: &[(u32, i64)]) -> Vec<Rating> {
        spec.iter()
            .enumerate()
            .map(|(k, &(user, ts))| Rating::new(user, k as u32, 3.0, ts))
            .collect()
    }

    #[test]
    fn temporal_split_breaks_ties_by_item_and_rounds_up() {
        // User 0: 5 ratings, ceil(0.2·5) = 1 to test; two share the latest second.
        let data = ratings(&[(0, 5), (0, 9), (0, 9), (0, 1), (0, 2), (1, 1), (1, 2)]);
        let split = temporal_split(&data, 0.2).unwrap();
        let test: Vec<(u32, u32)> = split.test.iter().map(|r| (r.user, r.item)).collect();
        // Item 2 wins the tie with item 1 at ts 9; user 1 gets ceil(0.4) = 1.
        assert_eq!(test, vec![(0, 2), (1, 6)]);
        let train_items: Vec<u32> = split.train.iter().map(|r| r.item).collect();
        assert_eq!(train_items, vec![3, 4, 0, 1, 5]);
    }

    #[test]
    fn exact_multiples_do_not_round_up() {
        let data = ratings(&[(0, 1); 20]);
        assert_eq!(temporal_split(&data, 0.2).unwrap().test.len(), 4);
        assert_eq!(temporal_split(&data, 0.0).unwrap().test.len(), 0);
        assert_eq!(temporal_split(&data, 1.0).unwrap().train.len(), 0);
        assert!(temporal_split(&data, 1.5).is_err());
        assert!(random_split(&data, -0.1, 0).is_err());
        assert!(leave_last_k_out(&data, 0).is_err());
        assert!(fold_assignment(&[(); 5], 1, 0).is_err());
        // `position * n_folds` overflowed: folds must still lie in 0..n_folds, in order.
        let folds = fold_assignment(&[(); 5], usize::MAX, 0).unwrap();
        let mut sorted = folds.clone();
        sorted.sort_unstable();
        assert_eq!(sorted[0], 0);
        assert!(sorted.windows(2).all(|w| w[0] < w[1]));
    }

    proptest! {
        #[test]
        fn splits_partition_the_records(
            spec in proptest::collection::vec((0u32..5, 0i64..20), 0..60),
            fraction in 0.0f64..=1.0,
            k in 1usize..4,
            seed in any::<u64>(),
        ) {
            let data = ratings(&spec);
            let mut splits = vec![
                temporal_split(&data, fraction).unwrap(),
                leave_last_k_out(&data, k).unwrap(),
                random_split(&data, fraction, seed).unwrap(),
                per_user_random_split(&data, fraction, seed).unwrap(),
            ];
            let folds = fold_assignment(&data, 3, seed).unwrap();
            splits.push(fold_split(&data, &folds, 1).unwrap());
            for split in splits {
                let mut items: Vec<u32> =
                    split.train.iter().chain(&split.test).map(|r| r.item).collect();
                items.sort_unstable();
                prop_assert_eq!(items, (0..data.len() as u32).collect::<Vec<_>>());
            }
            // Temporal: every test record of a user is at least as late as its train records.
            let split = temporal_split(&data, fraction).unwrap();
            for t in &split.test {
                for r in split.train.iter().filter(|r| r.user == t.user) {
                    prop_assert!((r.timestamp, r.item) < (t.timestamp, t.item));
                }
            }
        }

        #[test]
        fn per_user_random_split_holds_out_the_temporal_count_per_user(
            spec in proptest::collection::vec((0u32..5, 0i64..20), 0..60),
            fraction in 0.0f64..=1.0,
            seed in any::<u64>(),
        ) {
            let data = ratings(&spec);
            let random = per_user_random_split(&data, fraction, seed).unwrap();
            let temporal = temporal_split(&data, fraction).unwrap();
            for user in 0..5 {
                let count = |s: &Split<Rating>| s.test.iter().filter(|r| r.user == user).count();
                prop_assert_eq!(count(&random), count(&temporal));
            }
        }

        #[test]
        fn shuffle_is_a_permutation(n in 0usize..100, seed in any::<u64>()) {
            let mut v: Vec<usize> = (0..n).collect();
            shuffle(&mut SplitMix64::new(seed), &mut v);
            v.sort_unstable();
            prop_assert_eq!(v, (0..n).collect::<Vec<_>>());
        }
    }
}
