//! Fold-in: the one place that builds and solves a row's normal equations exactly.
//!
//! For a history `(j, v_j)` against fixed factors `Y` (Hu, Koren & Volinsky 2008):
//!
//! ```text
//! c_j = alpha·|v_j|
//! A_u = YᵀY + λI + Σ_j (c_j − 1) y_j y_jᵀ        b_u = Σ_{v_j > 0} c_j y_j        x_u = A_u⁻¹ b_u
//! ```
//!
//! [`solve_exact`] forms `A_u` (lower triangle) and `b_u` in `f64` and solves by Cholesky
//! ([`crate::linalg::cholesky_factor`]); the exact half-sweep solver
//! ([`Solver::Cholesky`](super::Solver::Cholesky)), [`AlsModel::recalculate_user`],
//! [`AlsModel::recalculate_item`], [`AlsModel::explain`] and the recommender's request-time
//! [`FoldIn`] all go through it, so they agree to the last bit.
//!
//! [`FoldIn`] keeps the factor of `A_u`, so the user vector and the exact decomposition of any
//! item's score, `score(u, i) = y_iᵀ x_u = Σ_j c_uj · y_iᵀ A_u⁻¹ y_j` (§5), cost one triangular
//! solve pair each.

use super::{check_confidences, AlsModel, Side};
use crate::linalg::{cholesky_factor, cholesky_solve, cholesky_upper, dot_f32};
use crate::models::History;
use crate::{Error, Result};

/// Scratch of [`solve_exact`]: after a successful call `system` holds `L`, `upper` holds `Lᵀ`
/// and `rhs` holds the solution.
#[derive(Default)]
pub(super) struct Exact {
    pub(super) system: Vec<f64>,
    pub(super) upper: Vec<f64>,
    pub(super) rhs: Vec<f64>,
    /// The history rows with a rank-one term, in `f64` (row-major), and their weights.
    terms: Vec<f64>,
    weights: Vec<f64>,
}

/// Where an exact solve starts from.
#[derive(Clone, Copy)]
pub(super) enum Start<'a> {
    /// `YᵀY + λI` in `f32` (the model's cached gram): the history's terms are added to it.
    Gram32(&'a [f32]),
    /// `YᵀY + λI` in `f64`: the history's terms are added to it.
    Gram64(&'a [f64]),
    /// A complete `A_u` (e.g. [`UserWeights`]): only `b_u` is built from the history.
    System(&'a [f64]),
}

/// Solves one history's normal equations exactly (see the module docs) into `scratch`, calling
/// `positive(j, c_j)` for every positive entry in history order; `false` if `A_u` is not
/// positive definite. Items must be valid rows of `fixed` (`k` wide).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn solve_exact(
    start: Start<'_>,
    fixed: &[f32],
    k: usize,
    alpha: f32,
    items: &[u32],
    values: &[f32],
    scratch: &mut Exact,
    positive: impl FnMut(u32, f64),
) -> bool {
    assemble(start, fixed, k, alpha, items, values, scratch, positive);
    let Exact {
        system, upper, rhs, ..
    } = scratch;
    if !cholesky_factor(system, k) {
        return false;
    }
    cholesky_upper(system, upper, k);
    cholesky_solve(system, upper, rhs, k);
    rhs.iter().all(|v| v.is_finite())
}

/// Forms `A_u` (lower triangle) in `scratch.system` and `b_u` in `scratch.rhs`, calling
/// `positive(j, c_j)` for every positive entry in history order.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn assemble(
    start: Start<'_>,
    fixed: &[f32],
    k: usize,
    alpha: f32,
    items: &[u32],
    values: &[f32],
    scratch: &mut Exact,
    mut positive: impl FnMut(u32, f64),
) {
    let Exact {
        system,
        rhs,
        terms,
        weights,
        ..
    } = scratch;
    system.clear();
    let add_terms = match start {
        Start::Gram32(gram) => {
            system.extend(gram[..k * k].iter().map(|&v| f64::from(v)));
            true
        }
        Start::Gram64(gram) => {
            system.extend_from_slice(&gram[..k * k]);
            true
        }
        Start::System(a) => {
            system.extend_from_slice(&a[..k * k]);
            false
        }
    };
    rhs.clear();
    rhs.resize(k, 0.0);
    terms.clear();
    weights.clear();
    for (&j, &value) in items.iter().zip(values) {
        let y = &fixed[j as usize * k..][..k];
        let confidence = f64::from(alpha) * f64::from(value.abs());
        if value > 0.0 {
            for (b, &yv) in rhs.iter_mut().zip(y) {
                *b += confidence * f64::from(yv);
            }
            positive(j, confidence);
        }
        let extra = confidence - 1.0;
        if add_terms && extra != 0.0 {
            terms.extend(y.iter().map(|&v| f64::from(v)));
            weights.push(extra);
            if weights.len() == TERMS_PER_PASS {
                add_rank_one_terms(system, k, terms, weights);
                terms.clear();
                weights.clear();
            }
        }
    }
    add_rank_one_terms(system, k, terms, weights);
}

