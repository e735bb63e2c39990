//! Further ALS queries, the ones the `implicit` library's API offers beyond a plain top-N:
//! models built from given factors, item fold-in, score explanations, cosine similarity to any
//! factor vector with filters, and top-N for many users with filters or fold-in.
//!
//! ```
//! use recsys_core::data::Interactions;
//! use recsys_core::models::als::{AlsConfig, Side};
//! use recsys_core::models::{History, TopN};
//!
//! let m = Interactions::from_triplets(3, 3, &[(0, 0, 1.0), (0, 1, 2.0), (1, 1, 1.0), (2, 2, 1.0)])
//!     .unwrap();
//! let model = AlsConfig::new().factors(3).fit(&m).unwrap();
//! // Why would user 0 like item 2? Every positive history item contributes to the score.
//! let (items, values) = m.row(0);
//! let why = model.explain(History::new(items, values), 2, 10, None).unwrap();
//! assert_eq!(why.contributions.len(), 2);
//! // Items similar to item 1, leaving item 0 out.
//! let query = TopN { exclude: &[0], ..TopN::new(3) };
//! let similar = model.similar(Side::Items, 1, &query).unwrap();
//! assert_eq!(similar[0].item, 1);
//! assert!(similar.iter().all(|s| s.item != 0));
//! ```

use ndarray::ArrayView2;

use super::score::{self, NormOrder};
use super::solve::{solve_rows, Problem, SparseRows};
use super::{check_confidences, row_of, AlsModel, Solver, MAX_FACTORS};
use crate::data::Interactions;
use crate::models::{check_items, select, History, TopN};
use crate::par;
use crate::topk::Scored;
use crate::{Error, Result};

/// Which factor matrix a similarity query searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The user factors.
    Users,
    /// The item factors.
    Items,
}

impl AlsModel {
    /// A model from given factor matrices (`n_users × k` and `n_items × k`, any memory
    /// layout), e.g. factors edited by hand or trained elsewhere.
    ///
    /// ```
    /// use ndarray::array;
    /// use recsys_core::models::als::AlsModel;
    /// let users = array![[1.0f32, 0.0], [0.0, 1.0]];
    /// let items = array![[2.0f32, 0.0], [0.0, 3.0], [1.0, 1.0]];
    /// let model = AlsModel::from_factors(0.01, 1.0, users.view(), items.view()).unwrap();
    /// assert_eq!((model.n_users(), model.n_items(), model.factors()), (2, 3, 2));
    /// ```
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if the column counts differ; [`Error::InvalidParameter`]
    /// for a factor count outside `1..=4096`, a negative regularization or a non-positive
    /// alpha; [`Error::NonFinite`] for NaN or infinite factors, or factors so large that
    /// their Gram matrix overflows `f32`.
    pub fn from_factors(
        regularization: f32,
        alpha: f32,
        user_factors: ArrayView2<'_, f32>,
        item_factors: ArrayView2<'_, f32>,
    ) -> Result<Self> {
        let k = item_factors.ncols();
        if user_factors.ncols() != k {
            return Err(Error::DimensionMismatch {
                context: "factor columns (user factors vs item factors)".into(),
                expected: k,
                got: user_factors.ncols(),
            });
        }
        if k == 0 || k > MAX_FACTORS {
            return Err(Error::invalid(
                "factors",
                format!("must be in 1..={MAX_FACTORS}, got {k}"),
            ));
        }
        if !(regularization >= 0.0 && regularization.is_finite()) {
            return Err(Error::invalid(
                "regularization",
                format!("must be finite and >= 0, got {regularization}"),
            ));
        }
        if !(alpha > 0.0 && alpha.is_finite()) {
            return Err(Error::invalid(
                "alpha",
                format!("must be finite and > 0, got {alpha}"),
            ));
        }
        let mut owned = [Vec::new(), Vec::new()];
        for (out, (what, view)) in owned.iter_mut().zip([
            ("user factors", user_factors),
            ("item factors", item_factors),
        ]) {
            if let Some(&bad) = view.iter().find(|v| !v.is_finite()) {
                return Err(Error::NonFinite {
                    context: what.into(),
                    value: f64::from(bad),
                });
            }
            // Logical (row-major) order whatever the input's strides.
            *out = view.iter().copied().collect();
        }
        let [users, items] = owned;
        let model = AlsModel::assemble(k, regularization, alpha, users, items);
        // Finite factors can still be too large for float32 products (1e30): their Gram matrix
        // overflows, and every fold-in, cosine and loss would then be NaN or infinite.
        for (what, gram) in [
            (
                "user factors (their Gram matrix overflows float32)",
                &model.user_gram,
            ),
            (
                "item factors (their Gram matrix overflows float32)",
                &model.item_gram,
            ),
        ] {
            if let Some(&bad) = gram.iter().find(|v| !v.is_finite()) {
                return Err(Error::NonFinite {
                    context: what.into(),
                    value: f64::from(bad),
                });
            }
        }
        Ok(model)
    }

