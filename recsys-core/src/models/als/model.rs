//! The trained [`AlsModel`]: factors, their cached Gram matrices, serialisation, accessors,
//! partial fits and top-N.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::config::{check_confidences, MAX_FACTORS};
use super::score;
use super::solve::{gram, solve_rows, Problem, SparseRows};
use super::{Side, Solver};
use crate::data::Interactions;
use crate::models::{check_items, select, History, ItemScorer, TopN};
use crate::topk::Scored;
use crate::{Error, Result};

/// A trained implicit ALS model: user and item factors, row-major `f32`.
///
/// Immutable for scoring (`&self`, `Send + Sync`); [`AlsModel::partial_fit_users`] and
/// [`AlsModel::partial_fit_items`] update it in place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AlsModelData", into = "AlsModelData")]
pub struct AlsModel {
    pub(super) k: usize,
    pub(super) regularization: f32,
    pub(super) alpha: f32,
    pub(super) n_users: usize,
    pub(super) n_items: usize,
    pub(super) user_factors: Vec<f32>,
    pub(super) item_factors: Vec<f32>,
    /// `YᵀY + λI` of the item factors, for fold-in.
    pub(super) item_gram: Vec<f32>,
    /// `XᵀX + λI` of the user factors, for item re-solves.
    pub(super) user_gram: Vec<f32>,
}

/// What is serialised: the factors and the hyper-parameters needed to fold in. Grams are
/// recomputed on load, so a file can never carry inconsistent caches.
#[derive(Serialize, Deserialize)]
pub(super) struct AlsModelData {
    pub(super) factors: usize,
    pub(super) regularization: f32,
    pub(super) alpha: f32,
    pub(super) n_users: usize,
    pub(super) n_items: usize,
    #[serde(with = "crate::codec::packed")]
    pub(super) user_factors: Vec<f32>,
    #[serde(with = "crate::codec::packed")]
    pub(super) item_factors: Vec<f32>,
}

impl From<AlsModel> for AlsModelData {
    fn from(m: AlsModel) -> Self {
        Self {
            factors: m.k,
            regularization: m.regularization,
            alpha: m.alpha,
            n_users: m.n_users,
            n_items: m.n_items,
            user_factors: m.user_factors,
            item_factors: m.item_factors,
        }
    }
}

impl TryFrom<AlsModelData> for AlsModel {
    type Error = Error;

    fn try_from(d: AlsModelData) -> Result<Self> {
        let corrupt = |reason: String| Error::CorruptArtifact { reason };
        if d.factors == 0 || d.factors > MAX_FACTORS {
            return Err(corrupt(format!("ALS factor count {}", d.factors)));
        }
        for (what, rows, data) in [
            ("user", d.n_users, &d.user_factors),
            ("item", d.n_items, &d.item_factors),
        ] {
            if rows.checked_mul(d.factors) != Some(data.len()) {
                return Err(corrupt(format!(
                    "ALS {what} factors hold {} values, expected {rows} × {}",
                    data.len(),
                    d.factors
                )));
            }
            if data.iter().any(|v| !v.is_finite()) {
                return Err(corrupt(format!("ALS {what} factors are not all finite")));
            }
        }
        let regularization_ok = d.regularization >= 0.0 && d.regularization.is_finite();
        let alpha_ok = d.alpha > 0.0 && d.alpha.is_finite();
        if !(regularization_ok && alpha_ok) {
            return Err(corrupt("ALS regularization or alpha out of range".into()));
        }
        Ok(AlsModel::assemble(
            d.factors,
            d.regularization,
            d.alpha,
            d.user_factors,
            d.item_factors,
        ))
    }
}

impl AlsModel {
    pub(super) fn assemble(
        k: usize,
        regularization: f32,
        alpha: f32,
        user_factors: Vec<f32>,
        item_factors: Vec<f32>,
    ) -> Self {
        Self {
            k,
            regularization,
            alpha,
            n_users: user_factors.len() / k,
            n_items: item_factors.len() / k,
            item_gram: gram(&item_factors, k, regularization),
            user_gram: gram(&user_factors, k, regularization),
            user_factors,
            item_factors,
        }
    }

