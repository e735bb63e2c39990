//! The fit's memory layout: users and items relabelled by decreasing number of interactions.
//!
//! A half-sweep reads one row of the fixed factors per interaction, at random. Popularity is
//! heavy-tailed, so most of those reads go to a small share of rows; in the caller's labels
//! those rows are scattered over the whole matrix, every page of it is hot, and the reads miss
//! the TLB and the caches. Relabelled by decreasing count, the busy rows sit together in a few
//! pages that stay cached. The fit runs on the relabelled problem (the same normal equations,
//! solved row by row in the same way) and hands the factors back in the caller's order.

use std::cmp::Reverse;

use super::buffer::FactorBuffer;
use super::solve::SparseRows;
use crate::data::Interactions;

/// A CSR matrix owned by the layout.
pub(super) struct Csr {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<f32>,
}

impl Csr {
    pub(super) fn rows(&self) -> SparseRows<'_> {
        SparseRows {
            indptr: &self.indptr,
            indices: &self.indices,
            data: &self.data,
        }
    }
}

/// The relabelled problem: both orientations of the matrix and the two permutations.
pub(super) struct Layout {
    /// `user_order[new] = original` user.
    user_order: Vec<u32>,
    /// `item_order[new] = original` item.
    item_order: Vec<u32>,
    /// Users × items, in the new labels, each row sorted by item.
    pub(super) by_user: Csr,
    /// Items × users, in the new labels, each row sorted by user.
    pub(super) by_item: Csr,
}

/// Labels `0..counts.len()` by decreasing count (ties by label): `order[new] = original`.
fn order_by_count(counts: &[usize]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..counts.len() as u32).collect();
    order.sort_unstable_by_key(|&i| (Reverse(counts[i as usize]), i));
    order
}

/// `rank[original] = new` for `order[new] = original`.
fn ranks(order: &[u32]) -> Vec<u32> {
    let mut rank = vec![0u32; order.len()];
    for (new, &original) in order.iter().enumerate() {
        rank[original as usize] = new as u32;
    }
    rank
}

impl Layout {
    /// Relabels `matrix` (its dimensions fit `u32`, as every [`Interactions`] does).
    pub(super) fn new(matrix: &Interactions) -> Self {
        let (n_users, n_items) = (matrix.n_users(), matrix.n_items());
        let (indptr, indices, data) = (matrix.indptr(), matrix.indices(), matrix.data());
        let user_counts: Vec<usize> = indptr.windows(2).map(|w| w[1] - w[0]).collect();
        let mut item_counts = vec![0usize; n_items];
        for &j in indices {
            item_counts[j as usize] += 1;
        }
        let user_order = order_by_count(&user_counts);
        let item_order = order_by_count(&item_counts);
        let item_rank = ranks(&item_order);

        let nnz = indices.len();
        let mut by_user = Csr {
            indptr: Vec::with_capacity(n_users + 1),
            indices: Vec::with_capacity(nnz),
            data: Vec::with_capacity(nnz),
        };
        by_user.indptr.push(0);
        let mut row: Vec<(u32, f32)> = Vec::new();
        for &original in &user_order {
            let range = indptr[original as usize]..indptr[original as usize + 1];
            row.clear();
            row.extend(
                indices[range.clone()]
                    .iter()
                    .zip(&data[range])
                    .map(|(&j, &v)| (item_rank[j as usize], v)),
            );
            row.sort_unstable_by_key(|&(j, _)| j);
            by_user.indices.extend(row.iter().map(|&(j, _)| j));
            by_user.data.extend(row.iter().map(|&(_, v)| v));
            by_user.indptr.push(by_user.indices.len());
        }

        // Transpose by counting: users are visited in order, so each item row comes out sorted.
        let mut by_item_indptr = vec![0usize; n_items + 1];
        for (new, &original) in item_order.iter().enumerate() {
            by_item_indptr[new + 1] = by_item_indptr[new] + item_counts[original as usize];
        }
        let mut cursor = by_item_indptr.clone();
        let mut by_item_indices = vec![0u32; nnz];
        let mut by_item_data = vec![0.0f32; nnz];
        for u in 0..n_users {
            let range = by_user.indptr[u]..by_user.indptr[u + 1];
            for (&j, &v) in by_user.indices[range.clone()]
                .iter()
                .zip(&by_user.data[range])
            {
                let slot = &mut cursor[j as usize];
                by_item_indices[*slot] = u as u32;
                by_item_data[*slot] = v;
                *slot += 1;
            }
        }
        Layout {
            user_order,
            item_order,
            by_user,
            by_item: Csr {
                indptr: by_item_indptr,
                indices: by_item_indices,
                data: by_item_data,
            },
        }
    }

