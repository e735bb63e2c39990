//! The user × item interaction matrix (CSR) that collaborative models train on.

use serde::{Deserialize, Serialize};
use sprs::{CsMatI, TriMatI};

use super::check_unbacked_len;
use crate::{Error, Result};

/// A sparse user × item matrix of signed confidences, stored as CSR with `u32` indices.
///
/// The sign carries the preference, following Hu, Koren & Volinsky (2008) and `implicit`:
/// a positive value `c` means "the user likes this item, with confidence `c`"; a negative value
/// `-c` means negative evidence ("does not like it") with confidence `c`. Zero entries are not
/// stored. Rows are users, columns are items, both dense indices from [`IdMap`](super::IdMap)s.
///
/// ```
/// use recsys_core::data::Interactions;
/// let m = Interactions::from_triplets(2, 3, &[(0, 1, 4.0), (1, 2, 1.0), (0, 1, 1.0)]).unwrap();
/// assert_eq!(m.nnz(), 2); // duplicates are summed
/// assert_eq!(m.row(0), (&[1u32][..], &[5.0f32][..]));
/// assert!(m.contains(1, 2));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interactions {
    matrix: CsMatI<f32, u32, usize>,
}

impl Interactions {
    /// Builds the matrix from `(user, item, value)` triplets, summing duplicates and dropping
    /// entries that sum to zero.
    ///
    /// Rows and columns without triplets are allowed (users without events, items nobody
    /// rated), up to [`MAX_UNBACKED_LEN`](super::MAX_UNBACKED_LEN) more than the triplets given; a
    /// [`Dataset`](super::Dataset) builds larger shapes from its id maps.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an index outside the shape, [`Error::NonFinite`] for NaN or
    /// infinite values, [`Error::InvalidParameter`] for a shape larger than the triplets allow.
    pub fn from_triplets(
        n_users: usize,
        n_items: usize,
        triplets: &[(u32, u32, f32)],
    ) -> Result<Self> {
        check_unbacked_len("n_users", n_users, triplets.len())?;
        check_unbacked_len("n_items", n_items, triplets.len())?;
        Self::from_backed_triplets(n_users, n_items, triplets)
    }

    /// [`Interactions::from_triplets`] for a shape backed by data the caller holds (the id maps
    /// of a [`Dataset`](super::Dataset)): only the `u32` index space limits it.
    pub(crate) fn from_backed_triplets(
        n_users: usize,
        n_items: usize,
        triplets: &[(u32, u32, f32)],
    ) -> Result<Self> {
        check_index_space(n_users, n_items)?;
        let mut tri = TriMatI::<f32, u32>::with_capacity((n_users, n_items), triplets.len());
        for (k, &(u, i, v)) in triplets.iter().enumerate() {
            if u as usize >= n_users {
                return Err(Error::IndexOutOfRange {
                    what: "user",
                    index: u as usize,
                    len: n_users,
                });
            }
            if i as usize >= n_items {
                return Err(Error::IndexOutOfRange {
                    what: "item",
                    index: i as usize,
                    len: n_items,
                });
            }
            crate::error::ensure_finite(f64::from(v), || {
                format!("interaction #{k} (user {u}, item {i})")
            })?;
            tri.add_triplet(u as usize, i as usize, v);
        }
        let csr: CsMatI<f32, u32, usize> = tri.to_csr();
        Ok(Self {
            matrix: drop_zeros(csr),
        })
    }

    /// Wraps CSR arrays (`indptr`, `indices`, `data`, as in scipy), validating them.
    ///
    /// Column indices within a row may come in any order; they are sorted, and duplicates summed.
    ///
    /// The rows are backed by `indptr`; columns without entries are allowed up to
    /// [`MAX_UNBACKED_LEN`](super::MAX_UNBACKED_LEN) more than the entries given.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] / [`Error::IndexOutOfRange`] for inconsistent arrays,
    /// [`Error::NonFinite`] for NaN or infinite values, [`Error::InvalidParameter`] for more
    /// columns than the entries allow.
    pub fn from_csr(
        n_users: usize,
        n_items: usize,
        indptr: &[usize],
        indices: &[u32],
        data: &[f32],
    ) -> Result<Self> {
        // First, so that `n_users + 1` below cannot overflow.
        check_index_space(n_users, n_items)?;
        if indptr.len() != n_users + 1 {
            return Err(Error::DimensionMismatch {
                context: "CSR indptr length (users + 1)".into(),
                expected: n_users + 1,
                got: indptr.len(),
            });
        }
        if indices.len() != data.len() {
            return Err(Error::DimensionMismatch {
                context: "CSR indices vs data length".into(),
                expected: indices.len(),
                got: data.len(),
            });
        }
        if indptr[0] != 0
            || indptr[n_users] != indices.len()
            || indptr.windows(2).any(|w| w[0] > w[1])
        {
            return Err(Error::invalid(
                "indptr",
                "must start at 0, never decrease, and end at nnz",
            ));
        }
        let mut triplets = Vec::with_capacity(indices.len());
        for u in 0..n_users {
            for k in indptr[u]..indptr[u + 1] {
                triplets.push((u as u32, indices[k], data[k]));
            }
        }
        check_unbacked_len("n_items", n_items, indices.len())?;
        Self::from_backed_triplets(n_users, n_items, &triplets)
    }