    /// The same model without its users: the item factors and the hyper-parameters that
    /// fold-in needs ([`AlsModel::recalculate_user`], or [`AlsModel::recommend`] with `None`),
    /// e.g. for a model shipped to clients that must not learn other users' embeddings.
    /// [`AlsModel::n_users`] is then 0 and every per-user call with `Some(user)` fails with
    /// [`Error::IndexOutOfRange`]; scores from folded-in histories are unchanged.
    ///
    /// ```
    /// # use recsys_core::data::Interactions;
    /// # use recsys_core::models::als::AlsConfig;
    /// use recsys_core::models::History;
    /// # let m = Interactions::from_triplets(3, 3, &[(0, 0, 1.0), (0, 1, 1.0), (1, 1, 1.0), (2, 2, 1.0)]).unwrap();
    /// let model = AlsConfig::new().factors(3).fit(&m).unwrap();
    /// let history = History::new(&[0, 1], &[1.0, 1.0]);
    /// let folded = model.recalculate_user(history).unwrap();
    /// let items_only = model.into_item_side();
    /// assert_eq!(items_only.n_users(), 0);
    /// assert_eq!(items_only.recalculate_user(history).unwrap(), folded);
    /// ```
    pub fn into_item_side(mut self) -> Self {
        self.user_factors = Vec::new();
        self.n_users = 0;
        self.user_gram = gram(&[], self.k, self.regularization);
        self
    }

    /// Number of latent factors `k`.
    pub fn factors(&self) -> usize {
        self.k
    }

    /// Number of users with factors.
    pub fn n_users(&self) -> usize {
        self.n_users
    }

    /// Number of items with factors.
    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// The ridge penalty λ the model was trained with (used again by fold-in).
    pub fn regularization(&self) -> f32 {
        self.regularization
    }

    /// The confidence multiplier the model was trained with (used again by fold-in).
    pub fn alpha(&self) -> f32 {
        self.alpha
    }

