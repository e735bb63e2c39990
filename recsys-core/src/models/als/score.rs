//! Scoring with factor matrices: one user's dense scores, and batch top-N fused with scoring.
//!
//! Batch recommendation never materialises the users × items score matrix: a block of users ×
//! a block of items is multiplied (faer) into a buffer that fits in L2, and every row of the
//! tile feeds that user's bounded heap. A chunk of scores is only looked at one by one when its
//! maximum reaches the heap's threshold, which after the first blocks is rare; only then is the
//! user's (sorted) history searched for exclusions.
//!
//! Items are visited in order of decreasing factor norm. Since `x·y ≤ |x|·|y|`, once
//! `|x_u| · (largest norm left)` is below user `u`'s current n-th best score, no remaining item
//! can enter `u`'s list; a user block stops as soon as that holds for all its users. With
//! power-law popularity most item norms are small, so most of the catalogue is never scored.
//! The pruning is exact: the lists are those of a full scan.

use pulp::{Arch, Simd, WithSimd};

use super::kernels::LANES;
use super::solve::SparseRows;
use crate::linalg::norm;
use crate::par;
use crate::topk::{Scored, TopK};

/// Most users per block (their factors: 256 KiB at k = 64). A tall block amortises faer's
/// packing of each item block over many users.
const TILE_USERS: usize = 1024;
/// Fewest users per block, and the number of blocks a smaller batch is split into (so that it
/// still spreads over the threads). Depends on the batch only, never on the thread count.
const MIN_TILE_USERS: usize = 32;
const SMALL_BATCH_BLOCKS: usize = 16;
/// Scores per tile (1 MiB, the L2 size of the machines we tune on).
const TILE_AREA: usize = 256 * 1024;
/// Narrowest item block: narrow blocks let settled users leave early.
const MIN_TILE_ITEMS: usize = 256;
/// Widest item block (as the block's users settle, the tile widens to keep its area).
const MAX_TILE_ITEMS: usize = 8192;
/// Scores per threshold test.
const SCAN_CHUNK: usize = 4 * LANES;
/// Relative slack on the Cauchy–Schwarz bound, far above f32 rounding of a k-term dot product.
const BOUND_SLACK: f32 = 1e-3;

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

/// Euclidean norm of each `k`-row.
pub(super) fn row_norms(factors: &[f32], k: usize) -> Vec<f32> {
    factors.chunks_exact(k).map(norm).collect()
}

/// Cosine of every `k`-row of `factors` with `query` (0 for a zero row or query): the one
/// cosine behind [`AlsModel::similar`](super::AlsModel::similar) and its variants.
pub(super) fn cosine_all(factors: &[f32], k: usize, query: &[f32]) -> Vec<f32> {
    let mut scores = vec![0.0f32; factors.len() / k];
    score_all(factors, k, query, &mut scores);
    let query_norm = norm(query);
    for (s, row) in scores.iter_mut().zip(factors.chunks_exact(k)) {
        let denominator = query_norm * norm(row);
        *s = if denominator > 0.0 {
            *s / denominator
        } else {
            0.0
        };
    }
    scores
}

/// Item factors re-ordered by decreasing norm, for pruned batch scoring.
pub(super) struct NormOrder {
    /// Row-major factors, largest norm first.
    factors: Vec<f32>,
    /// Item index of each row.
    items: Vec<u32>,
    /// Norm of each row (non-increasing).
    norms: Vec<f32>,
}

impl NormOrder {
    pub(super) fn new(item_factors: &[f32], k: usize) -> Self {
        let norms = row_norms(item_factors, k);
        let mut items: Vec<u32> = (0..norms.len() as u32).collect();
        items.sort_by(|&a, &b| {
            norms[b as usize]
                .total_cmp(&norms[a as usize])
                .then(a.cmp(&b))
        });
        let mut factors = Vec::with_capacity(item_factors.len());
        for &i in &items {
            factors.extend_from_slice(&item_factors[i as usize * k..(i as usize + 1) * k]);
        }
        let norms = items.iter().map(|&i| norms[i as usize]).collect();
        Self {
            factors,
            items,
            norms,
        }
    }
}

/// What a batch of top-N queries shares.
pub(super) struct Batch<'a> {
    pub(super) order: &'a NormOrder,
    pub(super) k: usize,
    /// How many items per user.
    pub(super) n: usize,
    /// Items to leave out per user (row `r` ↔ the `r`-th user; sorted).
    pub(super) exclude: Option<SparseRows<'a>>,
}

/// Top-N for users `0..n_users`, whose factors `user_vector(r)` gives.
pub(super) fn batch_top_n<'a>(
    batch: &Batch<'_>,
    n_users: usize,
    user_vector: &(dyn Fn(usize) -> &'a [f32] + Sync),
) -> Vec<Vec<Scored>> {
    let mut results: Vec<Vec<Scored>> = vec![Vec::new(); n_users];
    if batch.n == 0 || batch.order.items.is_empty() {
        return results;
    }
    let arch = Arch::new();
    let block_users = n_users
        .div_ceil(SMALL_BATCH_BLOCKS)
        .clamp(MIN_TILE_USERS, TILE_USERS);
    par::for_each_chunk(&mut results, block_users, |block, out| {
        arch.dispatch(ScoreBlock {
            batch,
            first: block * block_users,
            out,
            user_vector,
        });
    });
    results
}

