//! One ALS half-sweep: re-solve every row of one factor matrix against the other, fixed one.
//!
//! For a row `u` with sparse entries `(j, v)` (signed confidence, see
//! [`Interactions`](crate::data::Interactions)) and fixed factors `Y`:
//!
//! ```text
//! c_j = alpha·|v|,  p_j = [v > 0]
//! A_u = YᵀY + λI + Σ_j (c_j − 1) y_j y_jᵀ        b_u = Σ_j p_j c_j y_j
//! ```
//!
//! (`YᵀY + λI` is the [`gram`] shared by all rows.) The conjugate-gradient solver runs a few
//! steps from the row's previous value (Takács, Pilászy & Tikk 2011, as in `implicit`); the
//! Cholesky solver solves exactly. Each row only reads the fixed matrix and its own previous
//! value, so the result does not depend on how rows are split among threads.

use pulp::{Arch, Simd, WithSimd};

use super::buffer::FactorBuffer;
use super::fold_in::{solve_exact, Exact, Start};
use super::kernels::{add_weighted_projections, axpy, dot, sym_matvec, xpby};
use super::Solver;
use crate::par;
use crate::{Error, Result};

/// CSR rows (`indptr`, `indices`, `data`) being solved.
#[derive(Clone, Copy)]
pub(super) struct SparseRows<'a> {
    pub(super) indptr: &'a [usize],
    pub(super) indices: &'a [u32],
    pub(super) data: &'a [f32],
}

impl<'a> SparseRows<'a> {
    pub(super) fn of(m: &'a crate::data::Interactions) -> Self {
        Self {
            indptr: m.indptr(),
            indices: m.indices(),
            data: m.data(),
        }
    }

    #[inline(always)]
    fn row(&self, r: usize) -> (&'a [u32], &'a [f32]) {
        let range = self.indptr[r]..self.indptr[r + 1];
        (&self.indices[range.clone()], &self.data[range])
    }
}

/// Rows of the fixed matrix per partial Gram product; fixed so the sum order (and so the result)
/// never depends on the number of threads.
const GRAM_BLOCK_ROWS: usize = 8192;

/// `FᵀF + λI` (row-major `k × k`, exactly symmetric) for row-major factors `F` (`n × k`).
///
/// Partial products of fixed row blocks (faer, sequential) are summed in block order in f64.
pub(super) fn gram(factors: &[f32], k: usize, regularization: f32) -> Vec<f32> {
    let block_len = GRAM_BLOCK_ROWS * k;
    let partial = |block: &[f32]| -> Vec<f32> {
        let rows = block.len() / k;
        let view = faer::MatRef::from_row_major_slice(block, rows, k);
        let mut out = faer::Mat::<f32>::zeros(k, k);
        faer::linalg::matmul::matmul(
            out.as_mut(),
            faer::Accum::Replace,
            view.transpose(),
            view,
            1.0f32,
            faer::Par::Seq,
        );
        (0..k * k).map(|idx| out[(idx / k, idx % k)]).collect()
    };
    let partials: Vec<Vec<f32>> = par::map_chunks(factors, block_len, partial);

    let mut sum = vec![0.0f64; k * k];
    for part in &partials {
        for (s, &v) in sum.iter_mut().zip(part) {
            *s += f64::from(v);
        }
    }
    let mut out = vec![0.0f32; k * k];
    for i in 0..k {
        for j in 0..k {
            out[i * k + j] = (0.5 * (sum[i * k + j] + sum[j * k + i])) as f32;
        }
        out[i * k + i] += regularization;
    }
    out
}

/// Everything a row solve reads besides its own row.
#[derive(Clone, Copy)]
pub(super) struct Problem<'a> {
    pub(super) rows: SparseRows<'a>,
    /// The fixed factor matrix (row-major, `k` columns).
    pub(super) fixed: &'a [f32],
    /// `YᵀY + λI` of `fixed`.
    pub(super) gram: &'a [f32],
    pub(super) k: usize,
    pub(super) alpha: f32,
    pub(super) solver: Solver,
    /// The same matrix with rows and columns swapped (rows = fixed factors), when available.
    /// Lets the conjugate-gradient solver build every `b_u` in one streaming pass over the
    /// fixed factors instead of gathering them at random (see [`positive_rhs`]).
    pub(super) by_fixed: Option<SparseRows<'a>>,
}

/// Rows handed to one task: small enough to balance heavy-tailed rows, large enough to amortise
/// the per-task scratch and dispatch.
const ROWS_PER_TASK: usize = 32;

/// Re-solves every row of `target` (`rows.len() × k`, row `r` ↔ sparse row `r`).
///
/// # Errors
/// [`Error::FitFailed`] when an exact solve meets a matrix that is not positive definite (only
/// possible with zero regularisation).
pub(super) fn solve_rows(problem: &Problem<'_>, target: &mut [f32]) -> Result<()> {
    solve_rows_reusing(problem, target, &mut None)
}

