//! EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): a closed-form
//! item × item model.
//!
//! With `X` the user × item matrix (binary or valued, see [`EaseInput`]) and `λ` the ridge
//! penalty, `P = (XᵀX + λI)⁻¹` and `B = I − P·diag(1/diag(P))`, i.e. `B_ij = −P_ij / P_jj` off
//! the diagonal and `B_jj = 0`: the best ridge regression of every item's column on the *other*
//! items' columns. A user's scores are `x·B` for the user's history row `x`, so an anonymous
//! visitor or a fresh rating is scored without refitting (fold-in is free).
//!
//! # Where the dense inverse stops being practical
//!
//! Fitting forms the dense `n × n` Gram matrix of the `n` modelled items in `f64`, factors it
//! (Cholesky) and inverts it (faer): memory about `24·n²` bytes at the peak (Gram, inverse and
//! faer's workspace) and time `~n³` flops. Measured on this project's 2-core machine while six
//! other builds ran (load average ~11; `cargo test --release -p recsys-core --lib
//! ease::tests::fit_time -- --ignored --nocapture`, random data, 50 interactions per user):
//! n = 1,000 items 1.1 s, 2,000 items 5.1 s, 4,000 items 29 s, growing as n³ (so ~4 min at
//! 8,000 and ~8 min at 10,000 on that machine; 2.4 GB at 10,000). Above [`EaseConfig::max_items`] (default
//! 10,000) the fit either refuses
//! with [`Error::InvalidParameter`] ([`Overflow::Refuse`], the default) or models only the
//! `max_items` items with the most interactions ([`Overflow::MostPopular`]); the other items
//! then score `f32::NEG_INFINITY` (the [`ItemScorer`] convention for "cannot score") and a
//! caller such as the hybrid recommender ranks them by its other signals.
//!
//! ```
//! use recsys_core::data::Interactions;
//! use recsys_core::models::ease::EaseConfig;
//! use recsys_core::models::{recommend, History, TopN};
//!
//! // Items 0 and 1 are consumed together; item 2 by other users.
//! let m = Interactions::from_triplets(4, 3, &[
//!     (0, 0, 1.0), (0, 1, 1.0), (1, 0, 1.0), (1, 1, 1.0), (2, 2, 1.0), (3, 0, 1.0),
//! ]).unwrap();
//! let model = EaseConfig::new().lambda(0.5).fit(&m).unwrap();
//! // A visitor who has item 0: the best unseen item is 1.
//! let recs = recommend(&model, None, History::new(&[0], &[1.0]), &TopN::new(1)).unwrap();
//! assert_eq!(recs[0].item, 1);
//! assert_eq!(model.weight(0, 0), Some(0.0)); // diag(B) = 0
//! ```

use faer::dyn_stack::{MemBuffer, MemStack};
use serde::{Deserialize, Serialize};

use super::{check_score_len, History, ItemScorer};
use crate::data::Interactions;
use crate::par::{self, Parallelism};
use crate::topk::{Scored, TopK};
use crate::{Error, Result};

/// What `X` holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EaseInput {
    /// 1 for every entry with a positive value (non-positive entries are left out): the
    /// paper's setting.
    #[default]
    Binary,
    /// The entries' values as given (e.g. ratings or confidences; negative values allowed).
    Values,
}

impl EaseInput {
    /// The value `X` holds for an entry `v`, or `None` when the entry is left out.
    pub(crate) fn map(self, v: f32) -> Option<f32> {
        match self {
            EaseInput::Binary => (v > 0.0).then_some(1.0),
            EaseInput::Values => (v != 0.0).then_some(v),
        }
    }
}

/// What a fit does with more items than [`EaseConfig::max_items`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// Fail with [`Error::InvalidParameter`] naming the limit (the default).
    #[default]
    Refuse,
    /// Model only the `max_items` items with the most interactions (ties: lower index); the
    /// others score `f32::NEG_INFINITY`.
    MostPopular,
}

/// Hyper-parameters of [`EaseModel`] (builder; see [`EaseConfig::new`] for the defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EaseConfig {
    lambda: f32,
    input: EaseInput,
    max_items: usize,
    overflow: Overflow,
    neighbors: Option<usize>,
    #[serde(skip)]
    parallelism: Parallelism,
}