/// History rows added to `A_u` per pass of [`add_rank_one_terms`]: bounds the scratch
/// (`k` values each) for rows with many entries (popular items in a training half-sweep).
const TERMS_PER_PASS: usize = 256;

/// Columns of `A_u` one tile of [`add_rank_one_terms`] covers.
const TILE: usize = 8;

/// Adds `Σ_j w_j · y_j y_jᵀ` to the lower triangle of the row-major `k × k` `system`
/// (`terms` holds the `y_j`, row-major in `f64`).
///
/// Every entry receives its terms in history order, each as `s += (w_j · y_j[a]) · y_j[b]`,
/// exactly as a loop over the history adding one rank-one term at a time would, so the result
/// does not depend on the tiling. A tile (8 entries of a row) stays in registers while the
/// history streams past, which saves the loads and stores of `A_u` per term.
#[inline(always)]
fn add_rank_one_terms(system: &mut [f64], k: usize, terms: &[f64], weights: &[f64]) {
    if weights.is_empty() {
        return;
    }
    for a in 0..k {
        let row = &mut system[a * k..(a + 1) * k];
        // Tiles of columns up to the diagonal; the last one may reach into the strict upper
        // triangle, whose entries are computed but not stored.
        for b0 in (0..=a).step_by(TILE) {
            let stored = TILE.min(a + 1 - b0);
            if b0 + TILE <= k {
                let mut acc = [0.0f64; TILE];
                acc.copy_from_slice(&row[b0..b0 + TILE]);
                for (y, &w) in terms.chunks_exact(k).zip(weights) {
                    let scale = w * y[a];
                    let yb = &y[b0..b0 + TILE];
                    for c in 0..TILE {
                        acc[c] += scale * yb[c];
                    }
                }
                row[b0..b0 + stored].copy_from_slice(&acc[..stored]);
            } else {
                for b in b0..b0 + stored {
                    let mut s = row[b];
                    for (y, &w) in terms.chunks_exact(k).zip(weights) {
                        s += w * y[a] * y[b];
                    }
                    row[b] = s;
                }
            }
        }
    }
}

/// `YᵀY + λI` of the model's item factors in `f64` (row-major `k × k`), summed row by row: a
/// more precise start for [`FoldIn::with_gram`] than the model's cached `f32` gram, computed
/// once per model (the recommender keeps one).
pub fn item_gram(model: &AlsModel) -> Vec<f64> {
    let k = model.k;
    let mut gram = vec![0.0f64; k * k];
    let mut y = vec![0.0f64; k];
    for row in model.item_factors.chunks_exact(k) {
        y.iter_mut()
            .zip(row.iter())
            .for_each(|(d, &v)| *d = f64::from(v));
        for a in 0..k {
            let scale = y[a];
            gram[a * k..(a + 1) * k]
                .iter_mut()
                .zip(&y)
                .for_each(|(t, &v)| *t += scale * v);
        }
    }
    let regularization = f64::from(model.regularization);
    (0..k).for_each(|a| gram[a * k + a] += regularization);
    gram
}