/// [`solve_rows`], keeping the buffer of the precomputed `b` (see [`positive_rhs`]) in `rhs`
/// for the next call: a fit's half-sweeps need one of the same size every iteration.
pub(super) fn solve_rows_reusing(
    problem: &Problem<'_>,
    target: &mut [f32],
    rhs: &mut Option<FactorBuffer>,
) -> Result<()> {
    let arch = Arch::new();
    let task_len = ROWS_PER_TASK * problem.k;
    let rhs = match (problem.solver, problem.by_fixed) {
        (Solver::ConjugateGradient { .. }, Some(by_fixed)) => {
            let len = target.len();
            let buffer = match rhs.take() {
                Some(mut buffer) if buffer.as_slice().len() == len => {
                    buffer.as_mut_slice().fill(0.0);
                    buffer
                }
                _ => FactorBuffer::zeroed(len),
            };
            Some(&*rhs.insert(positive_rhs(problem, by_fixed, buffer)))
        }
        _ => None,
    };
    par::try_for_each_chunk(target, task_len, |task, chunk| {
        let len = chunk.len();
        arch.dispatch(SolveChunk {
            problem,
            first_row: task * ROWS_PER_TASK,
            chunk,
            rhs: rhs
                .as_ref()
                .map(|b| &b.as_slice()[task * task_len..][..len]),
        })
    })
}

/// One task's rows, as a [`WithSimd`] operation so that everything inlined into it is compiled
/// for the instruction set [`Arch::dispatch`] picks.
struct SolveChunk<'a, 'p> {
    problem: &'a Problem<'p>,
    first_row: usize,
    chunk: &'a mut [f32],
    /// The chunk's rows of `b` when precomputed (see [`positive_rhs`]).
    rhs: Option<&'a [f32]>,
}

impl WithSimd for SolveChunk<'_, '_> {
    type Output = Result<()>;

    #[inline(always)]
    fn with_simd<S: Simd>(self, _simd: S) -> Result<()> {
        let Self {
            problem,
            first_row,
            chunk,
            rhs,
        } = self;
        match problem.k {
            32 => solve_chunk::<32>(problem, first_row, chunk, rhs),
            64 => solve_chunk::<64>(problem, first_row, chunk, rhs),
            128 => solve_chunk::<128>(problem, first_row, chunk, rhs),
            _ => solve_chunk::<0>(problem, first_row, chunk, rhs),
        }
    }
}

/// `b_u = Σ_{v_uj > 0} alpha·v_uj · y_j` for every target row `u`, by one pass over the rows
/// of the fixed side (`by_fixed`: row `j` lists the targets `u` with an entry `v_uj`).
///
/// Gathering `y_j` per target reads the fixed factors at random; when they do not fit in the
/// cache that is the slowest part of a half-sweep. Here the fixed factors stream in order and
/// the writes go to `b`. Targets are split into contiguous ranges (balanced by entries), one
/// per task, each task scanning every fixed row for its range; every `b_u` sums its terms in
/// increasing `j`, so the result does not depend on the split.
///
/// `rhs` is zero on entry (`n_targets × k`; huge-page backed, as it is written at random).
fn positive_rhs(
    problem: &Problem<'_>,
    by_fixed: SparseRows<'_>,
    mut rhs: FactorBuffer,
) -> FactorBuffer {
    let k = problem.k;
    let n_targets = rhs.as_slice().len() / k;
    let parts = par::current_threads();
    // Range boundaries balanced by the number of entries per target row.
    let indptr = problem.rows.indptr;
    let total = indptr[n_targets].max(1);
    let mut bounds = vec![0usize];
    for p in 1..parts {
        let goal = total * p / parts;
        let cut = indptr.partition_point(|&e| e < goal).min(n_targets);
        bounds.push(cut.max(*bounds.last().unwrap_or(&0)));
    }
    bounds.push(n_targets);
    let mut pieces: Vec<(usize, usize, &mut [f32])> = Vec::with_capacity(parts);
    let mut rest = rhs.as_mut_slice();
    for w in bounds.windows(2) {
        let (piece, tail) = rest.split_at_mut((w[1] - w[0]) * k);
        pieces.push((w[0], w[1], piece));
        rest = tail;
    }
    let arch = Arch::new();
    par::for_each(pieces, |(lo, hi, piece)| {
        arch.dispatch(ScatterRange {
            problem,
            by_fixed,
            lo,
            hi,
            piece,
        })
    });
    rhs
}