impl Default for EaseConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl EaseConfig {
    /// Defaults: `lambda` 500 with [`EaseInput::Binary`] (the best binary setting on the
    /// MovieLens-100K random split's validation part: nDCG@10 0.2186 against 0.2133 at 200
    /// and 0.2181 at 1000; ratings with λ = 6400 score 0.237 there, see
    /// `scripts/compare_peers.py`), at most 10,000 items ([`Overflow::Refuse`] above), every
    /// weight kept, [`Parallelism::Global`].
    pub fn new() -> Self {
        Self {
            lambda: 500.0,
            input: EaseInput::Binary,
            max_items: 10_000,
            overflow: Overflow::Refuse,
            neighbors: None,
            parallelism: Parallelism::Global,
        }
    }

    /// The ridge penalty `λ` (> 0): larger values shrink the weights of rarely co-occurring
    /// items. Typical values are a few hundred for binary `X`, thousands for ratings.
    pub fn lambda(mut self, lambda: f32) -> Self {
        self.lambda = lambda;
        self
    }

    /// What `X` holds (binary or the values).
    pub fn input(mut self, input: EaseInput) -> Self {
        self.input = input;
        self
    }

    /// The most items the dense inverse may model (≥ 1). Memory grows as `24·n²` bytes and
    /// time as `n³`; measured fits on a loaded 2-core machine: n = 1,000: 1.1 s, 2,000: 5.1 s,
    /// 4,000: 29 s (see the module docs).
    pub fn max_items(mut self, max_items: usize) -> Self {
        self.max_items = max_items;
        self
    }

    /// What to do with more items than [`EaseConfig::max_items`].
    pub fn overflow(mut self, overflow: Overflow) -> Self {
        self.overflow = overflow;
        self
    }

    /// Keep only each item's `k` weights of largest magnitude (`None`, the default: every
    /// weight). A pruned model is smaller to store and ship (e.g. in a recommender artifact)
    /// and scores a little differently.
    pub fn neighbors(mut self, neighbors: Option<usize>) -> Self {
        self.neighbors = neighbors;
        self
    }

    /// Threads for the fit (the Gram matrix and faer's factorisation). The model does not
    /// depend on it beyond floating-point rounding in the factorisation.
    pub fn parallelism(mut self, parallelism: Parallelism) -> Self {
        self.parallelism = parallelism;
        self
    }

    /// The ridge penalty.
    pub fn get_lambda(&self) -> f32 {
        self.lambda
    }

    /// What `X` holds.
    pub fn get_input(&self) -> EaseInput {
        self.input
    }

    /// Checks the hyper-parameters.
    ///
    /// ```
    /// use recsys_core::models::ease::EaseConfig;
    /// assert!(EaseConfig::new().validate().is_ok());
    /// assert!(EaseConfig::new().lambda(0.0).validate().is_err());
    /// assert!(EaseConfig::new().max_items(0).validate().is_err());
    /// assert!(EaseConfig::new().neighbors(Some(0)).validate().is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a `lambda` that is not finite and positive, `max_items`
    /// 0 or `neighbors` `Some(0)`.
    pub fn validate(&self) -> Result<()> {
        if !(self.lambda.is_finite() && self.lambda > 0.0) {
            return Err(Error::invalid(
                "lambda",
                format!("must be finite and > 0, got {}", self.lambda),
            ));
        }
        if self.max_items == 0 {
            return Err(Error::invalid("max_items", "must be at least 1"));
        }
        if self.neighbors == Some(0) {
            return Err(Error::invalid("neighbors", "must be at least 1 when set"));
        }
        Ok(())
    }

    /// Fits `B` on `interactions` (users × items).
    ///
    /// # Errors
    /// Those of [`EaseConfig::validate`]; [`Error::EmptyInput`] for a matrix without items;
    /// [`Error::InvalidParameter`] for more items with interactions than
    /// [`EaseConfig::max_items`] under [`Overflow::Refuse`]; [`Error::FitFailed`] if the
    /// regularised Gram matrix is not positive definite (not possible for `λ > 0` unless
    /// values overflow).
    pub fn fit(&self, interactions: &Interactions) -> Result<EaseModel> {
        self.validate()?;
        par::install(self.parallelism, || self.fit_here(interactions))
    }