    /// Rows of `side` most similar to `vector` by cosine, best first, filtered by `query`
    /// (`exclude` and `candidates`; `exclude_seen` has no history to act on). Rows with zero
    /// factors score 0.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] unless `vector` has `k` values; [`Error::NonFinite`] for a
    /// bad value; [`Error::IndexOutOfRange`] for an excluded or candidate row outside the model.
    pub fn similar_to_vector(
        &self,
        side: Side,
        vector: &[f32],
        query: &TopN<'_>,
    ) -> Result<Vec<Scored>> {
        if vector.len() != self.k {
            return Err(Error::DimensionMismatch {
                context: "similarity query vector (one value per factor)".into(),
                expected: self.k,
                got: vector.len(),
            });
        }
        check_confidences(vector, 1.0, "similarity query vector")?;
        let (factors, what) = self.side(side);
        let rows = factors.len() / self.k;
        check_items(query.exclude, rows, what)?;
        if let Some(candidates) = query.candidates {
            check_items(candidates, rows, what)?;
        }
        let scores = score::cosine_all(factors, self.k, vector);
        Ok(select(&scores, History::default(), query))
    }

    /// Rows of `side` most similar to row `index` by cosine (the row itself first), filtered
    /// by `query`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for `index` outside the model; as
    /// [`AlsModel::similar_to_vector`].
    pub fn similar(&self, side: Side, index: u32, query: &TopN<'_>) -> Result<Vec<Scored>> {
        let (factors, what) = self.side(side);
        let vector = row_of(factors, self.k, index, what)?;
        self.similar_to_vector(side, vector, query)
    }