/// One block of users, as a [`WithSimd`] operation (see `solve.rs`).
struct ScoreBlock<'s, 'a, 'b> {
    batch: &'s Batch<'b>,
    first: usize,
    out: &'s mut [Vec<Scored>],
    user_vector: &'s (dyn Fn(usize) -> &'a [f32] + Sync),
}

impl WithSimd for ScoreBlock<'_, '_, '_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, _simd: S) {
        score_block(self.batch, self.first, self.out, self.user_vector);
    }
}

/// Scores one block of users against the items, tile by tile in norm order. After each tile,
/// users whose list can no longer change leave the block, and the tile widens to keep its area:
/// the block ends when every user has settled or every item was scored.
#[inline(always)]
fn score_block<'a>(
    batch: &Batch<'_>,
    first: usize,
    out: &mut [Vec<Scored>],
    user_vector: &(dyn Fn(usize) -> &'a [f32] + Sync),
) {
    let k = batch.k;
    let order = batch.order;
    let n_items = order.items.len();
    let users = out.len();
    // Rows of the users still scanning (`active[a]` is the block row of active row `a`).
    let mut active: Vec<usize> = (0..users).collect();
    let mut factors = Vec::with_capacity(users * k);
    for r in 0..users {
        factors.extend_from_slice(user_vector(first + r));
    }
    let user_norms = row_norms(&factors, k);
    let mut tops: Vec<TopK> = (0..users).map(|_| TopK::new(batch.n)).collect();
    let mut tile = vec![0.0f32; TILE_AREA];
    let mut start = 0;
    while start < n_items && !active.is_empty() {
        let rows = active.len();
        let width = (TILE_AREA / rows)
            .clamp(MIN_TILE_ITEMS, MAX_TILE_ITEMS)
            .min(n_items - start);
        let items = &order.factors[start * k..(start + width) * k];
        let tile = &mut tile[..rows * width];
        faer::linalg::matmul::matmul(
            faer::MatMut::from_row_major_slice_mut(tile, rows, width),
            faer::Accum::Replace,
            faer::MatRef::from_row_major_slice(&factors[..rows * k], rows, k),
            faer::MatRef::from_row_major_slice(items, width, k).transpose(),
            1.0f32,
            faer::Par::Seq,
        );
        let ids = &order.items[start..start + width];
        for (scores, &r) in tile.chunks_exact(width).zip(&active) {
            let seen = match &batch.exclude {
                Some(exclude) => {
                    &exclude.indices[exclude.indptr[first + r]..exclude.indptr[first + r + 1]]
                }
                None => &[],
            };
            scan(scores, ids, seen, &mut tops[r]);
        }
        start += width;
        let Some(&largest_left) = order.norms.get(start) else {
            break;
        };
        // Keep the users that a remaining item could still enter, compacting their factors.
        let bound = largest_left * (1.0 + BOUND_SLACK);
        let mut kept = 0;
        for a in 0..rows {
            let r = active[a];
            let top = &tops[r];
            let settled = top.len() == batch.n && user_norms[r] * bound < top.threshold();
            if !settled {
                active[kept] = r;
                if kept != a {
                    factors.copy_within(a * k..(a + 1) * k, kept * k);
                }
                kept += 1;
            }
        }
        active.truncate(kept);
    }
    for (slot, top) in out.iter_mut().zip(tops) {
        *slot = top.into_sorted_vec();
    }
}

/// Offers `scores` of the items `ids` to `top`, skipping items in `seen` (sorted), testing
/// whole chunks against the threshold first.
///
/// Ties at the threshold are offered too, so that [`TopK`]'s tie rule (lower index first)
/// decides, whatever order items are visited in.
#[inline(always)]
pub(super) fn scan(scores: &[f32], ids: &[u32], seen: &[u32], top: &mut TopK) {
    let mut threshold = top.threshold();
    let mut offer = |s: f32, item: u32, threshold: &mut f32| {
        if s >= *threshold && seen.binary_search(&item).is_err() {
            top.push(item, s);
            *threshold = top.threshold();
        }
    };
    let chunks = scores.chunks_exact(SCAN_CHUNK);
    let tail = chunks.remainder();
    let id_chunks = ids.chunks_exact(SCAN_CHUNK);
    let id_tail = id_chunks.remainder();
    for (chunk, chunk_ids) in chunks.zip(id_chunks) {
        if chunk_max(chunk) >= threshold {
            for (&s, &item) in chunk.iter().zip(chunk_ids) {
                offer(s, item, &mut threshold);
            }
        }
    }
    for (&s, &item) in tail.iter().zip(id_tail) {
        offer(s, item, &mut threshold);
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
            scores in proptest::collection::vec(prop_oneof![Just(f32::NAN), Just(f32::NEG_INFINITY), Just(1.0f32), -5.0f32..5.0], 0..300),
            n in 0usize..12,
        ) {
            // Items visited in reverse order, every third one excluded.
            let ids: Vec<u32> = (0..scores.len() as u32).rev().collect();
            let reversed: Vec<f32> = scores.iter().rev().copied().collect();
            let seen: Vec<u32> = (0..scores.len() as u32).filter(|i| i % 3 == 0).collect();
            let mut top = TopK::new(n);
            scan(&reversed, &ids, &seen, &mut top);
            prop_assert_eq!(top.into_sorted_vec(), top_n(&scores, n, |i| i % 3 == 0));
        }
    }
}
