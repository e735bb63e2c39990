//! Scoring with factor matrices: one user's dense scores, and batch top-N fused with scoring.
//!
//! Batch recommendation never materialises the users × items score matrix: a block of users ×
//! a block of items is multiplied (faer) into a buffer that fits in L2, training items are
//! masked out with a cursor over each user's sorted row, and every row of the tile feeds that
//! user's bounded heap. A chunk of scores is only looked at one by one when its maximum beats
//! the heap's current threshold, which after the first blocks is rare.

use pulp::Arch;

use super::kernels::LANES;
use super::solve::SparseRows;
use crate::topk::{Scored, TopK};

/// Users per tile (their factors: 32 KiB at k = 64).
const TILE_USERS: usize = 128;
/// Items per tile (the tile: 512 KiB of scores; the item block: 256 KiB at k = 64).
const TILE_ITEMS: usize = 1024;
/// Scores per threshold test.
const SCAN_CHUNK: usize = 4 * LANES;

/// `out[i] = y_i · x` for every item (faer matrix-vector product).
pub(super) fn score_all(item_factors: &[f32], k: usize, x: &[f32], out: &mut [f32]) {
    let n_items = out.len();
    let items = faer::MatRef::from_row_major_slice(item_factors, n_items, k);
    let user = faer::MatRef::from_column_major_slice(x, k, 1);
    let dst = faer::MatMut::from_column_major_slice_mut(out, n_items, 1);
    faer::linalg::matmul::matmul(
        dst,
        faer::Accum::Replace,
        items,
        user,
        1.0f32,
        faer::Par::Seq,
    );
}

/// What a batch of top-N queries shares.
pub(super) struct Batch<'a> {
    /// Row-major item factors (`n_items × k`).
    pub(super) item_factors: &'a [f32],
    pub(super) n_items: usize,
    pub(super) k: usize,
    /// How many items per user.
    pub(super) n: usize,
    /// Items to leave out per user (row `r` ↔ the `r`-th user; sorted, all `< n_items`).
    pub(super) exclude: Option<SparseRows<'a>>,
}

/// Top-N for users `0..n_users`, whose factors `user_vector(r)` gives.
pub(super) fn batch_top_n<'a>(
    batch: &Batch<'_>,
    n_users: usize,
    user_vector: &(dyn Fn(usize) -> &'a [f32] + Sync),
) -> Vec<Vec<Scored>> {
    let mut results: Vec<Vec<Scored>> = vec![Vec::new(); n_users];
    if batch.n == 0 || batch.n_items == 0 {
        return results;
    }
    let arch = Arch::new();
    let run = |(block, out): (usize, &mut [Vec<Scored>])| {
        arch.dispatch(|| score_block(batch, block * TILE_USERS, out, user_vector));
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        results.par_chunks_mut(TILE_USERS).enumerate().for_each(run);
    }
    #[cfg(not(feature = "parallel"))]
    {
        results.chunks_mut(TILE_USERS).enumerate().for_each(run);
    }
    results
}

/// Scores one block of users against all items, tile by tile.
#[inline(always)]
fn score_block<'a>(
    batch: &Batch<'_>,
    first: usize,
    out: &mut [Vec<Scored>],
    user_vector: &(dyn Fn(usize) -> &'a [f32] + Sync),
) {
    let k = batch.k;
    let users = out.len();
    let mut block_factors = Vec::with_capacity(users * k);
    for r in 0..users {
        block_factors.extend_from_slice(user_vector(first + r));
    }
    let lhs = faer::MatRef::from_row_major_slice(&block_factors, users, k);
    let mut tops: Vec<TopK> = (0..users).map(|_| TopK::new(batch.n)).collect();
    let mut cursors = vec![0usize; users];
    let mut tile = vec![0.0f32; users * TILE_ITEMS.min(batch.n_items)];
    let mut start = 0;
    while start < batch.n_items {
        let width = TILE_ITEMS.min(batch.n_items - start);
        let items = &batch.item_factors[start * k..(start + width) * k];
        let rhs = faer::MatRef::from_row_major_slice(items, width, k).transpose();
        let tile = &mut tile[..users * width];
        faer::linalg::matmul::matmul(
            faer::MatMut::from_row_major_slice_mut(tile, users, width),
            faer::Accum::Replace,
            lhs,
            rhs,
            1.0f32,
            faer::Par::Seq,
        );
        let end = (start + width) as u32;
        for (r, ((scores, top), cursor)) in tile
            .chunks_exact_mut(width)
            .zip(&mut tops)
            .zip(&mut cursors)
            .enumerate()
        {
            if let Some(exclude) = &batch.exclude {
                let range = exclude.indptr[first + r]..exclude.indptr[first + r + 1];
                let seen = &exclude.indices[range];
                while let Some(&item) = seen.get(*cursor) {
                    if item >= end {
                        break;
                    }
                    if let Some(s) = scores.get_mut(item as usize - start) {
                        *s = f32::NEG_INFINITY;
                    }
                    *cursor += 1;
                }
            }
            scan(scores, start as u32, top);
        }
        start += width;
    }
    for (slot, top) in out.iter_mut().zip(tops) {
        *slot = top.into_sorted_vec();
    }
}

/// Offers `scores` (items `offset..`) to `top`, testing whole chunks against its threshold first.
#[inline(always)]
pub(super) fn scan(scores: &[f32], offset: u32, top: &mut TopK) {
    let mut threshold = top.threshold();
    let chunks = scores.chunks_exact(SCAN_CHUNK);
    let tail = chunks.remainder();
    for (c, chunk) in chunks.enumerate() {
        if chunk_max(chunk) > threshold {
            let base = offset + (c * SCAN_CHUNK) as u32;
            for (i, &s) in chunk.iter().enumerate() {
                if s > threshold {
                    top.push(base + i as u32, s);
                    threshold = top.threshold();
                }
            }
        }
    }
    let base = offset + (scores.len() - tail.len()) as u32;
    for (i, &s) in tail.iter().enumerate() {
        if s > threshold {
            top.push(base + i as u32, s);
            threshold = top.threshold();
        }
    }
}

/// Maximum of a chunk whose length is a multiple of [`LANES`] (NaN never wins).
#[inline(always)]
fn chunk_max(chunk: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; LANES];
    for part in chunk.chunks_exact(LANES) {
        for l in 0..LANES {
            lanes[l] = if part[l] > lanes[l] {
                part[l]
            } else {
                lanes[l]
            };
        }
    }
    lanes
        .iter()
        .fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topk::top_n;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn scan_matches_plain_top_n(
            scores in proptest::collection::vec(prop_oneof![Just(f32::NAN), Just(f32::NEG_INFINITY), -5.0f32..5.0], 0..300),
            n in 0usize..12,
        ) {
            let mut top = TopK::new(n);
            scan(&scores, 0, &mut top);
            prop_assert_eq!(top.into_sorted_vec(), top_n(&scores, n, |_| false));
        }
    }
}