    /// User factors, `n_users × k`, a view of one contiguous row-major buffer (zero-copy to
    /// numpy).
    pub fn user_factors(&self) -> ArrayView2<'_, f32> {
        matrix_view(&self.user_factors, self.n_users, self.k)
    }

    /// Item factors, `n_items × k`, a view of one contiguous row-major buffer.
    pub fn item_factors(&self) -> ArrayView2<'_, f32> {
        matrix_view(&self.item_factors, self.n_items, self.k)
    }

    /// The item factors as one row-major slice (`n_items × k`).
    pub(crate) fn item_factor_rows(&self) -> &[f32] {
        &self.item_factors
    }

    /// One user's factors.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown user.
    pub fn user_vector(&self, user: u32) -> Result<&[f32]> {
        row_of(&self.user_factors, self.k, user, "user")
    }

    /// One item's factors.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown item.
    pub fn item_vector(&self, item: u32) -> Result<&[f32]> {
        row_of(&self.item_factors, self.k, item, "item")
    }

    /// Re-solves the factors of `users` exactly against the current item factors, from their
    /// rows in `rows` (row `r` ↔ `users[r]`, items as columns), like `implicit`'s
    /// `partial_fit_users`. Users past the end are added (users in between get zero factors).
    ///
    /// ```
    /// # use recsys_core::data::Interactions;
    /// # use recsys_core::models::als::AlsConfig;
    /// # let m = Interactions::from_triplets(2, 3, &[(0, 0, 1.0), (1, 1, 1.0), (1, 2, 1.0)]).unwrap();
    /// let mut model = AlsConfig::new().factors(2).fit(&m).unwrap();
    /// let newcomer = Interactions::from_triplets(1, 3, &[(0, 2, 3.0)]).unwrap();
    /// model.partial_fit_users(&[2], &newcomer).unwrap();
    /// assert_eq!(model.n_users(), 3);
    /// ```
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if `rows` has not one row per user or more columns than the
    /// model has items; [`Error::NonFinite`], [`Error::FitFailed`] as for
    /// [`AlsModel::recalculate_user`]; [`Error::InvalidParameter`] if the factor matrix cannot
    /// grow that far, or if indices past the end would leave more than
    /// [`MAX_UNBACKED_LEN`](crate::data::MAX_UNBACKED_LEN) unfitted rows between the model's
    /// end and them.
    pub fn partial_fit_users(&mut self, users: &[u32], rows: &Interactions) -> Result<()> {
        let solved = re_solve(
            users,
            rows,
            self.n_items,
            &self.item_factors,
            &self.item_gram,
            self,
            "users",
        )?;
        self.n_users = scatter(&mut self.user_factors, self.n_users, self.k, users, &solved)?;
        self.user_gram = gram(&self.user_factors, self.k, self.regularization);
        Ok(())
    }

    /// Re-solves the factors of `items` exactly against the current user factors, from their
    /// rows in `rows` (row `r` ↔ `items[r]`, users as columns). Items past the end are added.
    ///
    /// # Errors
    /// As [`AlsModel::partial_fit_users`], with users and items swapped.
    pub fn partial_fit_items(&mut self, items: &[u32], rows: &Interactions) -> Result<()> {
        let solved = re_solve(
            items,
            rows,
            self.n_users,
            &self.user_factors,
            &self.user_gram,
            self,
            "items",
        )?;
        self.n_items = scatter(&mut self.item_factors, self.n_items, self.k, items, &solved)?;
        self.item_gram = gram(&self.item_factors, self.k, self.regularization);
        Ok(())
    }

    /// Items most similar to `item` by cosine of their factors, best first; `item` itself
    /// comes first (as in `implicit`). `candidates`, if given, restricts the result.
    ///
    /// ```
    /// # use recsys_core::data::Interactions;
    /// # use recsys_core::models::als::AlsConfig;
    /// # let m = Interactions::from_triplets(3, 3, &[(0, 0, 1.0), (0, 1, 1.0), (1, 1, 1.0), (2, 2, 1.0)]).unwrap();
    /// let model = AlsConfig::new().factors(3).fit(&m).unwrap();
    /// let similar = model.similar_items(1, 2, None).unwrap();
    /// assert_eq!(similar[0].item, 1);
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for `item` or a candidate outside the model.
    pub fn similar_items(
        &self,
        item: u32,
        n: usize,
        candidates: Option<&[u32]>,
    ) -> Result<Vec<Scored>> {
        let query = TopN {
            candidates,
            ..TopN::new(n)
        };
        self.similar(Side::Items, item, &query)
    }

    /// Users most similar to `user` by cosine of their factors, best first, `user` included.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown user.
    pub fn similar_users(&self, user: u32, n: usize) -> Result<Vec<Scored>> {
        self.similar(Side::Users, user, &TopN::new(n))
    }

    /// The filtered top-N for one user.
    ///
    /// With `Some(user)` the factors cached at training time are used (fast path); with `None`
    /// the history is folded in first ([`AlsModel::recalculate_user`]): pass `None` to take a
    /// changed history into account. `history` also serves `query.exclude_seen`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown user or an item outside the model, and the
    /// errors of [`AlsModel::recalculate_user`].
    pub fn recommend(
        &self,
        user: Option<u32>,
        history: History<'_>,
        query: &TopN<'_>,
    ) -> Result<Vec<Scored>> {
        self.check_history(history)?;
        check_items(query.exclude, self.n_items, "exclude")?;
        if let Some(candidates) = query.candidates {
            check_items(candidates, self.n_items, "candidate")?;
        }
        let mut scores = vec![0.0f32; self.n_items];
        self.score_items(user, history, &mut scores)?;
        Ok(select(&scores, history, query))
    }

    /// Top-`n` for many known users at once, with cached factors, fusing scoring and
    /// selection (no users × items score matrix is built). Row `r` of `user_items` is the
    /// history of `users[r]` (as `implicit`'s `recommend(userids, user_items[userids])`); with
    /// `exclude_seen` its items are left out.
    ///
    /// ```
    /// # use recsys_core::data::Interactions;
    /// # use recsys_core::models::als::AlsConfig;
    /// # let m = Interactions::from_triplets(3, 3, &[(0, 0, 1.0), (0, 1, 1.0), (1, 1, 1.0), (2, 2, 1.0)]).unwrap();
    /// let model = AlsConfig::new().factors(3).fit(&m).unwrap();
    /// let all = model.recommend_batch(&[0, 1, 2], &m, 2, true).unwrap();
    /// assert_eq!(all.len(), 3);
    /// assert!(all[0].iter().all(|s| s.item == 2)); // items 0 and 1 were seen
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown user or an item outside the model,
    /// [`Error::DimensionMismatch`] if `user_items` has not one row per user.
    pub fn recommend_batch(
        &self,
        users: &[u32],
        user_items: &Interactions,
        n: usize,
        exclude_seen: bool,
    ) -> Result<Vec<Vec<Scored>>> {
        if user_items.n_users() != users.len() {
            return Err(Error::DimensionMismatch {
                context: "recommend_batch: rows of user_items (one per user)".into(),
                expected: users.len(),
                got: user_items.n_users(),
            });
        }
        check_items(users, self.n_users, "user")?;
        if exclude_seen {
            check_items(user_items.indices(), self.n_items, "history")?;
        }
        let order = score::NormOrder::new(&self.item_factors, self.k);
        let batch = score::Batch {
            order: &order,
            k: self.k,
            n,
            exclude: exclude_seen.then(|| SparseRows::of(user_items)),
        };
        let k = self.k;
        let vector = |r: usize| {
            let u = users[r] as usize;
            &self.user_factors[u * k..(u + 1) * k]
        };
        Ok(score::batch_top_n(&batch, users.len(), &vector))
    }
}