    /// Filtered top-N for many users at once: row `r` of `user_items` is the history of
    /// `users[r]`. With `recalculate` every history is folded in
    /// ([`AlsModel::recalculate_user`]) and `users` only fixes the row count; otherwise the
    /// cached factors are used. Without `exclude` and `candidates` this runs the fused batch
    /// scorer of [`AlsModel::recommend_batch`]; otherwise one filtered top-N per user (in
    /// parallel with the `parallel` feature).
    ///
    /// ```
    /// # use recsys_core::data::Interactions;
    /// # use recsys_core::models::als::AlsConfig;
    /// use recsys_core::models::TopN;
    /// # let m = Interactions::from_triplets(3, 4, &[(0, 0, 1.0), (0, 1, 1.0), (1, 1, 1.0), (2, 2, 1.0)]).unwrap();
    /// let model = AlsConfig::new().factors(3).fit(&m).unwrap();
    /// let query = TopN { exclude: &[3], ..TopN::new(2) };
    /// let lists = model.recommend_many(&[0, 1, 2], &m, &query, true).unwrap();
    /// assert!(lists.iter().flatten().all(|s| s.item != 3));
    /// ```
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if `user_items` has not one row per user;
    /// [`Error::IndexOutOfRange`] for an unknown user (without `recalculate`) or an item
    /// outside the model; the errors of [`AlsModel::recalculate_user`].
    pub fn recommend_many(
        &self,
        users: &[u32],
        user_items: &Interactions,
        query: &TopN<'_>,
        recalculate: bool,
    ) -> Result<Vec<Vec<Scored>>> {
        if user_items.n_users() != users.len() {
            return Err(Error::DimensionMismatch {
                context: "recommend_many: rows of user_items (one per user)".into(),
                expected: users.len(),
                got: user_items.n_users(),
            });
        }
        if !recalculate {
            check_items(users, self.n_users, "user")?;
        }
        check_items(user_items.indices(), self.n_items, "history")?;
        check_items(query.exclude, self.n_items, "exclude")?;
        if let Some(candidates) = query.candidates {
            check_items(candidates, self.n_items, "candidate")?;
        }
        let folded = if recalculate {
            check_confidences(user_items.data(), self.alpha, "history")?;
            let mut x = vec![0.0f32; users.len() * self.k];
            let rows = SparseRows::of(user_items);
            solve_rows(&self.exact_problem(Side::Items, rows), &mut x)?;
            Some(x)
        } else {
            None
        };
        let k = self.k;
        let vector = |r: usize| match &folded {
            Some(x) => &x[r * k..(r + 1) * k],
            None => {
                let u = users[r] as usize;
                &self.user_factors[u * k..(u + 1) * k]
            }
        };
        if query.exclude.is_empty() && query.candidates.is_none() {
            let order = NormOrder::new(&self.item_factors, k);
            let batch = score::Batch {
                order: &order,
                k,
                n: query.n,
                exclude: query.exclude_seen.then(|| SparseRows::of(user_items)),
            };
            return Ok(score::batch_top_n(&batch, users.len(), &vector));
        }
        let one = |r: usize| -> Vec<Scored> {
            let (items, values) = user_items.row(r);
            let mut scores = vec![0.0f32; self.n_items];
            score::score_all(&self.item_factors, k, vector(r), &mut scores);
            select(&scores, History::new(items, values), query)
        };
        Ok(par::map(users.len(), one))
    }