    /// An empty matrix of the given shape.
    ///
    /// ```
    /// use recsys_core::data::{Interactions, MAX_UNBACKED_LEN};
    /// let m = Interactions::empty(2, 3).unwrap();
    /// assert_eq!((m.n_users(), m.n_items(), m.nnz()), (2, 3, 0));
    /// // A shape that no data backs is refused rather than allocated.
    /// assert!(Interactions::empty(usize::MAX, 1).is_err());
    /// assert!(Interactions::empty(1, MAX_UNBACKED_LEN + 1).is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for more than [`MAX_UNBACKED_LEN`](super::MAX_UNBACKED_LEN)
    /// users or items.
    pub fn empty(n_users: usize, n_items: usize) -> Result<Self> {
        check_unbacked_len("n_users", n_users, 0)?;
        check_unbacked_len("n_items", n_items, 0)?;
        Ok(Self {
            matrix: CsMatI::zero((n_users, n_items)),
        })
    }

    /// Number of users (rows).
    pub fn n_users(&self) -> usize {
        self.matrix.rows()
    }

    /// Number of items (columns).
    pub fn n_items(&self) -> usize {
        self.matrix.cols()
    }

    /// Number of stored interactions.
    pub fn nnz(&self) -> usize {
        self.matrix.nnz()
    }

    /// The items (sorted ascending) and values of one user's row.
    ///
    /// # Panics
    /// If `user >= n_users()`; use [`Interactions::try_row`] for unchecked input.
    pub fn row(&self, user: usize) -> (&[u32], &[f32]) {
        let range = self.matrix.indptr().outer_inds_sz(user);
        (
            &self.matrix.indices()[range.clone()],
            &self.matrix.data()[range],
        )
    }

    /// Like [`Interactions::row`], with an error for an out-of-range user.
    pub fn try_row(&self, user: usize) -> Result<(&[u32], &[f32])> {
        if user >= self.n_users() {
            return Err(Error::IndexOutOfRange {
                what: "user",
                index: user,
                len: self.n_users(),
            });
        }
        Ok(self.row(user))
    }

    /// Whether `(user, item)` is stored. Out-of-range indices are simply absent.
    pub fn contains(&self, user: usize, item: u32) -> bool {
        user < self.n_users() && self.row(user).0.binary_search(&item).is_ok()
    }

    /// The item × user matrix.
    pub fn transpose(&self) -> Self {
        let csc = self.matrix.to_csc();
        Self {
            matrix: csc.transpose_into(),
        }
    }

    /// CSR row pointer (length `n_users + 1`).
    pub fn indptr(&self) -> &[usize] {
        self.matrix.indptr().into_raw_storage()
    }

    /// CSR column indices.
    pub fn indices(&self) -> &[u32] {
        self.matrix.indices()
    }

    /// CSR values.
    pub fn data(&self) -> &[f32] {
        self.matrix.data()
    }

    /// The underlying sprs matrix.
    pub fn as_sprs(&self) -> &CsMatI<f32, u32, usize> {
        &self.matrix
    }

    /// Number of stored interactions per item.
    pub fn item_counts(&self) -> Vec<u32> {
        let mut counts = vec![0u32; self.n_items()];
        for &i in self.indices() {
            counts[i as usize] += 1;
        }
        counts
    }

    /// A copy with every value passed through `f` (entries mapped to zero are dropped).
    pub fn map_values(&self, f: impl Fn(f32) -> f32) -> Self {
        Self {
            matrix: drop_zeros(self.matrix.map(|&v| f(v))),
        }
    }
}

fn check_index_space(n_users: usize, n_items: usize) -> Result<()> {
    let max = u32::MAX as usize;
    if n_users > max || n_items > max {
        return Err(Error::invalid(
            "shape",
            format!("at most {max} users and items are supported"),
        ));
    }
    Ok(())
}

fn drop_zeros(m: CsMatI<f32, u32, usize>) -> CsMatI<f32, u32, usize> {
    if m.data().iter().all(|&v| v != 0.0) {
        return m;
    }
    let (rows, cols) = m.shape();
    let mut indptr = Vec::with_capacity(rows + 1);
    let mut indices = Vec::with_capacity(m.nnz());
    let mut data = Vec::with_capacity(m.nnz());
    indptr.push(0usize);
    for row in m.outer_iterator() {
        for (j, &v) in row.iter() {
            if v != 0.0 {
                indices.push(j as u32);
                data.push(v);
            }
        }
        indptr.push(indices.len());
    }
    CsMatI::new((rows, cols), indptr, indices, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            Interactions::from_triplets(1, 1, &[(1, 0, 1.0)]),
            Err(Error::IndexOutOfRange { what: "user", .. })
        ));
        assert!(matches!(
            Interactions::from_triplets(1, 1, &[(0, 0, f32::NAN)]),
            Err(Error::NonFinite { .. })
        ));
        assert!(Interactions::from_csr(1, 2, &[0, 2], &[0], &[1.0]).is_err());
        // `n_users + 1` wrapped to 0 and the empty indptr was indexed.
        assert!(Interactions::from_csr(usize::MAX, 0, &[], &[], &[]).is_err());
    }

    #[test]
    fn transpose_swaps_roles() {
        let m =
            Interactions::from_triplets(2, 3, &[(0, 2, 1.0), (1, 0, 2.0), (1, 2, 3.0)]).unwrap();
        let t = m.transpose();
        assert_eq!((t.n_users(), t.n_items()), (3, 2));
        assert_eq!(t.row(2), (&[0u32, 1][..], &[1.0f32, 3.0][..]));
        assert_eq!(m.item_counts(), vec![1, 0, 2]);
    }

    #[test]
    fn zero_sums_are_dropped() {
        let m =
            Interactions::from_triplets(1, 2, &[(0, 0, 1.0), (0, 0, -1.0), (0, 1, 2.0)]).unwrap();
        assert_eq!(m.nnz(), 1);
        assert!(!m.contains(0, 0));
    }
}