/// A history folded into an ALS model with `A_u` factored once: the user vector and the exact
/// per-history-item decomposition of any item's score.
#[derive(Clone, Debug)]
pub struct FoldIn {
    k: usize,
    /// Lower Cholesky factor `L` of `A_u`, row-major.
    factor: Vec<f64>,
    /// `Lᵀ`, row-major (contiguous rows for the backward solve).
    upper: Vec<f64>,
    /// `x_u = A_u⁻¹ Σ_j c_uj y_j`.
    user: Vec<f32>,
    /// Positive history items and their confidences `c_uj = alpha · v_uj`.
    positives: Vec<(u32, f64)>,
}

/// A fold-in as a `pulp` operation, so the inlined kernels get AVX2 where available.
struct FoldOp<'a> {
    fixed: &'a [f32],
    k: usize,
    alpha: f32,
    start: Start<'a>,
    history: History<'a>,
}

impl pulp::WithSimd for FoldOp<'_> {
    type Output = Option<FoldIn>;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> Self::Output {
        let Self {
            fixed,
            k,
            alpha,
            start,
            history,
        } = self;
        let mut scratch = Exact::default();
        let mut positives = Vec::new();
        let solved = solve_exact(
            start,
            fixed,
            k,
            alpha,
            history.items,
            history.values,
            &mut scratch,
            |j, confidence| positives.push((j, confidence)),
        );
        solved.then(|| FoldIn {
            k,
            user: scratch.rhs.iter().map(|&v| v as f32).collect(),
            factor: scratch.system,
            upper: scratch.upper,
            positives,
        })
    }
}

impl FoldIn {
    /// Folds `history` into `model`, starting from the model's cached `YᵀY + λI`: the user
    /// vector is [`AlsModel::recalculate_user`]'s.
    ///
    /// # Errors
    /// As [`FoldIn::with_gram`].
    pub fn new(model: &AlsModel, history: History<'_>) -> Result<Self> {
        model.check_history(history)?;
        Self::run(model, Side::Items, Start::Gram32(&model.item_gram), history)
    }

    /// Folds `history` into `model` given a `k × k` `YᵀY + λI` (e.g. [`item_gram`], computed
    /// once per model): `A_u` is the gram plus `(alpha·|v_j| − 1)·y_j y_jᵀ` per history item,
    /// factored once.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for a gram that is not `k × k` or history slices of
    /// different lengths; [`Error::IndexOutOfRange`] for an item outside the model;
    /// [`Error::NonFinite`] for a bad value; [`Error::FitFailed`] if `A_u` is not positive
    /// definite (zero regularisation only).
    pub fn with_gram(model: &AlsModel, gram: &[f64], history: History<'_>) -> Result<Self> {
        let k = model.k;
        if gram.len() != k * k {
            return Err(Error::DimensionMismatch {
                context: "fold-in gram (k × k values)".into(),
                expected: k * k,
                got: gram.len(),
            });
        }
        model.check_history(history)?;
        Self::run(model, Side::Items, Start::Gram64(gram), history)
    }

    /// The fold-in against `fixed`'s factors (`history.items` index them), checked already.
    fn run(model: &AlsModel, fixed: Side, start: Start<'_>, history: History<'_>) -> Result<Self> {
        let (factors, _) = model.side(fixed);
        pulp::Arch::new()
            .dispatch(FoldOp {
                fixed: factors,
                k: model.k,
                alpha: model.alpha,
                start,
                history,
            })
            .ok_or_else(|| Error::FitFailed {
                reason: "fold-in: A_u is not positive definite; use a positive regularization"
                    .into(),
            })
    }

    /// The folded-in user vector `x_u`.
    pub fn user_vector(&self) -> &[f32] {
        &self.user
    }

    /// Whether the history has positive evidence (otherwise every score is 0).
    pub fn has_positives(&self) -> bool {
        !self.positives.is_empty()
    }

    /// `(history item, c_uj · y_iᵀ A_u⁻¹ y_j)` for every positive history item `j`, in
    /// history order; they sum to `y_iᵀ x_u`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an item outside the model.
    pub fn contributions(&self, model: &AlsModel, item: u32) -> Result<Vec<(u32, f64)>> {
        self.contributions_of(model, model.item_vector(item)?)
    }

