//! The alternating least-squares solver of [`MfSolver::Als`](super::MfSolver::Als).
//!
//! It minimises the objective SGD descends ("ALS-WR", Zhou et al. 2008) plus a prior per row:
//!
//! ```text
//! Σ (r − μ − b_u − b_i − p_uᵀq_i)² + Σ_u ((n_u λ_b + β₀) b_u² + (n_u λ + λ₀) ‖p_u‖²) + (same for items)
//! ```
//!
//! The prior (`β₀`, `λ₀`) matters: SGD stopped after its 100 epochs leaves rows with few
//! ratings near their small start, a shrinkage the converged `n λ` penalties lack (run to
//! convergence, SGD scores like ALS without the prior: 5-fold RMSE 0.925 against 0.915 on the
//! MovieLens validation split). A constant prior gives ALS that shrinkage back.
//!
//! by fixing one side and solving every row of the other, which is a ridge problem in
//! `x = [b, p]` with regressors `[1, q_j]` and targets `r − μ − b_j`:
//! `A x = c` with `A = Σ_j [1, q_j][1, q_j]ᵀ + n D + D₀`, `D = diag(λ_b, λ, …, λ)` and
//! `D₀ = diag(prior.bias, prior.factors, …)` (the row prior, [`MfConfig::prior`](super::MfConfig::prior)). A few
//! conjugate-gradient steps from the row's previous value solve it without forming `A`
//! (Takács, Pilászy & Tikk 2011): each step reads the row's `n` fixed vectors twice, so a
//! half-sweep costs `O(nnz · k)` rather than the `O(nnz · k²)` of forming the normal equations.
//!
//! Each row reads only the fixed side and its own previous value, so rows are solved in
//! parallel and the model does not depend on the number of threads.

use pulp::{Arch, Simd, WithSimd};

use super::FoldInPrior;
use crate::models::als::kernels::{axpy, dot, xpby};
use crate::par;

/// Ratings grouped by one side (CSR): for row `r`, the other side's indices and the ratings,
/// in input order.
pub(super) struct RatingRows {
    indptr: Vec<usize>,
    others: Vec<u32>,
    ratings: Vec<f32>,
}

impl RatingRows {
    /// `ratings` grouped by `key(rating) = (row, other)` over `n_rows` rows (indices already
    /// checked to be in range).
    pub(super) fn group(
        n_rows: usize,
        ratings: &[(u32, u32, f32)],
        key: impl Fn(&(u32, u32, f32)) -> (u32, u32),
    ) -> Self {
        let mut indptr = vec![0usize; n_rows + 1];
        for rating in ratings {
            indptr[key(rating).0 as usize + 1] += 1;
        }
        for r in 0..n_rows {
            indptr[r + 1] += indptr[r];
        }
        let mut next = indptr.clone();
        let mut others = vec![0u32; ratings.len()];
        let mut values = vec![0.0f32; ratings.len()];
        for rating in ratings {
            let (row, other) = key(rating);
            let slot = &mut next[row as usize];
            others[*slot] = other;
            values[*slot] = rating.2;
            *slot += 1;
        }
        Self {
            indptr,
            others,
            ratings: values,
        }
    }

    #[inline(always)]
    fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let range = self.indptr[r]..self.indptr[r + 1];
        (&self.others[range.clone()], &self.ratings[range])
    }
}

/// One half-sweep's problem: the rows being solved and the fixed side.
pub(super) struct HalfSweep<'a> {
    pub(super) rows: &'a RatingRows,
    pub(super) fixed_bias: &'a [f32],
    /// Row-major, `k` columns.
    pub(super) fixed_factors: &'a [f32],
    pub(super) k: usize,
    pub(super) global_mean: f32,
    pub(super) regularization: f32,
    pub(super) bias_regularization: f32,
    /// Penalties every row gets on top of the per-rating ones.
    pub(super) prior: FoldInPrior,
    pub(super) cg_steps: usize,
}