/// One target range of [`positive_rhs`], as a [`WithSimd`] operation.
struct ScatterRange<'a, 'p> {
    problem: &'a Problem<'p>,
    by_fixed: SparseRows<'a>,
    lo: usize,
    hi: usize,
    piece: &'a mut [f32],
}

impl WithSimd for ScatterRange<'_, '_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, _simd: S) {
        let Self {
            problem,
            by_fixed,
            lo,
            hi,
            piece,
        } = self;
        let k = problem.k;
        let (lo32, hi32) = (lo as u32, hi as u32);
        for (j, y) in problem.fixed.chunks_exact(k).enumerate() {
            let (targets, values) = by_fixed.row(j);
            let from = targets.partition_point(|&t| t < lo32);
            for (&t, &value) in targets[from..].iter().zip(&values[from..]) {
                if t >= hi32 {
                    break;
                }
                if value > 0.0 {
                    let offset = (t - lo32) as usize * k;
                    axpy(problem.alpha * value, y, &mut piece[offset..offset + k]);
                }
            }
        }
    }
}

/// Per-task scratch, allocated once per task rather than per row.
struct Scratch {
    residual: Vec<f32>,
    direction: Vec<f32>,
    product: Vec<f32>,
    exact: Exact,
    /// The fixed rows with a non-unit confidence, copied contiguously for the CG steps.
    gathered: Vec<f32>,
    /// `c − 1` of each gathered row.
    weights: Vec<f32>,
}

/// Longest row whose non-unit-confidence entries are copied for the CG steps (16 MiB at
/// k = 64); longer rows read the fixed factors in place.
const MAX_GATHERED_ROWS: usize = 1 << 16;