    /// [`FoldIn::contributions`] for any item vector `y` (e.g. the estimated factors of an item
    /// ALS never saw): they sum to `yᵀ x_u`.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `y` is not `k` long.
    pub fn contributions_of(&self, model: &AlsModel, y: &[f32]) -> Result<Vec<(u32, f64)>> {
        if y.len() != self.k {
            return Err(Error::DimensionMismatch {
                context: "item vector".into(),
                expected: self.k,
                got: y.len(),
            });
        }
        let mut weighted: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        cholesky_solve(&self.factor, &self.upper, &mut weighted, self.k);
        let weighted: Vec<f32> = weighted.iter().map(|&w| w as f32).collect();
        self.positives
            .iter()
            .map(|&(j, confidence)| {
                let yj = model.item_vector(j)?;
                Ok((j, confidence * f64::from(dot_f32(&weighted, yj))))
            })
            .collect()
    }
}

impl FoldIn {
    /// [`FoldIn::contributions_of`] of several item vectors, in one SIMD dispatch and with the
    /// history's factor rows looked up once: the same numbers, bit for bit.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when a vector is not `k` long; [`Error::IndexOutOfRange`]
    /// for a history item outside `model`.
    pub(crate) fn contributions_of_many(
        &self,
        model: &AlsModel,
        vectors: &[&[f32]],
    ) -> Result<Vec<Vec<(u32, f64)>>> {
        let k = self.k;
        if let Some(bad) = vectors.iter().find(|y| y.len() != k) {
            return Err(Error::DimensionMismatch {
                context: "item vector".into(),
                expected: k,
                got: bad.len(),
            });
        }
        let history = self
            .positives
            .iter()
            .map(|&(j, _)| model.item_vector(j))
            .collect::<Result<Vec<&[f32]>>>()?;
        Ok(pulp::Arch::new().dispatch(|| {
            let mut weighted = vec![0.0f64; k];
            let mut weighted32 = vec![0.0f32; k];
            vectors
                .iter()
                .map(|y| {
                    weighted
                        .iter_mut()
                        .zip(y.iter())
                        .for_each(|(w, &v)| *w = f64::from(v));
                    cholesky_solve(&self.factor, &self.upper, &mut weighted, k);
                    weighted32
                        .iter_mut()
                        .zip(&weighted)
                        .for_each(|(w, &v)| *w = v as f32);
                    self.positives
                        .iter()
                        .zip(&history)
                        .map(|(&(j, confidence), yj)| {
                            (j, confidence * f64::from(dot_f32(&weighted32, yj)))
                        })
                        .collect()
                })
                .collect()
        }))
    }
}

/// A user's normal-equation matrix `A_u = YᵀC_uY + λI` (row-major `k × k`, `f64`), the
/// "user weights" of [`AlsModel::explain`]. Computing it costs `O(k²·|history|)`; pass it back
/// to explain further items for the same history.
#[derive(Clone, Debug, PartialEq)]
pub struct UserWeights {
    k: usize,
    system: Vec<f64>,
}

impl UserWeights {
    /// Weights from a row-major `k × k` matrix (e.g. one returned earlier and stored).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] unless `values` holds `k²` numbers; [`Error::NonFinite`]
    /// for NaN or infinity.
    pub fn from_matrix(k: usize, values: Vec<f64>) -> Result<Self> {
        if k.checked_mul(k) != Some(values.len()) {
            return Err(Error::DimensionMismatch {
                context: "user weights (k × k values)".into(),
                expected: k.saturating_mul(k),
                got: values.len(),
            });
        }
        if let Some(&bad) = values.iter().find(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                context: "user weights".into(),
                value: bad,
            });
        }
        Ok(Self { k, system: values })
    }

    /// Side length `k`.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The matrix, row-major.
    pub fn as_slice(&self) -> &[f64] {
        &self.system
    }
}

/// Why the model scores an item for a user: the output of [`AlsModel::explain`].
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// The score of the item for the folded-in history, `Σ_j contribution_j`.
    pub score: f64,
    /// The largest contributions `(history item, c_uj · y_iᵀ A_u⁻¹ y_j)`, best first.
    pub contributions: Vec<(u32, f64)>,
    /// The history's `A_u`, reusable for further items.
    pub weights: UserWeights,
}