    fn fit_here(&self, interactions: &Interactions) -> Result<EaseModel> {
        let n_items = interactions.n_items();
        if n_items == 0 {
            return Err(Error::EmptyInput {
                what: "interaction matrix has no items".into(),
            });
        }
        let x = interactions.map_values(|v| self.input.map(v).unwrap_or(0.0));
        let counts: Vec<u32> = {
            let by_item = x.transpose();
            (0..n_items)
                .map(|i| by_item.row(i).1.iter().filter(|&&v| v != 0.0).count() as u32)
                .collect()
        };
        let items = self.modelled_items(&counts)?;
        let m = items.len();
        let mut position = vec![u32::MAX; n_items];
        for (p, &i) in items.iter().enumerate() {
            position[i as usize] = p as u32;
        }
        let mut gram = gram_matrix(&x, &position, m);
        for p in 0..m {
            gram[p * m + p] += f64::from(self.lambda);
        }
        let inverse = spd_inverse(gram, m)?;
        let mut indptr = Vec::with_capacity(m + 1);
        indptr.push(0usize);
        let (mut targets, mut weights) = (Vec::new(), Vec::new());
        let keep = self.neighbors.unwrap_or(m).min(m);
        let rows = par::map(m, |a| {
            let row = &inverse[a * m..(a + 1) * m];
            // B[a][b] = −P[a][b] / P[b][b]; diag(B) = 0 is left out of the stored rows.
            let weight = |b: usize| (-row[b] / inverse[b * m + b]) as f32;
            if keep + 1 >= m {
                return (0..m)
                    .filter(|&b| b != a)
                    .map(|b| (items[b], weight(b)))
                    .filter(|&(_, w)| w != 0.0)
                    .collect::<Vec<(u32, f32)>>();
            }
            let mut top = TopK::new(keep);
            for (b, &p) in row.iter().enumerate() {
                if b != a && p != 0.0 {
                    let w = (-p / inverse[b * m + b]) as f32;
                    if w != 0.0 {
                        top.push(b as u32, w.abs());
                    }
                }
            }
            let mut kept: Vec<Scored> = top.into_sorted_vec();
            kept.sort_unstable_by_key(|s| s.item);
            kept.iter()
                .map(|s| {
                    let b = s.item as usize;
                    (items[b], (-row[b] / inverse[b * m + b]) as f32)
                })
                .collect::<Vec<(u32, f32)>>()
        });
        for row in rows {
            targets.extend(row.iter().map(|&(t, _)| t));
            weights.extend(row.iter().map(|&(_, w)| w));
            indptr.push(targets.len());
        }
        let model = EaseModel {
            config: self.clone(),
            n_items,
            items,
            indptr,
            targets,
            weights,
        };
        model.validate()?;
        Ok(model)
    }

    /// The items to model: all of them when they fit, else the most popular (or an error).
    fn modelled_items(&self, counts: &[u32]) -> Result<Vec<u32>> {
        let n_items = counts.len();
        if n_items <= self.max_items {
            return Ok((0..n_items as u32).collect());
        }
        match self.overflow {
            Overflow::Refuse => Err(Error::invalid(
                "max_items",
                format!(
                    "EASE inverts a dense items × items matrix: {n_items} items exceed the limit \
                     of {} (memory ~24·n² bytes, time ~n³); raise max_items, or model the most \
                     popular ones with Overflow::MostPopular",
                    self.max_items
                ),
            )),
            Overflow::MostPopular => {
                let mut order: Vec<u32> = (0..n_items as u32).collect();
                order.sort_by_key(|&i| (std::cmp::Reverse(counts[i as usize]), i));
                order.truncate(self.max_items);
                order.sort_unstable();
                Ok(order)
            }
        }
    }
}