/// Rows per parallel task: small enough to balance heavy-tailed rows, large enough to amortise
/// the per-task scratch.
const ROWS_PER_TASK: usize = 64;

impl HalfSweep<'_> {
    /// Re-solves every row's bias and factors (`bias.len()` rows, `factors` row-major).
    pub(super) fn solve(&self, bias: &mut [f32], factors: &mut [f32]) {
        let k = self.k;
        let tasks: Vec<(usize, &mut [f32], &mut [f32])> = bias
            .chunks_mut(ROWS_PER_TASK)
            .zip(factors.chunks_mut(ROWS_PER_TASK * k))
            .enumerate()
            .map(|(task, (b, f))| (task * ROWS_PER_TASK, b, f))
            .collect();
        let arch = Arch::new();
        par::for_each(tasks, |(first_row, bias, factors)| {
            arch.dispatch(SolveTask {
                sweep: self,
                first_row,
                bias,
                factors,
            })
        });
    }
}

/// One task's rows, as a [`WithSimd`] operation so that the inlined kernels are compiled for
/// the instruction set [`Arch::dispatch`] picks (the kernels' results do not depend on it).
struct SolveTask<'a, 'p> {
    sweep: &'a HalfSweep<'p>,
    first_row: usize,
    bias: &'a mut [f32],
    factors: &'a mut [f32],
}

impl WithSimd for SolveTask<'_, '_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, _simd: S) {
        let k = self.sweep.k;
        let mut scratch = Scratch {
            residual: vec![0.0; k],
            direction: vec![0.0; k],
            product: vec![0.0; k],
        };
        for (offset, (bias, factors)) in self
            .bias
            .iter_mut()
            .zip(self.factors.chunks_exact_mut(k))
            .enumerate()
        {
            solve_row(
                self.sweep,
                self.first_row + offset,
                bias,
                factors,
                &mut scratch,
            );
        }
    }
}

/// The factor parts of the conjugate-gradient vectors (their bias parts are scalars).
struct Scratch {
    residual: Vec<f32>,
    direction: Vec<f32>,
    product: Vec<f32>,
}

