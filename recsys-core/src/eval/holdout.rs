//! Per-user hold-out of sparse-matrix entries, as the `implicit` library's
//! `leave_k_out_split` does it: every user with more than `k + 1` entries gives `k` random
//! entries to the test set, except a random share of users kept for training only.
//!
//! Works on positions in CSR order (row `u` owns positions `indptr[u]..indptr[u + 1]`), so the
//! caller can split any per-entry arrays.
//!
//! ```
//! use recsys_core::eval::holdout::leave_k_out_positions;
//!
//! // Rows of 5, 2 and 4 entries: rows 0 and 2 qualify for k = 1 (more than 2 entries).
//! let test = leave_k_out_positions(&[0, 5, 7, 11], 1, 0.0, 42).unwrap();
//! assert_eq!(test.len(), 2);
//! assert!((0..5).contains(&test[0]) && (7..11).contains(&test[1]));
//! ```

use std::collections::HashMap;

use crate::data::MAX_UNBACKED_LEN;
use crate::rng::shuffle;
use crate::rng::SplitMix64;
use crate::{Error, Result};

/// Test positions (ascending) of a leave-`k`-out split of the CSR rows described by `indptr`.
///
/// Rows with more than `k + 1` entries are eligible; `max(1, ⌊n · train_only_fraction⌋)` of
/// the `n` non-empty rows (none if the fraction is 0) are kept out of the test set; each
/// remaining eligible row gives `k` positions chosen at random. Seeded.
///
/// # Errors
/// [`Error::InvalidParameter`] for `k == 0`, a fraction outside `[0, 1)`, an `indptr` that
/// is empty, does not start at 0 or decreases, or more test positions than
/// [`MAX_TEST_PER_ROW`] per row plus [`MAX_UNBACKED_LEN`] (an `indptr` whose values describe
/// far more entries than any matrix passed).
pub fn leave_k_out_positions(
    indptr: &[usize],
    k: usize,
    train_only_fraction: f64,
    seed: u64,
) -> Result<Vec<usize>> {
    if k == 0 {
        return Err(Error::invalid("K", "must be at least 1"));
    }
    if !(0.0..1.0).contains(&train_only_fraction) {
        return Err(Error::invalid(
            "train_only_size",
            format!("must be in [0, 1), got {train_only_fraction}"),
        ));
    }
    if indptr.first() != Some(&0) || indptr.windows(2).any(|w| w[0] > w[1]) {
        return Err(Error::invalid(
            "indptr",
            "must start at 0 and never decrease",
        ));
    }
    let mut rng = SplitMix64::new(seed);
    let mut non_empty: Vec<usize> = (0..indptr.len() - 1)
        .filter(|&u| indptr[u + 1] > indptr[u])
        .collect();
    let mut train_only = vec![false; indptr.len() - 1];
    if train_only_fraction > 0.0 {
        let n = ((non_empty.len() as f64 * train_only_fraction) as usize).max(1);
        shuffle(&mut rng, &mut non_empty);
        for &u in non_empty.iter().take(n) {
            train_only[u] = true;
        }
    }
    // Saturating: `k + 1` would wrap to 0 for `k == usize::MAX`.
    let eligible = |u: usize| indptr[u + 1] - indptr[u] > k.saturating_add(1) && !train_only[u];
    let rows = indptr.len() - 1;
    // The positions returned are sized by `k` and by indptr's values, which are numbers rather
    // than data: bound them (in u128, where `k × rows` cannot overflow) before allocating.
    let n_test = (0..rows).filter(|&u| eligible(u)).count() as u128 * k as u128;
    let limit = rows as u128 * MAX_TEST_PER_ROW as u128 + MAX_UNBACKED_LEN as u128;
    if n_test > limit {
        return Err(Error::invalid(
            "K",
            format!("{k} per row gives {n_test} test positions, more than {limit} for {rows} rows"),
        ));
    }
    let mut test = Vec::with_capacity(n_test as usize);
    // Partial Fisher–Yates over a virtual `0..len` whose displaced slots live in a map: the
    // first k slots become a uniform random k-subset, in O(k) memory whatever the row length.
    let mut displaced: HashMap<usize, usize> = HashMap::new();
    for u in (0..rows).filter(|&u| eligible(u)) {
        let len = indptr[u + 1] - indptr[u];
        displaced.clear();
        for slot in 0..k {
            let pick = slot + rng.below(len - slot);
            let at_pick = displaced.get(&pick).copied().unwrap_or(pick);
            let at_slot = displaced.get(&slot).copied().unwrap_or(slot);
            displaced.insert(pick, at_slot);
            displaced.insert(slot, at_pick);
        }
        let start = test.len();
        test.extend((0..k).map(|slot| indptr[u] + displaced.get(&slot).copied().unwrap_or(slot)));
        test[start..].sort_unstable();
    }
    Ok(test)
}