/// `XᵀX` over the modelled items (row-major `m × m`, `f64`), one row per item in parallel.
fn gram_matrix(x: &Interactions, position: &[u32], m: usize) -> Vec<f64> {
    let by_item = x.transpose();
    // Dense item index of every modelled position.
    let mut item_of = vec![0usize; m];
    for (i, &p) in position.iter().enumerate() {
        if p != u32::MAX {
            item_of[p as usize] = i;
        }
    }
    let mut gram = vec![0.0f64; m * m];
    par::for_each_chunk(&mut gram, m.max(1), |a, row| {
        let (users, values) = by_item.row(item_of[a]);
        for (&user, &va) in users.iter().zip(values) {
            let (items, other) = x.row(user as usize);
            for (&b, &vb) in items.iter().zip(other) {
                let p = position[b as usize];
                if p != u32::MAX {
                    row[p as usize] += f64::from(va) * f64::from(vb);
                }
            }
        }
    });
    gram
}

/// The inverse of a symmetric positive definite `m × m` matrix (row-major, full), by faer's
/// Cholesky factorisation on the current pool's threads.
fn spd_inverse(mut matrix: Vec<f64>, m: usize) -> Result<Vec<f64>> {
    if m == 0 {
        return Ok(matrix);
    }
    let parallelism = faer_par();
    let mut a = faer::MatMut::from_column_major_slice_mut(&mut matrix, m, m);
    let scratch = faer::linalg::cholesky::llt::factor::cholesky_in_place_scratch::<f64>(
        m,
        parallelism,
        Default::default(),
    )
    .or(faer::linalg::cholesky::llt::inverse::inverse_scratch::<f64>(m, parallelism));
    let mut buffer = MemBuffer::new(scratch);
    let stack = MemStack::new(&mut buffer);
    faer::linalg::cholesky::llt::factor::cholesky_in_place(
        a.as_mut(),
        Default::default(),
        parallelism,
        stack,
        Default::default(),
    )
    .map_err(|err| Error::FitFailed {
        reason: format!("EASE: XᵀX + λI is not positive definite ({err:?})"),
    })?;
    let mut inverse = vec![0.0f64; m * m];
    let out = faer::MatMut::from_column_major_slice_mut(&mut inverse, m, m);
    faer::linalg::cholesky::llt::inverse::inverse(out, a.as_ref(), parallelism, stack);
    drop(matrix);
    // faer writes the lower triangle (column-major); mirror it into the upper one.
    for col in 0..m {
        for row in col + 1..m {
            inverse[row * m + col] = inverse[col * m + row];
        }
    }
    if inverse.iter().any(|v| !v.is_finite()) {
        return Err(Error::FitFailed {
            reason: "EASE: the inverse of XᵀX + λI is not finite".into(),
        });
    }
    Ok(inverse)
}

/// faer's parallelism on the current pool.
fn faer_par() -> faer::Par {
    #[cfg(feature = "parallel")]
    {
        match std::num::NonZeroUsize::new(par::current_threads()) {
            Some(n) if n.get() > 1 => faer::Par::Rayon(n),
            _ => faer::Par::Seq,
        }
    }
    #[cfg(not(feature = "parallel"))]
    {
        faer::Par::Seq
    }
}

/// A fitted EASE model: the weights `B` as sparse rows (row `j`: the items a history item `j`
/// votes for, with its weights; the diagonal is 0 and not stored).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "EaseModelUnchecked")]
pub struct EaseModel {
    config: EaseConfig,
    n_items: usize,
    /// The modelled items, ascending (all items unless the fit hit `max_items`).
    items: Vec<u32>,
    /// Row `r` (of modelled item `items[r]`) is `indptr[r]..indptr[r + 1]`.
    indptr: Vec<usize>,
    /// Target items (dense item indices), ascending within a row.
    #[serde(with = "crate::codec::ids")]
    targets: Vec<u32>,
    #[serde(with = "crate::codec::packed")]
    weights: Vec<f32>,
}

crate::validate::checked_deserialize! {
    EaseModel via EaseModelUnchecked {
        config: EaseConfig,
        n_items: usize,
        items: Vec<u32>,
        indptr: Vec<usize>,
        #[serde(with = "crate::codec::ids")]
        targets: Vec<u32>,
        #[serde(with = "crate::codec::packed")]
        weights: Vec<f32>,
    }
    check EaseModel::validate
}

