//! Bounded top-k selection.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// An item index with its score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scored {
    /// Dense item index.
    pub item: u32,
    /// The score (always finite when produced by this crate).
    pub score: f32,
}

/// Min-heap entry: the *worst* kept candidate sits on top. Ties prefer the lower item index,
/// so results are deterministic.
#[derive(Clone, Copy)]
struct Worst(Scored);

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Worst {}
impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        // "Greater" = worse: lower score, then higher index.
        other
            .0
            .score
            .total_cmp(&self.0.score)
            .then(self.0.item.cmp(&other.0.item))
    }
}

/// Keeps the `k` best `(item, score)` pairs pushed into it.
///
/// Non-finite scores are ignored, so a result never contains NaN or infinity.
///
/// ```
/// use recsys_core::topk::TopK;
/// let mut top = TopK::new(2);
/// for (item, score) in [(0, 0.5), (1, 2.0), (2, f32::NAN), (3, 1.0)] {
///     top.push(item, score);
/// }
/// let best: Vec<u32> = top.into_sorted_vec().iter().map(|s| s.item).collect();
/// assert_eq!(best, vec![1, 3]);
/// ```
pub struct TopK {
    k: usize,
    heap: BinaryHeap<Worst>,
}

impl TopK {
    /// An empty selection of at most `k` entries.
    pub fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k.saturating_add(1).min(1 << 16)),
        }
    }

    /// The score an entry must beat to enter, once full (`-inf` before).
    #[inline]
    pub fn threshold(&self) -> f32 {
        if self.heap.len() < self.k {
            f32::NEG_INFINITY
        } else {
            self.heap.peek().map_or(f32::NEG_INFINITY, |w| w.0.score)
        }
    }

    /// Offers one candidate.
    #[inline]
    pub fn push(&mut self, item: u32, score: f32) {
        if self.k == 0 || !score.is_finite() {
            return;
        }
        let entry = Worst(Scored { item, score });
        if self.heap.len() < self.k {
            self.heap.push(entry);
        } else if let Some(mut top) = self.heap.peek_mut() {
            if entry < *top {
                *top = entry;
            }
        }
    }

    /// Number of entries kept.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing was kept.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The kept entries, best first.
    pub fn into_sorted_vec(self) -> Vec<Scored> {
        // BinaryHeap::into_sorted_vec is ascending by Ord, i.e. best ("least worst") first.
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|w| w.0)
            .collect()
    }
}

/// The `n` best items of a dense score vector, skipping items for which `skip` is true.
///
/// ```
/// use recsys_core::topk::top_n;
/// let best = top_n(&[0.1, 0.9, 0.5, 0.7], 2, |item| item == 1);
/// assert_eq!(best.iter().map(|s| s.item).collect::<Vec<_>>(), vec![3, 2]);
/// ```
pub fn top_n(scores: &[f32], n: usize, skip: impl Fn(u32) -> bool) -> Vec<Scored> {
    let mut top = TopK::new(n);
    for (item, &score) in scores.iter().enumerate() {
        let item = item as u32;
        if score > top.threshold() && !skip(item) {
            top.push(item, score);
        }
    }
    top.into_sorted_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn matches_full_sort(scores in proptest::collection::vec(-10.0f32..10.0, 0..60), n in 0usize..20) {
            let got = top_n(&scores, n, |_| false);
            let mut all: Vec<(u32, f32)> = scores.iter().enumerate().map(|(i, &s)| (i as u32, s)).collect();
            all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            all.truncate(n);
            prop_assert_eq!(got.iter().map(|s| (s.item, s.score)).collect::<Vec<_>>(), all);
        }

        #[test]
        fn never_returns_skipped_or_non_finite(
            scores in proptest::collection::vec(prop_oneof![Just(f32::NAN), Just(f32::INFINITY), -5.0f32..5.0], 0..40),
            n in 0usize..50,
        ) {
            let got = top_n(&scores, n, |i| i % 3 == 0);
            prop_assert!(got.len() <= n);
            for s in got {
                prop_assert!(s.score.is_finite());
                prop_assert!(s.item % 3 != 0);
            }
        }
    }
}