/// How many test positions per row (on average) [`leave_k_out_positions`] may return beyond
/// [`MAX_UNBACKED_LEN`]: `k × eligible rows` must stay within `64 × rows + MAX_UNBACKED_LEN`.
pub const MAX_TEST_PER_ROW: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eligible_rows_give_exactly_k() {
        let indptr = [0, 10, 12, 15, 15, 40];
        let test = leave_k_out_positions(&indptr, 2, 0.0, 7).unwrap();
        // Rows 0 (10 entries) and 4 (25 entries) qualify; row 2 has 3 = k + 1 entries.
        assert_eq!(test.len(), 4);
        assert!(test[..2].iter().all(|p| (0..10).contains(p)));
        assert!(test[2..].iter().all(|p| (15..40).contains(p)));
        assert!(test.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(test, leave_k_out_positions(&indptr, 2, 0.0, 7).unwrap());
    }

    #[test]
    fn train_only_rows_are_left_out() {
        let indptr: Vec<usize> = (0..=100).map(|u| u * 5).collect();
        let test = leave_k_out_positions(&indptr, 1, 0.3, 1).unwrap();
        assert_eq!(test.len(), 70);
        let tiny = leave_k_out_positions(&indptr, 1, 0.001, 1).unwrap();
        assert_eq!(tiny.len(), 99); // at least one row is kept for training
    }

    #[test]
    fn bad_arguments() {
        assert!(leave_k_out_positions(&[0, 3], 0, 0.0, 1).is_err());
        assert!(leave_k_out_positions(&[0, 3], 1, 1.0, 1).is_err());
        assert!(leave_k_out_positions(&[0, 3], 1, f64::NAN, 1).is_err());
        assert!(leave_k_out_positions(&[], 1, 0.0, 1).is_err());
        assert!(leave_k_out_positions(&[1, 3], 1, 0.0, 1).is_err());
        assert!(leave_k_out_positions(&[0, 3, 2], 1, 0.0, 1).is_err());
        // No row is long enough for a huge k: nothing is held out, nothing panics.
        assert!(leave_k_out_positions(&[0, 3], usize::MAX, 0.0, 1)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn long_rows_need_memory_for_k_only() {
        // A row "of" usize::MAX entries: one position drawn, no scratch of the row's length.
        let test = leave_k_out_positions(&[0, usize::MAX], 1, 0.0, 5).unwrap();
        assert_eq!(test.len(), 1);
        // k test positions per row sized by indptr's values alone: refused, not allocated.
        assert!(matches!(
            leave_k_out_positions(&[0, usize::MAX], usize::MAX / 4, 0.0, 5),
            Err(Error::InvalidParameter { .. })
        ));
    }

    /// The virtual (map-based) shuffle draws exactly what shuffling a materialised row draws.
    #[test]
    fn same_draws_as_a_materialised_shuffle() {
        let indptr = [0, 10, 12, 15, 15, 40, 47];
        for (k, seed) in [(1, 3), (2, 7), (3, 11), (5, 1)] {
            let mut rng = SplitMix64::new(seed);
            let mut expected = Vec::new();
            for u in 0..indptr.len() - 1 {
                let len = indptr[u + 1] - indptr[u];
                if len <= k + 1 {
                    continue;
                }
                let mut offsets: Vec<usize> = (0..len).collect();
                for slot in 0..k {
                    let pick = slot + rng.below(len - slot);
                    offsets.swap(slot, pick);
                }
                let mut chosen: Vec<usize> = offsets[..k].iter().map(|o| indptr[u] + o).collect();
                chosen.sort_unstable();
                expected.extend(chosen);
            }
            assert_eq!(
                leave_k_out_positions(&indptr, k, 0.0, seed).unwrap(),
                expected
            );
        }
    }
}