impl EaseModel {
    /// Keeps at most `max` weights per row, the largest in magnitude (ties to the lower
    /// target), targets staying ascending: a smaller model for a compact artifact.
    pub(crate) fn prune(&mut self, max: usize) {
        let (mut indptr, mut targets, mut weights) = (vec![0], Vec::new(), Vec::new());
        let mut row: Vec<(u32, f32)> = Vec::new();
        for r in 0..self.indptr.len().saturating_sub(1) {
            let range = self.indptr[r]..self.indptr[r + 1];
            row.clear();
            row.extend(
                self.targets[range.clone()]
                    .iter()
                    .copied()
                    .zip(self.weights[range].iter().copied()),
            );
            if row.len() > max {
                row.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
                row.truncate(max);
                row.sort_by_key(|&(target, _)| target);
            }
            targets.extend(row.iter().map(|&(t, _)| t));
            weights.extend(row.iter().map(|&(_, w)| w));
            indptr.push(targets.len());
        }
        self.indptr = indptr;
        self.targets = targets;
        self.weights = weights;
    }

    /// The configuration the model was fitted with (its parallelism is not stored).
    pub fn config(&self) -> &EaseConfig {
        &self.config
    }

    /// The modelled items, ascending (every item unless the fit hit
    /// [`EaseConfig::max_items`] with [`Overflow::MostPopular`]).
    pub fn modelled_items(&self) -> &[u32] {
        &self.items
    }

    /// Whether `item` is modelled (has a row and a column of `B`).
    pub fn is_modelled(&self, item: u32) -> bool {
        self.row_of(item).is_some()
    }

    fn row_of(&self, item: u32) -> Option<usize> {
        if self.items.len() == self.n_items {
            ((item as usize) < self.n_items).then_some(item as usize)
        } else {
            self.items.binary_search(&item).ok()
        }
    }

    /// Each history item's part `x_j·B[j][item]` of `item`'s score (the parts sum to what
    /// [`ItemScorer::score_items`] gives a modelled item), zero parts left out, in history order.
    pub fn contributions(&self, item: u32, history: History<'_>) -> Vec<(u32, f32)> {
        history
            .items
            .iter()
            .zip(history.values)
            .filter_map(|(&j, &v)| {
                let x = self.config.input.map(v)?;
                let w = self.weight(j, item)?;
                (w != 0.0).then_some((j, x * w))
            })
            .collect()
    }

    /// `B[from][to]`: `Some(0.0)` on the diagonal or for a pruned weight, `None` when either
    /// item is not modelled or out of range.
    pub fn weight(&self, from: u32, to: u32) -> Option<f32> {
        let row = self.row_of(from)?;
        self.row_of(to)?;
        let range = self.indptr[row]..self.indptr[row + 1];
        let targets = &self.targets[range.clone()];
        Some(
            targets
                .binary_search(&to)
                .map_or(0.0, |k| self.weights[range.start + k]),
        )
    }

    /// The `n` items `item` votes for most (largest `B[item][·]`), best first.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown item (an unmodelled one has no similar items).
    pub fn similar_items(&self, item: u32, n: usize) -> Result<Vec<Scored>> {
        if item as usize >= self.n_items {
            return Err(Error::IndexOutOfRange {
                what: "item",
                index: item as usize,
                len: self.n_items,
            });
        }
        let Some(row) = self.row_of(item) else {
            return Ok(Vec::new());
        };
        let mut top = TopK::new(n);
        for k in self.indptr[row]..self.indptr[row + 1] {
            top.push(self.targets[k], self.weights[k]);
        }
        Ok(top.into_sorted_vec())
    }

    /// Checks a decoded model: a valid configuration, modelled items ascending and in range, a
    /// well-formed weight CSR whose targets are modelled items, finite weights.
    pub(crate) fn validate(&self) -> Result<()> {
        use crate::validate::corrupt;
        self.config
            .validate()
            .map_err(|err| corrupt(format!("EASE configuration: {err}")))?;
        if self.n_items == 0 {
            return Err(corrupt("EASE model has no items"));
        }
        if self.items.len() > self.n_items
            || self.items.windows(2).any(|w| w[0] >= w[1])
            || self
                .items
                .last()
                .is_some_and(|&i| i as usize >= self.n_items)
        {
            return Err(corrupt(
                "EASE modelled items are not ascending item indices",
            ));
        }
        if self.indptr.len() != self.items.len() + 1 {
            return Err(corrupt(format!(
                "EASE weights have {} rows for {} modelled items",
                self.indptr.len().saturating_sub(1),
                self.items.len()
            )));
        }
        crate::validate::check_csr(
            "EASE weights",
            &self.indptr,
            &self.targets,
            self.weights.len(),
            self.n_items,
            crate::validate::RowOrder::Ascending,
        )?;
        if self.targets.iter().any(|&t| self.row_of(t).is_none()) {
            return Err(corrupt("EASE weights point at an unmodelled item"));
        }
        crate::validate::check_finite("EASE weights", &self.weights)
    }