/// Solves the rows of one chunk. `K` is the factor count when it is one of the specialised sizes
/// (so loops get constant trip counts), 0 otherwise.
#[inline(always)]
fn solve_chunk<const K: usize>(
    problem: &Problem<'_>,
    first_row: usize,
    chunk: &mut [f32],
    rhs: Option<&[f32]>,
) -> Result<()> {
    let k = if K == 0 { problem.k } else { K };
    let mut scratch = Scratch {
        residual: vec![0.0; k],
        direction: vec![0.0; k],
        product: vec![0.0; k],
        exact: Exact::default(),
        gathered: Vec::new(),
        weights: Vec::new(),
    };
    for (offset, x) in chunk.chunks_exact_mut(k).enumerate() {
        let row = first_row + offset;
        let (items, values) = problem.rows.row(row);
        if items.is_empty() {
            x.fill(0.0);
            continue;
        }
        match problem.solver {
            Solver::ConjugateGradient { steps } => {
                let row = SparseRow {
                    items,
                    values,
                    rhs: rhs.map(|b| &b[offset * k..(offset + 1) * k]),
                };
                conjugate_gradient(problem, k, row, steps, x, &mut scratch)
            }
            Solver::Cholesky => {
                if !cholesky(problem, k, items, values, x, &mut scratch) {
                    return Err(Error::FitFailed {
                        reason: format!(
                            "the normal equations of row {row} are not positive definite; \
                             use a positive regularization"
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// One row being solved: its entries, and its `b` if precomputed.
#[derive(Clone, Copy)]
struct SparseRow<'r> {
    items: &'r [u32],
    values: &'r [f32],
    rhs: Option<&'r [f32]>,
}

/// Squared residual norm below which a row counts as solved (as in `implicit`).
const CONVERGED: f32 = 1e-20;

/// A few conjugate-gradient steps on `A_u x = b_u`, starting from `x`, without forming `A_u`.
///
/// The fixed rows with a non-unit confidence are copied once into a contiguous block (with
/// their weights `c − 1`), so each product `Σ_j (c_j − 1)(y_j · v) y_j` is one blocked pass
/// ([`add_weighted_projections`]) over memory that stays in cache across the steps.
#[inline(always)]
fn conjugate_gradient(
    problem: &Problem<'_>,
    k: usize,
    row: SparseRow<'_>,
    steps: usize,
    x: &mut [f32],
    scratch: &mut Scratch,
) {
    let SparseRow { items, values, rhs } = row;
    let fixed = problem.fixed;
    let alpha = problem.alpha;
    let r = &mut scratch.residual[..k];
    let p = &mut scratch.direction[..k];
    let ap = &mut scratch.product[..k];
    let gathered = &mut scratch.gathered;
    let weights = &mut scratch.weights;
    gathered.clear();
    weights.clear();
    let gather = items.len() <= MAX_GATHERED_ROWS;

    // r = b − A x, with A x = G x + Σ_j (c_j − 1)(y_j · x) y_j
    sym_matvec(problem.gram, x, r);
    match rhs {
        Some(b) => {
            for (v, &bv) in r.iter_mut().zip(b) {
                *v = bv - *v;
            }
        }
        None => {
            for v in r.iter_mut() {
                *v = -*v;
            }
        }
    }
    let mut weighted = false;
    for (&j, &value) in items.iter().zip(values) {
        let confidence = alpha * value.abs();
        let preference = value > 0.0 && rhs.is_none();
        let extra = confidence - 1.0;
        if extra == 0.0 && !preference {
            // The common case with a precomputed b: nothing to add, and no row to fetch.
            continue;
        }
        let y = &fixed[j as usize * k..][..k];
        if preference {
            axpy(confidence, y, r);
        }
        // (c − 1) = 0 (a unit confidence) adds nothing to A.
        if extra != 0.0 {
            weighted = true;
            if gather {
                gathered.extend_from_slice(y);
                weights.push(extra);
            }
        }
    }
    let weighted = Weighted {
        rows: if weighted && gather {
            Rows::Gathered(&gathered[..], &weights[..])
        } else if weighted {
            Rows::InPlace {
                fixed,
                items,
                values,
                alpha,
            }
        } else {
            Rows::None
        },
        k,
    };
    weighted.add_product(x, -1.0, r);
    p.copy_from_slice(r);
    let mut rs_old = dot(r, r);
    if rs_old < CONVERGED {
        return;
    }
    for _ in 0..steps {
        // ap = A p
        sym_matvec(problem.gram, p, ap);
        weighted.add_product(p, 1.0, ap);
        let curvature = dot(p, ap);
        // Only a singular system (λ = 0) gets here with a non-positive curvature: stop rather
        // than divide by zero.
        if curvature.is_nan() || curvature <= 0.0 {
            return;
        }
        let step = rs_old / curvature;
        axpy(step, p, x);
        axpy(-step, ap, r);
        let rs_new = dot(r, r);
        if rs_new < CONVERGED {
            return;
        }
        xpby(r, rs_new / rs_old, p);
        rs_old = rs_new;
    }
}

/// The rows of a conjugate-gradient solve whose confidence is not 1 (the `Σ_j (c_j − 1) y_j y_jᵀ`
/// part of `A_u`).
enum Rows<'a> {
    /// None: `A_u` is the Gram matrix.
    None,
    /// Copied contiguously, with their weights `c_j − 1`.
    Gathered(&'a [f32], &'a [f32]),
    /// Too many to copy: read from the fixed factors in place.
    InPlace {
        fixed: &'a [f32],
        items: &'a [u32],
        values: &'a [f32],
        alpha: f32,
    },
}

struct Weighted<'a> {
    rows: Rows<'a>,
    k: usize,
}

impl Weighted<'_> {
    /// `out += scale · Σ_j (c_j − 1)(y_j · v) y_j`.
    #[inline(always)]
    fn add_product(&self, v: &[f32], scale: f32, out: &mut [f32]) {
        let k = self.k;
        match self.rows {
            Rows::None => {}
            Rows::Gathered(rows, weights) => add_weighted_projections(rows, weights, scale, v, out),
            Rows::InPlace {
                fixed,
                items,
                values,
                alpha,
            } => {
                for (&j, &value) in items.iter().zip(values) {
                    let extra = alpha * value.abs() - 1.0;
                    if extra != 0.0 {
                        let y = &fixed[j as usize * k..][..k];
                        axpy(scale * extra * dot(y, v), y, out);
                    }
                }
            }
        }
    }
}

/// Solves `A_u x = b_u` exactly ([`solve_exact`], the fold-in's solve); `false` if `A_u` is not
/// positive definite.
#[inline(always)]
fn cholesky(
    problem: &Problem<'_>,
    k: usize,
    items: &[u32],
    values: &[f32],
    x: &mut [f32],
    scratch: &mut Scratch,
) -> bool {
    let start = Start::Gram32(problem.gram);
    let exact = &mut scratch.exact;
    let (fixed, alpha) = (problem.fixed, problem.alpha);
    if !solve_exact(start, fixed, k, alpha, items, values, exact, |_, _| {}) {
        return false;
    }
    for (xv, &b) in x.iter_mut().zip(exact.rhs.iter()) {
        *xv = b as f32;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gram_is_symmetric_with_ridge() {
        let k = 3;
        let f: Vec<f32> = (0..30).map(|i| (i % 5) as f32 - 2.0).collect();
        let g = gram(&f, k, 0.5);
        for i in 0..k {
            for j in 0..k {
                let naive: f32 = (0..10).map(|r| f[r * k + i] * f[r * k + j]).sum();
                let ridge = if i == j { 0.5 } else { 0.0 };
                assert!((g[i * k + j] - naive - ridge).abs() < 1e-4);
                assert_eq!(g[i * k + j], g[j * k + i]);
            }
        }
    }
}