    /// Factors given in the caller's order (row-major, `k` columns), in the new user order.
    pub(super) fn users_in(&self, original: &[f32], k: usize) -> FactorBuffer {
        permute(original, &self.user_order, k)
    }

    /// Factors given in the caller's order, in the new item order.
    pub(super) fn items_in(&self, original: &[f32], k: usize) -> FactorBuffer {
        permute(original, &self.item_order, k)
    }

    /// User factors in the new order, back in the caller's order.
    pub(super) fn users_out(&self, relabelled: &[f32], k: usize) -> Vec<f32> {
        restore(relabelled, &self.user_order, k)
    }

    /// Item factors in the new order, back in the caller's order.
    pub(super) fn items_out(&self, relabelled: &[f32], k: usize) -> Vec<f32> {
        restore(relabelled, &self.item_order, k)
    }
}

/// Row `new` of the result is row `order[new]` of `original`.
fn permute(original: &[f32], order: &[u32], k: usize) -> FactorBuffer {
    let mut out = FactorBuffer::zeroed(order.len() * k);
    for (row, &from) in out.as_mut_slice().chunks_exact_mut(k).zip(order) {
        row.copy_from_slice(&original[from as usize * k..][..k]);
    }
    out
}

/// Row `order[new]` of the result is row `new` of `relabelled`.
fn restore(relabelled: &[f32], order: &[u32], k: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; order.len() * k];
    for (row, &to) in relabelled.chunks_exact(k).zip(order) {
        out[to as usize * k..][..k].copy_from_slice(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relabelled_matrix_holds_the_same_entries_busiest_first() {
        let triplets = [
            (0u32, 2u32, 1.0f32),
            (1, 0, 2.0),
            (1, 2, -3.0),
            (1, 3, 4.0),
            (3, 2, 5.0),
            (3, 3, 6.0),
        ];
        let matrix = Interactions::from_triplets(4, 4, &triplets).unwrap();
        let layout = Layout::new(&matrix);
        // Users by count: 1 (3), 3 (2), 0 (1), 2 (0); items: 2 (3), 3 (2), 0 (1), 1 (0).
        assert_eq!(layout.user_order, vec![1, 3, 0, 2]);
        assert_eq!(layout.item_order, vec![2, 3, 0, 1]);
        let mut seen = Vec::new();
        let by_user = layout.by_user.rows();
        for u in 0..4 {
            let range = by_user.indptr[u]..by_user.indptr[u + 1];
            let items = &by_user.indices[range.clone()];
            assert!(items.windows(2).all(|w| w[0] < w[1]));
            for (&j, &v) in items.iter().zip(&by_user.data[range]) {
                seen.push((layout.user_order[u], layout.item_order[j as usize], v));
            }
        }
        seen.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(seen, triplets.to_vec());
        // The other orientation holds the same entries, rows sorted.
        let by_item = layout.by_item.rows();
        let mut transposed = Vec::new();
        for j in 0..4 {
            let range = by_item.indptr[j]..by_item.indptr[j + 1];
            let users = &by_item.indices[range.clone()];
            assert!(users.windows(2).all(|w| w[0] < w[1]));
            for (&u, &v) in users.iter().zip(&by_item.data[range]) {
                transposed.push((layout.user_order[u as usize], layout.item_order[j], v));
            }
        }
        transposed.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(transposed, triplets.to_vec());
    }

    #[test]
    fn factors_round_trip_through_the_layout() {
        let matrix =
            Interactions::from_triplets(3, 2, &[(2, 1, 1.0), (2, 0, 1.0), (0, 1, 1.0)]).unwrap();
        let layout = Layout::new(&matrix);
        let k = 2;
        let users: Vec<f32> = (0..6).map(|v| v as f32).collect();
        let items: Vec<f32> = (10..14).map(|v| v as f32).collect();
        let relabelled = layout.users_in(&users, k);
        // User 2 is the busiest: it comes first.
        assert_eq!(&relabelled.as_slice()[..2], &[4.0, 5.0]);
        assert_eq!(layout.users_out(relabelled.as_slice(), k), users);
        let relabelled = layout.items_in(&items, k);
        assert_eq!(&relabelled.as_slice()[..2], &[12.0, 13.0]);
        assert_eq!(layout.items_out(relabelled.as_slice(), k), items);
    }
}
