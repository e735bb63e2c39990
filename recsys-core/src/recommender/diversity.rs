//! Maximal marginal relevance (Carbonell & Goldstein 1998): re-rank a candidate pool so that
//! each next item trades relevance against similarity to the items already chosen.

use crate::topk::Scored;

/// Picks `n` of `pool` (best first) greedily by
/// `(1 − diversity)·relevance − diversity·max_similarity_to_chosen`, with relevance min-max
/// scaled to `[0, 1]` over the pool. `diversity = 0` keeps the pool order.
pub(crate) fn mmr(
    pool: &[Scored],
    n: usize,
    diversity: f32,
    similarity: impl Fn(u32, u32) -> f32,
) -> Vec<Scored> {
    if diversity <= 0.0 || pool.len() <= 1 {
        return pool.iter().take(n).copied().collect();
    }
    let (lo, hi) = pool
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), s| {
            (lo.min(s.score), hi.max(s.score))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let mut max_similarity = vec![0.0f32; pool.len()];
    let mut taken = vec![false; pool.len()];
    let mut chosen = Vec::with_capacity(n.min(pool.len()));
    while chosen.len() < n {
        let mut best: Option<(usize, f32)> = None;
        for (position, candidate) in pool.iter().enumerate() {
            if taken[position] {
                continue;
            }
            let relevance = (candidate.score - lo) / span;
            let value = (1.0 - diversity) * relevance - diversity * max_similarity[position];
            // Strictly greater: ties keep the earlier (better-scored) candidate.
            if best.is_none_or(|(_, b)| value > b) {
                best = Some((position, value));
            }
        }
        let Some((position, _)) = best else { break };
        taken[position] = true;
        let picked = pool[position];
        chosen.push(picked);
        for (other, candidate) in pool.iter().enumerate() {
            if !taken[other] {
                let s = similarity(picked.item, candidate.item);
                if s > max_similarity[other] {
                    max_similarity[other] = s;
                }
            }
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> Vec<Scored> {
        [(0, 1.0), (1, 0.95), (2, 0.5)]
            .iter()
            .map(|&(item, score)| Scored { item, score })
            .collect()
    }

    #[test]
    fn diversity_skips_near_duplicates() {
        // Items 0 and 1 are twins; 2 is different.
        let similarity = |a: u32, b: u32| if a + b == 1 { 1.0 } else { 0.0 };
        let plain: Vec<u32> = mmr(&pool(), 2, 0.0, similarity)
            .iter()
            .map(|s| s.item)
            .collect();
        assert_eq!(plain, [0, 1]);
        let diverse: Vec<u32> = mmr(&pool(), 2, 0.5, similarity)
            .iter()
            .map(|s| s.item)
            .collect();
        assert_eq!(diverse, [0, 2]);
        assert_eq!(mmr(&pool(), 10, 0.5, similarity).len(), 3);
    }
}