impl ItemScorer for AlsModel {
    fn n_items(&self) -> usize {
        self.n_items
    }

    /// `Some(user)`: cached factors; `None`: fold-in of `history`. Scores are `x_uᵀ y_i`.
    fn score_items(
        &self,
        user: Option<u32>,
        history: History<'_>,
        scores: &mut [f32],
    ) -> Result<()> {
        if scores.len() != self.n_items {
            return Err(Error::DimensionMismatch {
                context: "score buffer (one per item)".into(),
                expected: self.n_items,
                got: scores.len(),
            });
        }
        match user {
            Some(user) => {
                score::score_all(&self.item_factors, self.k, self.user_vector(user)?, scores)
            }
            None => {
                let x = self.recalculate_user(history)?;
                score::score_all(&self.item_factors, self.k, &x, scores);
            }
        }
        Ok(())
    }
}

fn matrix_view(data: &[f32], rows: usize, k: usize) -> ArrayView2<'_, f32> {
    match ArrayView2::from_shape((rows, k), data) {
        Ok(view) => view,
        // Not reachable: every constructor keeps `data.len() == rows · k`.
        Err(_) => ArrayView2::from(&[] as &[[f32; 0]]),
    }
}

pub(super) fn row_of<'a>(
    factors: &'a [f32],
    k: usize,
    index: u32,
    what: &'static str,
) -> Result<&'a [f32]> {
    let len = factors.len() / k;
    if index as usize >= len {
        return Err(Error::IndexOutOfRange {
            what,
            index: index as usize,
            len,
        });
    }
    Ok(&factors[index as usize * k..(index as usize + 1) * k])
}

/// Exact solves of `rows` (row `r` for target `targets[r]`) against `fixed`.
fn re_solve(
    targets: &[u32],
    rows: &Interactions,
    n_fixed: usize,
    fixed: &[f32],
    fixed_gram: &[f32],
    model: &AlsModel,
    what: &'static str,
) -> Result<Vec<f32>> {
    if rows.n_users() != targets.len() {
        return Err(Error::DimensionMismatch {
            context: format!("partial fit of {what}: rows (one per index)"),
            expected: targets.len(),
            got: rows.n_users(),
        });
    }
    if rows.n_items() > n_fixed {
        return Err(Error::DimensionMismatch {
            context: format!("partial fit of {what}: columns of the rows"),
            expected: n_fixed,
            got: rows.n_items(),
        });
    }
    check_confidences(rows.data(), model.alpha, "partial fit rows")?;
    let mut solved = vec![0.0f32; targets.len() * model.k];
    solve_rows(
        &Problem {
            rows: SparseRows::of(rows),
            fixed,
            gram: fixed_gram,
            k: model.k,
            alpha: model.alpha,
            solver: Solver::Cholesky,
            by_fixed: None,
        },
        &mut solved,
    )?;
    Ok(solved)
}

/// Writes `solved` rows to `factors` at `targets`, growing it; returns the new row count.
fn scatter(
    factors: &mut Vec<f32>,
    rows: usize,
    k: usize,
    targets: &[u32],
    solved: &[f32],
) -> Result<usize> {
    let new_rows = targets
        .iter()
        .map(|&t| t as usize + 1)
        .max()
        .unwrap_or(0)
        .max(rows);
    if new_rows > rows {
        // Rows between the old end and the new indices get zero factors without being solved:
        // bound that padding, so an absurd index is an error rather than a huge allocation.
        let padding = (new_rows - rows).saturating_sub(targets.len());
        if padding > crate::data::MAX_UNBACKED_LEN {
            return Err(Error::invalid(
                "indices",
                format!(
                    "index {} leaves {padding} rows unfitted past the {rows} rows of the model",
                    new_rows - 1
                ),
            ));
        }
        let extra = (new_rows - rows) * k;
        factors.try_reserve_exact(extra).map_err(|_| {
            Error::invalid(
                "indices",
                format!("cannot grow the factor matrix to {new_rows} rows"),
            )
        })?;
        factors.resize(new_rows * k, 0.0);
    }
    for (&t, row) in targets.iter().zip(solved.chunks_exact(k)) {
        factors[t as usize * k..(t as usize + 1) * k].copy_from_slice(row);
    }
    Ok(new_rows)
}