    /// Number of stored weights.
    pub fn nnz(&self) -> usize {
        self.weights.len()
    }

    /// Top-N lists for every row of `histories` (users × items, e.g. the training matrix), in
    /// parallel with the `parallel` feature; row `r`'s history is excluded from its own list
    /// when `query.exclude_seen`.
    ///
    /// ```
    /// use recsys_core::data::Interactions;
    /// use recsys_core::models::ease::EaseConfig;
    /// use recsys_core::models::TopN;
    /// let m = Interactions::from_triplets(3, 3, &[(0, 0, 1.0), (0, 1, 1.0), (1, 0, 1.0), (2, 2, 1.0)]).unwrap();
    /// let model = EaseConfig::new().lambda(0.5).fit(&m).unwrap();
    /// let lists = model.recommend_many(&m, &TopN::new(1)).unwrap();
    /// assert_eq!(lists[1][0].item, 1);
    /// ```
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `histories` has another number of items; those of
    /// [`recommend`](super::recommend) (exclusions out of range, non-finite values).
    pub fn recommend_many(
        &self,
        histories: &Interactions,
        query: &super::TopN<'_>,
    ) -> Result<Vec<Vec<Scored>>> {
        if histories.n_items() != self.n_items {
            return Err(Error::DimensionMismatch {
                context: "EASE histories: items per row".into(),
                expected: self.n_items,
                got: histories.n_items(),
            });
        }
        par::map(histories.n_users(), |user| {
            let (items, values) = histories.row(user);
            super::recommend(self, None, History::new(items, values), query)
        })
        .into_iter()
        .collect()
    }
}

impl ItemScorer for EaseModel {
    fn n_items(&self) -> usize {
        self.n_items
    }

    /// `x·B` for the history row `x` (mapped like the training matrix, see [`EaseInput`]);
    /// items the model does not cover get `f32::NEG_INFINITY`. `user` is not used: the history
    /// is the whole input.
    fn score_items(
        &self,
        _user: Option<u32>,
        history: History<'_>,
        scores: &mut [f32],
    ) -> Result<()> {
        check_score_len(scores, self.n_items)?;
        let partial = self.items.len() != self.n_items;
        if partial {
            scores.fill(f32::NEG_INFINITY);
            for &i in &self.items {
                scores[i as usize] = 0.0;
            }
        } else {
            scores.fill(0.0);
        }
        for (&item, &value) in history.items.iter().zip(history.values) {
            let (Some(row), Some(x)) = (self.row_of(item), self.config.input.map(value)) else {
                continue;
            };
            let range = self.indptr[row]..self.indptr[row + 1];
            for (&t, &w) in self.targets[range.clone()].iter().zip(&self.weights[range]) {
                scores[t as usize] += x * w;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{recommend, TopN};
    use proptest::prelude::*;

    /// A seeded random user × item matrix with ratings 1–5.
    fn random_matrix(n_users: usize, n_items: usize, per_user: usize, seed: u64) -> Interactions {
        let mut rng = crate::rng::SplitMix64::new(seed);
        let mut triplets = Vec::new();
        for u in 0..n_users {
            let mut items: Vec<u32> = (0..per_user)
                .map(|_| (rng.next_u64() % n_items as u64) as u32)
                .collect();
            items.sort_unstable();
            items.dedup();
            for i in items {
                triplets.push((u as u32, i, 1.0 + (rng.next_u64() % 5) as f32));
            }
        }
        Interactions::from_triplets(n_users, n_items, &triplets).unwrap()
    }

    /// `B` by the textbook route: Gauss–Jordan inverse of `XᵀX + λI` in f64.
    fn naive_b(m: &Interactions, lambda: f64, input: EaseInput) -> Vec<f64> {
        let n = m.n_items();
        let mut g = vec![0.0f64; n * n];
        for u in 0..m.n_users() {
            let (items, values) = m.row(u);
            let xs: Vec<(usize, f64)> = items
                .iter()
                .zip(values)
                .filter_map(|(&i, &v)| input.map(v).map(|x| (i as usize, f64::from(x))))
                .collect();
            for &(a, xa) in &xs {
                for &(b, xb) in &xs {
                    g[a * n + b] += xa * xb;
                }
            }
        }
        for i in 0..n {
            g[i * n + i] += lambda;
        }
        let mut inv = vec![0.0f64; n * n];
        for i in 0..n {
            inv[i * n + i] = 1.0;
        }
        for col in 0..n {
            let pivot = (col..n)
                .max_by(|&a, &b| g[a * n + col].abs().total_cmp(&g[b * n + col].abs()))
                .unwrap();
            for k in 0..n {
                g.swap(col * n + k, pivot * n + k);
                inv.swap(col * n + k, pivot * n + k);
            }
            let d = g[col * n + col];
            for k in 0..n {
                g[col * n + k] /= d;
                inv[col * n + k] /= d;
            }
            for r in 0..n {
                if r != col {
                    let f = g[r * n + col];
                    for k in 0..n {
                        g[r * n + k] -= f * g[col * n + k];
                        inv[r * n + k] -= f * inv[col * n + k];
                    }
                }
            }
        }
        let mut b = vec![0.0f64; n * n];
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    b[i * n + j] = -inv[i * n + j] / inv[j * n + j];
                }
            }
        }
        b
    }