impl AlsModel {
    /// Folds a history in: the user factors that one exact least-squares solve against the
    /// fixed item factors gives (what training would give this user with the items fixed).
    /// An empty history gives zeros.
    ///
    /// ```
    /// # use recsys_core::data::Interactions;
    /// # use recsys_core::models::als::AlsConfig;
    /// use recsys_core::models::History;
    /// # let m = Interactions::from_triplets(3, 3, &[(0, 0, 1.0), (0, 1, 1.0), (1, 1, 1.0), (2, 2, 1.0)]).unwrap();
    /// let model = AlsConfig::new().factors(3).fit(&m).unwrap();
    /// let anonymous = model.recalculate_user(History::new(&[0, 1], &[1.0, 1.0])).unwrap();
    /// assert_eq!(anonymous.len(), 3);
    /// assert!(model.recalculate_user(History::new(&[7], &[1.0])).is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an item outside the model, [`Error::DimensionMismatch`]
    /// if `items` and `values` differ in length, [`Error::NonFinite`] for a bad value,
    /// [`Error::FitFailed`] for a singular system (zero regularisation only).
    pub fn recalculate_user(&self, history: History<'_>) -> Result<Vec<f32>> {
        self.check_history(history)?;
        self.fold_side(Side::Items, history)
    }

    /// Folds an item in: the item factors one exact least-squares solve against the fixed
    /// user factors gives, from the item's users (`history.items` are user indices here).
    /// The item-side twin of [`AlsModel::recalculate_user`].
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for a user outside the model, otherwise as
    /// [`AlsModel::recalculate_user`].
    pub fn recalculate_item(&self, history: History<'_>) -> Result<Vec<f32>> {
        self.check_side_history(Side::Users, history)?;
        self.fold_side(Side::Users, history)
    }

    /// The exact solve of a checked history against `fixed`'s factors and cached gram (the
    /// same numbers as a [`Solver::Cholesky`](super::Solver::Cholesky) half-sweep row).
    fn fold_side(&self, fixed: Side, history: History<'_>) -> Result<Vec<f32>> {
        if history.items.is_empty() {
            return Ok(vec![0.0; self.k]);
        }
        let gram = match fixed {
            Side::Users => &self.user_gram,
            Side::Items => &self.item_gram,
        };
        let fold = FoldIn::run(self, fixed, Start::Gram32(gram), history)?;
        Ok(fold.user)
    }

    /// The matrix `A_u = YᵀC_uY + λI` of a history, for [`AlsModel::explain`].
    ///
    /// # Errors
    /// As [`AlsModel::recalculate_user`].
    pub fn user_weights(&self, history: History<'_>) -> Result<UserWeights> {
        self.check_history(history)?;
        let k = self.k;
        let mut scratch = Exact::default();
        let start = Start::Gram32(&self.item_gram);
        let (items, values) = (history.items, history.values);
        assemble(
            start,
            &self.item_factors,
            k,
            self.alpha,
            items,
            values,
            &mut scratch,
            |_, _| {},
        );
        // The lower triangle is what was formed; the matrix handed out is the whole of it.
        let mut system = scratch.system;
        for a in 0..k {
            for b in 0..a {
                system[b * k + a] = system[a * k + b];
            }
        }
        Ok(UserWeights { k, system })
    }