    /// The training objective on `matrix` (users × items, signed confidences), normalised
    /// as `implicit`'s `calculate_loss` does:
    /// `(Σ_{u,i} c_ui (p_ui − x_uᵀy_i)² + λ(Σ|x_u|² + Σ|y_i|²)) / Σ_{u,i} c_ui`, where absent
    /// pairs have `c = 1, p = 0`.
    ///
    /// ```
    /// # use recsys_core::data::Interactions;
    /// # use recsys_core::models::als::AlsConfig;
    /// # let m = Interactions::from_triplets(3, 3, &[(0, 0, 1.0), (0, 1, 2.0), (1, 1, 1.0), (2, 2, 1.0)]).unwrap();
    /// let short = AlsConfig::new().factors(2).iterations(1).fit(&m).unwrap();
    /// let long = AlsConfig::new().factors(2).iterations(10).fit(&m).unwrap();
    /// assert!(long.loss(&m).unwrap() <= short.loss(&m).unwrap());
    /// ```
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] unless `matrix` has the model's shape;
    /// [`Error::NonFinite`] for a value whose confidence is not finite.
    pub fn loss(&self, matrix: &Interactions) -> Result<f64> {
        for (what, expected, got) in [
            ("loss: matrix rows (users)", self.n_users, matrix.n_users()),
            (
                "loss: matrix columns (items)",
                self.n_items,
                matrix.n_items(),
            ),
        ] {
            if expected != got {
                return Err(Error::DimensionMismatch {
                    context: what.into(),
                    expected,
                    got,
                });
            }
        }
        check_confidences(matrix.data(), self.alpha, "interaction matrix")?;
        let k = self.k;
        let alpha = f64::from(self.alpha);
        // Per user: (data term, confidence sum); x_uᵀ(YᵀY + λI)x_u covers the user's ridge.
        let user_term = |u: usize| -> (f64, f64) {
            let x = &self.user_factors[u * k..(u + 1) * k];
            let mut term = 0.0f64;
            for (a, &xa) in x.iter().enumerate() {
                let row = &self.item_gram[a * k..(a + 1) * k];
                let g: f64 = row
                    .iter()
                    .zip(x)
                    .map(|(&g, &xb)| f64::from(g) * f64::from(xb))
                    .sum();
                term += f64::from(xa) * g;
            }
            let mut confidence_sum = 0.0f64;
            let (items, values) = matrix.row(u);
            for (&i, &v) in items.iter().zip(values) {
                let y = &self.item_factors[i as usize * k..(i as usize + 1) * k];
                let s: f64 = x
                    .iter()
                    .zip(y)
                    .map(|(&a, &b)| f64::from(a) * f64::from(b))
                    .sum();
                let c = alpha * f64::from(v.abs());
                term += (c - 1.0) * s * s;
                if v > 0.0 {
                    term += c - 2.0 * c * s;
                }
                confidence_sum += c;
            }
            (term, confidence_sum)
        };
        let add = |a: (f64, f64), b: (f64, f64)| (a.0 + b.0, a.1 + b.1);
        // Summed in user order, so the loss does not depend on the thread count either.
        let (data_term, confidence_sum) = par::map(self.n_users, user_term)
            .into_iter()
            .fold((0.0, 0.0), add);
        let item_norms: f64 = self
            .item_factors
            .iter()
            .map(|&v| f64::from(v) * f64::from(v))
            .sum();
        let absent = (self.n_users * self.n_items - matrix.nnz()) as f64;
        let objective = data_term + f64::from(self.regularization) * item_norms;
        let weight = confidence_sum + absent;
        // Without users or items there is no entry to average over (0/0 was NaN).
        Ok(if weight > 0.0 {
            objective / weight
        } else {
            objective
        })
    }

    /// The factor matrix of `side` and the name of its indices.
    pub(super) fn side(&self, side: Side) -> (&[f32], &'static str) {
        match side {
            Side::Users => (&self.user_factors, "user"),
            Side::Items => (&self.item_factors, "item"),
        }
    }

    /// An exact solve of `rows` whose columns index `columns` (the fixed side).
    fn exact_problem<'a>(&'a self, columns: Side, rows: SparseRows<'a>) -> Problem<'a> {
        let (fixed, gram) = match columns {
            Side::Users => (&self.user_factors[..], &self.user_gram[..]),
            Side::Items => (&self.item_factors[..], &self.item_gram[..]),
        };
        Problem {
            rows,
            fixed,
            gram,
            k: self.k,
            alpha: self.alpha,
            solver: Solver::Cholesky,
            by_fixed: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::als::{AlsConfig, UserWeights};

    #[test]
    fn loss_of_an_empty_model_is_finite() {
        let none = ndarray::Array2::<f32>::zeros((0, 2));
        let model = AlsModel::from_factors(0.1, 1.0, none.view(), none.view()).unwrap();
        let empty = Interactions::from_triplets(0, 0, &[]).unwrap();
        assert_eq!(model.loss(&empty).unwrap(), 0.0);
        let items = ndarray::Array2::<f32>::ones((3, 2));
        let no_users = AlsModel::from_factors(0.1, 1.0, none.view(), items.view()).unwrap();
        let loss = no_users
            .loss(&Interactions::from_triplets(0, 3, &[]).unwrap())
            .unwrap();
        assert!(loss.is_finite() && loss > 0.0);
    }

    #[test]
    fn from_factors_refuses_factors_whose_gram_overflows() {
        let users = ndarray::Array2::<f32>::ones((3, 2));
        let huge = ndarray::Array2::<f32>::from_elem((4, 2), 1e30);
        // Finite, but x·x overflows f32: fold-ins, cosines and the loss used to come out
        // NaN or infinite (similar_items returned nothing).
        assert!(matches!(
            AlsModel::from_factors(0.1, 1.0, users.view(), huge.view()),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            AlsModel::from_factors(0.1, 1.0, huge.view(), users.view()),
            Err(Error::NonFinite { .. })
        ));
        let large = ndarray::Array2::<f32>::from_elem((4, 2), 1e15);
        assert!(AlsModel::from_factors(0.1, 1.0, users.view(), large.view()).is_ok());
    }

    fn fitted() -> (AlsModel, Interactions) {
        let mut triplets = Vec::new();
        for u in 0..12u32 {
            for i in 0..8u32 {
                if (u * 7 + i * 3) % 5 < 2 {
                    let value = if (u + i) % 9 == 0 {
                        -2.0
                    } else {
                        1.0 + (i % 3) as f32
                    };
                    triplets.push((u, i, value));
                }
            }
        }
        let m = Interactions::from_triplets(12, 8, &triplets).unwrap();
        let model = AlsConfig::new()
            .factors(4)
            .regularization(0.1)
            .alpha(2.0)
            .iterations(8)
            .seed(3)
            .fit(&m)
            .unwrap();
        (model, m)
    }

    #[test]
    fn explanation_sums_to_the_fold_in_score() {
        let (model, m) = fitted();
        for u in 0..12 {
            let (items, values) = m.row(u);
            let history = History::new(items, values);
            let x = model.recalculate_user(history).unwrap();
            for i in 0..8u32 {
                let why = model.explain(history, i, 100, None).unwrap();
                let y = model.item_vector(i).unwrap();
                let direct: f64 = x.iter().zip(y).map(|(a, b)| f64::from(a * b)).sum();
                assert!(
                    (why.score - direct).abs() < 1e-3,
                    "{} vs {direct}",
                    why.score
                );
                let total: f64 = why.contributions.iter().map(|c| c.1).sum();
                assert!((total - why.score).abs() < 1e-9);
                assert!(why.contributions.windows(2).all(|w| w[0].1 >= w[1].1));
            }
        }
    }

    #[test]
    fn explain_rejects_bad_weights() {
        let (model, m) = fitted();
        let (items, values) = m.row(0);
        let history = History::new(items, values);
        let small = UserWeights::from_matrix(2, vec![1.0, 0.0, 0.0, 1.0]).unwrap();
        assert!(matches!(
            model.explain(history, 0, 3, Some(&small)),
            Err(Error::DimensionMismatch { .. })
        ));
        let zero = UserWeights::from_matrix(4, vec![0.0; 16]).unwrap();
        assert!(matches!(
            model.explain(history, 0, 3, Some(&zero)),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(UserWeights::from_matrix(2, vec![f64::NAN; 4]).is_err());
        assert!(UserWeights::from_matrix(2, vec![1.0; 3]).is_err());
        assert!(model.explain(history, 8, 3, None).is_err());
    }

    #[test]
    fn item_fold_in_matches_partial_fit() {
        let (model, m) = fitted();
        let by_item = m.transpose();
        let (users, values) = by_item.row(3);
        let y = model.recalculate_item(History::new(users, values)).unwrap();
        let mut updated = model.clone();
        let row = Interactions::from_triplets(
            1,
            12,
            &users
                .iter()
                .zip(values)
                .map(|(&u, &v)| (0, u, v))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        updated.partial_fit_items(&[3], &row).unwrap();
        assert_eq!(updated.item_vector(3).unwrap(), &y[..]);
        assert!(model.recalculate_item(History::new(&[12], &[1.0])).is_err());
    }

    #[test]
    fn similarity_filters_and_self_first() {
        let (model, _) = fitted();
        let all = model.similar(Side::Items, 2, &TopN::new(8)).unwrap();
        assert_eq!(all[0].item, 2);
        assert!((all[0].score - 1.0).abs() < 1e-5);
        let query = TopN {
            exclude: &[2],
            candidates: Some(&[1, 2, 5]),
            ..TopN::new(8)
        };
        let filtered = model.similar(Side::Items, 2, &query).unwrap();
        let ids: Vec<u32> = filtered.iter().map(|s| s.item).collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.iter().all(|i| [1, 5].contains(i)));
        let users = model.similar(Side::Users, 4, &TopN::new(3)).unwrap();
        // Users 4 and 9 have identical histories, so identical factors up to rounding: either
        // may come first, both with cosine 1.
        assert!(users[..2].iter().any(|s| s.item == 4));
        assert!(users[..2].iter().all(|s| [4, 9].contains(&s.item)));
        assert!((users[0].score - 1.0).abs() < 1e-5);
        assert!(model.similar(Side::Users, 12, &TopN::new(3)).is_err());
        assert!(model
            .similar_to_vector(Side::Items, &[1.0, f32::NAN, 0.0, 0.0], &TopN::new(3))
            .is_err());
        assert!(model
            .similar_to_vector(Side::Items, &[1.0], &TopN::new(3))
            .is_err());
    }

    #[test]
    fn many_users_agree_with_single_calls() {
        let (model, m) = fitted();
        let users: Vec<u32> = (0..12).collect();
        for recalculate in [false, true] {
            for exclude in [&[][..], &[1, 6][..]] {
                let query = TopN {
                    exclude,
                    ..TopN::new(3)
                };
                let lists = model
                    .recommend_many(&users, &m, &query, recalculate)
                    .unwrap();
                for (u, list) in lists.iter().enumerate() {
                    let (items, values) = m.row(u);
                    let known = (!recalculate).then_some(u as u32);
                    let single = model
                        .recommend(known, History::new(items, values), &query)
                        .unwrap();
                    let a: Vec<u32> = list.iter().map(|s| s.item).collect();
                    let b: Vec<u32> = single.iter().map(|s| s.item).collect();
                    assert_eq!(a, b, "user {u} recalculate {recalculate}");
                }
            }
        }
        assert!(model
            .recommend_many(&[0], &m, &TopN::new(3), false)
            .is_err());
        let one_row = Interactions::from_triplets(1, 8, &[(0, 1, 1.0)]).unwrap();
        assert!(model
            .recommend_many(&[12], &one_row, &TopN::new(3), false)
            .is_err());
        assert!(model
            .recommend_many(&[12], &one_row, &TopN::new(3), true)
            .is_ok());
    }

    #[test]
    fn loss_matches_the_objective_by_brute_force() {
        let (model, m) = fitted();
        let (k, lambda, alpha) = (4, 0.1f64, 2.0f64);
        let (mut total, mut weight) = (0.0f64, 0.0f64);
        for u in 0..12 {
            let x = model.user_vector(u).unwrap();
            for i in 0..8u32 {
                let y = model.item_vector(i).unwrap();
                let s: f64 = (0..k).map(|d| f64::from(x[d]) * f64::from(y[d])).sum();
                let (items, values) = m.row(u as usize);
                let (c, p) = match items.iter().position(|&j| j == i) {
                    Some(at) => (
                        alpha * f64::from(values[at].abs()),
                        f64::from(u8::from(values[at] > 0.0)),
                    ),
                    None => (1.0, 0.0),
                };
                total += c * (p - s) * (p - s);
                weight += c;
            }
        }
        let norms: f64 = model
            .user_factors()
            .iter()
            .chain(model.item_factors().iter())
            .map(|&v| f64::from(v) * f64::from(v))
            .sum();
        let expected = (total + lambda * norms) / weight;
        let loss = model.loss(&m).unwrap();
        assert!(
            (loss - expected).abs() < 1e-4 * expected.max(1.0),
            "{loss} vs {expected}"
        );
        assert!(model.loss(&m.transpose()).is_err());
    }

    #[test]
    fn from_factors_round_trips_and_validates() {
        let (model, _) = fitted();
        let copy = AlsModel::from_factors(
            model.regularization(),
            model.alpha(),
            model.user_factors(),
            model.item_factors(),
        )
        .unwrap();
        assert_eq!(copy, model);
        let transposed = model.item_factors().reversed_axes();
        assert!(AlsModel::from_factors(0.1, 1.0, model.user_factors(), transposed).is_err());
        assert!(
            AlsModel::from_factors(-1.0, 1.0, model.user_factors(), model.item_factors()).is_err()
        );
        let mut bad = model.user_factors().to_owned();
        bad[[0, 0]] = f32::INFINITY;
        assert!(AlsModel::from_factors(0.1, 1.0, bad.view(), model.item_factors()).is_err());
    }
}