    #[test]
    fn weights_match_a_naive_inverse() {
        for (input, lambda) in [(EaseInput::Binary, 3.0), (EaseInput::Values, 40.0)] {
            let m = random_matrix(40, 25, 8, 11);
            let model = EaseConfig::new()
                .lambda(lambda as f32)
                .input(input)
                .fit(&m)
                .unwrap();
            let expected = naive_b(&m, lambda, input);
            for i in 0..25u32 {
                for j in 0..25u32 {
                    let got = f64::from(model.weight(i, j).unwrap());
                    let want = expected[i as usize * 25 + j as usize];
                    assert!((got - want).abs() < 1e-5, "B[{i}][{j}] {got} vs {want}");
                }
            }
        }
    }

    #[test]
    fn scores_are_the_history_times_b() {
        let m = random_matrix(30, 12, 5, 3);
        let model = EaseConfig::new().lambda(2.0).fit(&m).unwrap();
        let b = naive_b(&m, 2.0, EaseInput::Binary);
        let history = History::new(&[1, 4, 7], &[5.0, -1.0, 2.0]);
        let mut scores = vec![0.0f32; 12];
        model.score_items(None, history, &mut scores).unwrap();
        for (j, &s) in scores.iter().enumerate() {
            // Binary: the negative entry (item 4) is left out.
            let want = b[12 + j] + b[7 * 12 + j];
            assert!((f64::from(s) - want).abs() < 1e-5);
        }
        let recs = recommend(&model, None, history, &TopN::new(3)).unwrap();
        assert!(recs.iter().all(|r| ![1, 4, 7].contains(&r.item)));
        assert!(model.score_items(None, history, &mut [0.0; 3]).is_err());
    }

    #[test]
    fn too_many_items_are_refused_or_restricted_to_the_popular_ones() {
        let m = Interactions::from_triplets(
            3,
            4,
            &[
                (0, 0, 1.0),
                (1, 0, 1.0),
                (2, 0, 1.0),
                (0, 2, 1.0),
                (1, 2, 1.0),
                (2, 3, 1.0),
            ],
        )
        .unwrap();
        let err = EaseConfig::new().max_items(2).fit(&m).unwrap_err();
        assert!(err.to_string().contains("max_items"), "{err}");
        let model = EaseConfig::new()
            .max_items(2)
            .overflow(Overflow::MostPopular)
            .lambda(0.5)
            .fit(&m)
            .unwrap();
        assert_eq!(model.modelled_items(), &[0, 2]);
        let mut scores = vec![0.0f32; 4];
        model
            .score_items(None, History::new(&[0, 3], &[1.0, 1.0]), &mut scores)
            .unwrap();
        assert!(scores[2] > 0.0 && scores[1] == f32::NEG_INFINITY);
        assert_eq!(model.weight(1, 0), None);
        assert!(model.similar_items(9, 1).is_err());
        assert_eq!(model.similar_items(0, 1).unwrap()[0].item, 2);
        assert!(EaseConfig::new()
            .fit(&Interactions::empty(2, 0).unwrap())
            .is_err());
    }