    /// Explains the fold-in score of `item` for a history (Hu, Koren & Volinsky 2008, §5, as
    /// `implicit`'s `explain`): with `A_u` from [`AlsModel::user_weights`], the score
    /// `y_iᵀ x_u = Σ_j c_uj · y_iᵀ A_u⁻¹ y_j` over the positive history items `j`, and the `n`
    /// largest terms ([`FoldIn::contributions`]). `weights` from an earlier call for the same
    /// history saves rebuilding `A_u`.
    ///
    /// ```
    /// # use recsys_core::data::Interactions;
    /// # use recsys_core::models::als::AlsConfig;
    /// use recsys_core::models::History;
    /// # let m = Interactions::from_triplets(2, 3, &[(0, 0, 1.0), (0, 1, 3.0), (1, 2, 1.0)]).unwrap();
    /// let model = AlsConfig::new().factors(2).fit(&m).unwrap();
    /// let history = History::new(&[0, 1], &[1.0, 3.0]);
    /// let why = model.explain(history, 2, 10, None).unwrap();
    /// let x = model.recalculate_user(history).unwrap();
    /// let y = model.item_vector(2).unwrap();
    /// let direct: f32 = x.iter().zip(y).map(|(a, b)| a * b).sum();
    /// assert!((why.score - f64::from(direct)).abs() < 1e-4);
    /// let again = model.explain(history, 0, 1, Some(&why.weights)).unwrap();
    /// assert_eq!(again.contributions.len(), 1);
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for `item` or a history item outside the model;
    /// [`Error::DimensionMismatch`] for weights of another factor count;
    /// [`Error::InvalidParameter`] for weights that are not positive definite.
    pub fn explain(
        &self,
        history: History<'_>,
        item: u32,
        n: usize,
        weights: Option<&UserWeights>,
    ) -> Result<Explanation> {
        self.check_history(history)?;
        let target = self.item_vector(item)?;
        let weights = match weights {
            Some(w) if w.k != self.k => {
                return Err(Error::DimensionMismatch {
                    context: "user weights (side = factors)".into(),
                    expected: self.k,
                    got: w.k,
                })
            }
            Some(w) => w.clone(),
            None => self.user_weights(history)?,
        };
        let fold = FoldIn::run(self, Side::Items, Start::System(&weights.system), history)
            .map_err(|_| Error::invalid("user_weights", "the matrix is not positive definite"))?;
        let mut contributions = fold.contributions_of(self, target)?;
        let score = contributions.iter().map(|c| c.1).sum();
        contributions.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        contributions.truncate(n);
        Ok(Explanation {
            score,
            contributions,
            weights,
        })
    }

    /// Checks a history of item indices against the model.
    pub(super) fn check_history(&self, history: History<'_>) -> Result<()> {
        self.check_side_history(Side::Items, history)
    }

    /// Checks a history whose indices refer to `side`'s rows.
    pub(super) fn check_side_history(&self, side: Side, history: History<'_>) -> Result<()> {
        if history.items.len() != history.values.len() {
            return Err(Error::DimensionMismatch {
                context: "history items vs values".into(),
                expected: history.items.len(),
                got: history.values.len(),
            });
        }
        let (factors, what) = self.side(side);
        crate::models::check_items(history.items, factors.len() / self.k, what)?;
        check_confidences(history.values, self.alpha, "history")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Interactions;
    use crate::models::als::{AlsConfig, Solver};

    #[test]
    fn decomposition_sums_to_the_fold_in_score() {
        let m = Interactions::from_triplets(
            3,
            5,
            &[
                (0, 0, 4.0),
                (0, 1, 5.0),
                (1, 1, 1.0),
                (1, 2, 3.0),
                (2, 3, 2.0),
                (2, 4, 1.0),
            ],
        )
        .unwrap();
        let model = AlsConfig::new()
            .factors(3)
            .regularization(0.5)
            .solver(Solver::Cholesky)
            .fit(&m)
            .unwrap();
        let history = History::new(&[0, 2, 3], &[5.0, -1.0, 2.0]);
        let reference = model.recalculate_user(history).unwrap();
        // From the model's cached gram: the very numbers of `recalculate_user`.
        assert_eq!(
            FoldIn::new(&model, history).unwrap().user_vector(),
            &reference[..]
        );
        let fold = FoldIn::with_gram(&model, &item_gram(&model), history).unwrap();
        for (a, b) in fold.user_vector().iter().zip(&reference) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
        for item in 0..5 {
            let parts = fold.contributions(&model, item).unwrap();
            assert_eq!(parts.iter().map(|p| p.0).collect::<Vec<_>>(), vec![0, 3]);
            let total: f64 = parts.iter().map(|p| p.1).sum();
            let y = model.item_vector(item).unwrap();
            let score: f32 = fold.user_vector().iter().zip(y).map(|(a, b)| a * b).sum();
            assert!((total - f64::from(score)).abs() < 1e-4);
        }
    }
}