/// `cg_steps` conjugate-gradient steps on row `row`'s system, from its current `[bias, p]`.
/// A row without ratings keeps its (zero) values.
#[inline(always)]
fn solve_row(sweep: &HalfSweep<'_>, row: usize, bias: &mut f32, p: &mut [f32], s: &mut Scratch) {
    let (others, ratings) = sweep.rows.row(row);
    if others.is_empty() {
        return;
    }
    let k = sweep.k;
    let n = others.len() as f32;
    let reg_bias = n * sweep.bias_regularization + sweep.prior.bias;
    let reg = n * sweep.regularization + sweep.prior.factors;
    let fixed = |j: u32| &sweep.fixed_factors[j as usize * k..(j as usize + 1) * k];

    // r = c − A x.
    let mut residual_bias = -reg_bias * *bias;
    for (r, &x) in s.residual.iter_mut().zip(p.iter()) {
        *r = -reg * x;
    }
    for (&j, &rating) in others.iter().zip(ratings) {
        let q = fixed(j);
        let error = rating - sweep.global_mean - sweep.fixed_bias[j as usize] - *bias - dot(q, p);
        residual_bias += error;
        axpy(error, q, &mut s.residual);
    }
    let mut direction_bias = residual_bias;
    s.direction.copy_from_slice(&s.residual);
    let mut norm = residual_bias * residual_bias + dot(&s.residual, &s.residual);

    for _ in 0..sweep.cg_steps {
        // NaN stops too.
        if norm.partial_cmp(&1e-20) != Some(std::cmp::Ordering::Greater) {
            break;
        }
        // A d.
        let mut product_bias = reg_bias * direction_bias;
        for (a, &d) in s.product.iter_mut().zip(&s.direction) {
            *a = reg * d;
        }
        for &j in others {
            let q = fixed(j);
            let t = direction_bias + dot(q, &s.direction);
            product_bias += t;
            axpy(t, q, &mut s.product);
        }
        let curvature = direction_bias * product_bias + dot(&s.direction, &s.product);
        if curvature.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            break;
        }
        let step = norm / curvature;
        *bias += step * direction_bias;
        axpy(step, &s.direction, p);
        residual_bias -= step * product_bias;
        axpy(-step, &s.product, &mut s.residual);
        let next = residual_bias * residual_bias + dot(&s.residual, &s.residual);
        let beta = next / norm;
        direction_bias = residual_bias + beta * direction_bias;
        xpby(&s.residual, beta, &mut s.direction);
        norm = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_keeps_input_order_per_row() {
        let ratings = [(1, 0, 1.0), (0, 2, 2.0), (1, 1, 3.0), (0, 0, 4.0)];
        let by_user = RatingRows::group(3, &ratings, |&(u, i, _)| (u, i));
        assert_eq!(by_user.indptr, [0, 2, 4, 4]);
        assert_eq!(by_user.row(0), (&[2, 0][..], &[2.0, 4.0][..]));
        assert_eq!(by_user.row(1), (&[0, 1][..], &[1.0, 3.0][..]));
        let by_item = RatingRows::group(3, &ratings, |&(u, i, _)| (i, u));
        assert_eq!(by_item.row(0), (&[1, 0][..], &[1.0, 4.0][..]));
        assert_eq!(by_item.row(2), (&[0][..], &[2.0][..]));
    }

    #[test]
    fn enough_steps_solve_the_row_exactly() {
        // One user, three items with k = 2: compare with the normal equations solved by hand
        // (Gaussian elimination in f64).
        let k = 2;
        let item_factors = [0.5f32, -1.0, 1.5, 0.25, -0.75, 0.5];
        let item_bias = [0.1f32, -0.2, 0.3];
        let ratings = [(0, 0, 4.0), (0, 1, 2.0), (0, 2, 5.0)];
        let rows = RatingRows::group(1, &ratings, |&(u, i, _)| (u, i));
        let sweep = HalfSweep {
            rows: &rows,
            fixed_bias: &item_bias,
            fixed_factors: &item_factors,
            k,
            global_mean: 3.0,
            regularization: 0.1,
            bias_regularization: 0.05,
            prior: FoldInPrior::new(0.5, 1.5),
            cg_steps: 3,
        };
        let mut bias = [0.0f32];
        let mut factors = [0.3f32, -0.2];
        sweep.solve(&mut bias, &mut factors);

        let n = 3.0f64;
        let mut a = [[0.0f64; 4]; 3];
        a[0][0] = n * 0.05 + 0.5;
        a[1][1] = n * 0.1 + 1.5;
        a[2][2] = n * 0.1 + 1.5;
        for (j, &(_, _, r)) in ratings.iter().enumerate() {
            let z = [
                1.0,
                f64::from(item_factors[2 * j]),
                f64::from(item_factors[2 * j + 1]),
            ];
            let t = f64::from(r) - 3.0 - f64::from(item_bias[j]);
            for row in 0..3 {
                for col in 0..3 {
                    a[row][col] += z[row] * z[col];
                }
                a[row][3] += z[row] * t;
            }
        }
        for pivot in 0..3 {
            for row in pivot + 1..3 {
                let f = a[row][pivot] / a[pivot][pivot];
                let pivot_row = a[pivot];
                for (cell, p) in a[row][pivot..].iter_mut().zip(&pivot_row[pivot..]) {
                    *cell -= f * p;
                }
            }
        }
        let mut x = [0.0f64; 3];
        for row in (0..3).rev() {
            let tail: f64 = (row + 1..3).map(|c| a[row][c] * x[c]).sum();
            x[row] = (a[row][3] - tail) / a[row][row];
        }
        let got = [bias[0], factors[0], factors[1]];
        for (g, e) in got.iter().zip(x) {
            assert!((f64::from(*g) - e).abs() < 1e-4, "{got:?} vs {x:?}");
        }
    }
}