    #[test]
    fn pruning_keeps_the_largest_weights_and_decoding_validates() {
        let m = random_matrix(50, 20, 6, 5);
        let full = EaseConfig::new().lambda(5.0).fit(&m).unwrap();
        let pruned = EaseConfig::new()
            .lambda(5.0)
            .neighbors(Some(3))
            .fit(&m)
            .unwrap();
        assert_eq!(pruned.nnz(), 20 * 3);
        for i in 0..20u32 {
            let mut all: Vec<f32> = (0..20).map(|j| full.weight(i, j).unwrap().abs()).collect();
            all.sort_by(|a, b| b.total_cmp(a));
            let kept: f32 = (0..20).map(|j| pruned.weight(i, j).unwrap().abs()).sum();
            assert!((kept - all[..3].iter().sum::<f32>()).abs() < 1e-5);
        }
        let json = serde_json::to_string(&pruned).unwrap();
        assert_eq!(serde_json::from_str::<EaseModel>(&json).unwrap(), pruned);
        let broken = json.replace("\"n_items\":20", "\"n_items\":2");
        assert!(serde_json::from_str::<EaseModel>(&broken).is_err());
    }

    #[test]
    fn one_thread_and_two_agree() {
        let m = random_matrix(200, 150, 20, 9);
        let config = EaseConfig::new().lambda(20.0);
        let one = config
            .clone()
            .parallelism(Parallelism::Sequential)
            .fit(&m)
            .unwrap();
        let two = config
            .parallelism(Parallelism::Threads(
                std::num::NonZeroUsize::new(2).unwrap(),
            ))
            .fit(&m)
            .unwrap();
        for (a, b) in one.weights.iter().zip(&two.weights) {
            assert!((a - b).abs() <= 1e-6 * a.abs().max(1e-3), "{a} vs {b}");
        }
    }

    proptest! {
        #[test]
        fn diagonal_is_zero_and_scores_ignore_unknown_and_non_positive_entries(
            seed in any::<u64>(),
            lambda in 0.1f32..100.0,
            value in -5.0f32..=0.0,
        ) {
            let m = random_matrix(15, 8, 4, seed);
            let model = EaseConfig::new().lambda(lambda).fit(&m).unwrap();
            for i in 0..8u32 {
                prop_assert_eq!(model.weight(i, i), Some(0.0));
            }
            // A non-positive entry under Binary input changes nothing.
            let (mut a, mut b) = (vec![0.0f32; 8], vec![0.0f32; 8]);
            model.score_items(None, History::new(&[2], &[1.0]), &mut a).unwrap();
            model.score_items(None, History::new(&[2, 5], &[1.0, value]), &mut b).unwrap();
            prop_assert_eq!(&a, &b);
            // The score of an item does not depend on its own history entry (diag(B) = 0).
            prop_assert!(a.iter().all(|s| s.is_finite()));
            prop_assert_eq!(a[2], 0.0);
        }
    }

    /// Fit time at a few catalogue sizes (the figures quoted in [`EaseConfig::max_items`]).
    #[test]
    #[ignore = "timing; run by hand with --ignored --nocapture"]
    fn fit_time() {
        for n in [1000usize, 2000, 4000] {
            let m = random_matrix(20 * n, n, 50, 1);
            let started = std::time::Instant::now();
            let model = EaseConfig::new().lambda(500.0).fit(&m).unwrap();
            println!(
                "n = {n}: fit {:.2} s ({} weights)",
                started.elapsed().as_secs_f64(),
                model.nnz()
            );
        }
    }
}
