//! Item-based k-nearest-neighbours with shrunk cosine similarity.
//!
//! Each item is a column of the user × item matrix. The similarity of items `a` and `b` is
//! `a·b / (‖a‖‖b‖ + shrinkage)`; only each item's `neighbors` most similar items with a positive
//! similarity are kept. A user's score for item `i` sums, over the items `j` in the history,
//! `w_j · sim(j, i)` where `w_j` is the history value (its sign when [`ItemKnnConfig::binarize`]
//! is on), so negative evidence pushes similar items down. Because scoring needs only the
//! history, anonymous users and fresh ratings are handled without refitting.
//!
//! On MovieLens-100K (943 × 1682, 80k ratings) fitting takes about 0.1 s on 2 cores.

use serde::{Deserialize, Serialize};

use super::{History, ItemScorer};
use crate::data::Interactions;
use crate::par;
use crate::topk::{Scored, TopK};
use crate::{Error, Result};

/// Hyper-parameters of [`ItemKnnModel`].
///
/// ```
/// use recsys_core::data::Interactions;
/// use recsys_core::models::knn::ItemKnnConfig;
/// use recsys_core::models::{recommend, History, TopN};
///
/// // Items 0 and 1 are always consumed together; item 2 by other users.
/// let m = Interactions::from_triplets(4, 3, &[
///     (0, 0, 1.0), (0, 1, 1.0), (1, 0, 1.0), (1, 1, 1.0), (2, 2, 1.0), (3, 0, 1.0),
/// ]).unwrap();
/// let model = ItemKnnConfig::new().neighbors(2).fit(&m).unwrap();
/// assert_eq!(model.similar_items(0, 1).unwrap()[0].item, 1);
/// // User 3 has item 0: its best unseen item is 1.
/// let (items, values) = m.row(3);
/// let recs = recommend(&model, Some(3), History::new(items, values), &TopN::new(1)).unwrap();
/// assert_eq!(recs[0].item, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemKnnConfig {
    neighbors: usize,
    shrinkage: f32,
    binarize: bool,
}

impl Default for ItemKnnConfig {
    fn default() -> Self {
        Self {
            neighbors: 200,
            shrinkage: 0.0,
            binarize: false,
        }
    }
}

impl ItemKnnConfig {
    /// Defaults, chosen on the MovieLens-100K validation split: `neighbors = 200`,
    /// `shrinkage = 0`, `binarize = false` (ratings used as confidences: a 5-star neighbour
    /// counts more than a 1-star one, which beat binarised columns by ~0.008 nDCG@10).
    pub fn new() -> Self {
        Self::default()
    }

    /// How many most-similar items to keep per item (≥ 1).
    pub fn neighbors(mut self, neighbors: usize) -> Self {
        self.neighbors = neighbors;
        self
    }

    /// Added to the cosine denominator (≥ 0); damps similarities supported by few users.
    pub fn shrinkage(mut self, shrinkage: f32) -> Self {
        self.shrinkage = shrinkage;
        self
    }

    /// Use only the sign of each interaction (like / dislike) instead of its confidence, both for
    /// similarities and for scoring.
    pub fn binarize(mut self, binarize: bool) -> Self {
        self.binarize = binarize;
        self
    }

    /// Checks the hyper-parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `neighbors = 0` or a negative / non-finite shrinkage.
    pub fn validate(&self) -> Result<()> {
        if self.neighbors == 0 {
            return Err(Error::invalid("neighbors", "must be at least 1"));
        }
        if !(self.shrinkage.is_finite() && self.shrinkage >= 0.0) {
            return Err(Error::invalid(
                "shrinkage",
                format!("must be finite and ≥ 0, got {}", self.shrinkage),
            ));
        }
        Ok(())
    }

    /// Computes every item's top neighbours (in parallel with the `parallel` feature; the result
    /// does not depend on the thread count).
    ///
    /// # Errors
    /// Those of [`ItemKnnConfig::validate`]; [`Error::EmptyInput`] for a matrix without items.
    pub fn fit(&self, interactions: &Interactions) -> Result<ItemKnnModel> {
        self.validate()?;
        let n_items = interactions.n_items();
        if n_items == 0 {
            return Err(Error::EmptyInput {
                what: "interaction matrix has no items".into(),
            });
        }
        let matrix = if self.binarize {
            interactions.map_values(f32::signum)
        } else {
            interactions.clone()
        };
        let by_item = matrix.transpose();
        let norms: Vec<f32> = (0..n_items)
            .map(|i| by_item.row(i).1.iter().map(|v| v * v).sum::<f32>().sqrt())
            .collect();
        let neighbours_of = |accumulator: &mut Vec<f32>, item: usize| -> Vec<Scored> {
            self.item_neighbours(&matrix, &by_item, &norms, accumulator, item)
        };
        let lists: Vec<Vec<Scored>> =
            par::map_init(n_items, || vec![0.0f32; n_items], neighbours_of);
        let mut indptr = Vec::with_capacity(n_items + 1);
        indptr.push(0);
        let mut neighbor_items = Vec::new();
        let mut similarities = Vec::new();
        for list in lists {
            neighbor_items.extend(list.iter().map(|s| s.item));
            similarities.extend(list.iter().map(|s| s.score));
            indptr.push(neighbor_items.len());
        }
        Ok(ItemKnnModel {
            config: self.clone(),
            indptr,
            neighbor_items,
            similarities,
        })
    }

    /// The top neighbours of one item. `accumulator` is an all-zero scratch buffer of length
    /// `n_items`, left all-zero on return.
    fn item_neighbours(
        &self,
        matrix: &Interactions,
        by_item: &Interactions,
        norms: &[f32],
        accumulator: &mut [f32],
        item: usize,
    ) -> Vec<Scored> {
        let mut touched: Vec<u32> = Vec::new();
        let (users, values) = by_item.row(item);
        for (&user, &value) in users.iter().zip(values) {
            let (other_items, other_values) = matrix.row(user as usize);
            for (&other, &other_value) in other_items.iter().zip(other_values) {
                let slot = &mut accumulator[other as usize];
                if *slot == 0.0 {
                    touched.push(other);
                }
                *slot += value * other_value;
            }
        }
        let mut top = TopK::new(self.neighbors);
        for &other in &touched {
            let dot = std::mem::take(&mut accumulator[other as usize]);
            // Only similar items are neighbours: dissimilar ones would add noise to every score.
            if other as usize == item || dot <= 0.0 {
                continue;
            }
            top.push(
                other,
                dot / (norms[item] * norms[other as usize] + self.shrinkage),
            );
        }
        top.into_sorted_vec()
    }
}

/// Trained item-kNN: every item's most similar items, best first.
///
/// Packed artifacts store each list sorted by item with delta-coded ids (far smaller); decoding
/// restores the order, most similar first (ties: lower item first).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "ItemKnnModelUnchecked")]
pub struct ItemKnnModel {
    config: ItemKnnConfig,
    /// Neighbour list of item `i` is `indptr[i]..indptr[i + 1]`.
    indptr: Vec<usize>,
    neighbor_items: Vec<u32>,
    similarities: Vec<f32>,
}

/// The stored fields of an [`ItemKnnModel`], in order (borrowed for encoding).
#[derive(Serialize)]
struct StoredKnn<'a> {
    config: &'a ItemKnnConfig,
    indptr: &'a [usize],
    #[serde(with = "crate::codec::ids")]
    neighbor_items: &'a [u32],
    #[serde(with = "crate::codec::packed")]
    similarities: &'a [f32],
}

impl Serialize for ItemKnnModel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let stored = |neighbor_items, similarities| StoredKnn {
            config: &self.config,
            indptr: &self.indptr,
            neighbor_items,
            similarities,
        };
        if crate::codec::delta_ids() {
            let (items, similarities) =
                crate::codec::rows::by_id(&self.indptr, &self.neighbor_items, &self.similarities);
            stored(&items, &similarities).serialize(s)
        } else {
            stored(&self.neighbor_items, &self.similarities).serialize(s)
        }
    }
}

/// [`ItemKnnModel`] as decoded, before its validation.
#[derive(Deserialize)]
struct ItemKnnModelUnchecked {
    config: ItemKnnConfig,
    indptr: Vec<usize>,
    #[serde(with = "crate::codec::ids")]
    neighbor_items: Vec<u32>,
    #[serde(with = "crate::codec::packed")]
    similarities: Vec<f32>,
}

impl TryFrom<ItemKnnModelUnchecked> for ItemKnnModel {
    type Error = Error;

    fn try_from(unchecked: ItemKnnModelUnchecked) -> Result<Self> {
        let mut model = ItemKnnModel {
            config: unchecked.config,
            indptr: unchecked.indptr,
            neighbor_items: unchecked.neighbor_items,
            similarities: unchecked.similarities,
        };
        model.validate()?;
        if crate::codec::delta_ids() {
            crate::codec::rows::by_value_desc(
                &model.indptr,
                &mut model.neighbor_items,
                &mut model.similarities,
            );
        }
        Ok(model)
    }
}

impl ItemKnnModel {
    /// The configuration the model was fitted with.
    pub fn config(&self) -> &ItemKnnConfig {
        &self.config
    }

    /// Checks a decoded model: a valid configuration, a well-formed neighbour CSR over at
    /// least one item whose neighbour ids are items of the model, and finite similarities.
    pub(crate) fn validate(&self) -> Result<()> {
        self.config
            .validate()
            .map_err(|err| crate::validate::corrupt(format!("item-kNN configuration: {err}")))?;
        if self.indptr.len() < 2 {
            return Err(crate::validate::corrupt("item-kNN model has no items"));
        }
        crate::validate::check_csr(
            "item-kNN neighbours",
            &self.indptr,
            &self.neighbor_items,
            self.similarities.len(),
            self.n_items(),
            crate::validate::RowOrder::Any,
        )?;
        crate::validate::check_finite("item-kNN similarities", &self.similarities)
    }

    /// Keeps at most `max` neighbours per item, the most similar (for a smaller artifact).
    pub(crate) fn prune(&mut self, max: usize) {
        crate::features::prune_rows(
            &mut self.indptr,
            &mut self.neighbor_items,
            &mut self.similarities,
            max,
        );
    }

    /// The stored neighbours of `item` and their similarities, most similar first.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown item.
    pub fn neighbors(&self, item: u32) -> Result<(&[u32], &[f32])> {
        let n_items = self.n_items();
        if item as usize >= n_items {
            return Err(Error::IndexOutOfRange {
                what: "item",
                index: item as usize,
                len: n_items,
            });
        }
        let range = self.indptr[item as usize]..self.indptr[item as usize + 1];
        Ok((
            &self.neighbor_items[range.clone()],
            &self.similarities[range],
        ))
    }

    /// The `n` items most similar to `item` (never `item` itself), best first.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown item.
    pub fn similar_items(&self, item: u32, n: usize) -> Result<Vec<Scored>> {
        let (items, sims) = self.neighbors(item)?;
        Ok(items
            .iter()
            .zip(sims)
            .take(n)
            .map(|(&item, &score)| Scored { item, score })
            .collect())
    }
}

impl ItemKnnModel {
    /// The history items' parts of `item`'s score ([`ItemScorer::score_items`] sums them):
    /// `(j, w_j · sim(j, item))` for each history item `j` that has `item` among its
    /// neighbours, in history order.
    ///
    /// ```
    /// use recsys_core::data::Interactions;
    /// use recsys_core::models::knn::ItemKnnConfig;
    /// use recsys_core::models::History;
    ///
    /// let m = Interactions::from_triplets(2, 3, &[(0, 0, 1.0), (0, 1, 1.0), (1, 1, 1.0), (1, 2, 1.0)])?;
    /// let knn = ItemKnnConfig::new().fit(&m)?;
    /// let parts = knn.contributions(1, History::new(&[0, 2], &[2.0, 1.0]))?;
    /// assert_eq!(parts.len(), 2);
    /// assert!(parts[0].1 > parts[1].1); // item 0 weighs twice as much
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an item or history item the model does not know.
    pub fn contributions(&self, item: u32, history: History<'_>) -> Result<Vec<(u32, f32)>> {
        super::check_history(history, self.n_items())?;
        if item as usize >= self.n_items() {
            return Err(Error::IndexOutOfRange {
                what: "item",
                index: item as usize,
                len: self.n_items(),
            });
        }
        let mut parts = Vec::new();
        for (&j, &value) in history.items.iter().zip(history.values) {
            let weight = if self.config.binarize {
                value.signum()
            } else {
                value
            };
            let (items, sims) = self.neighbors(j)?;
            if let Some(at) = items.iter().position(|&other| other == item) {
                parts.push((j, weight * sims[at]));
            }
        }
        Ok(parts)
    }
}

impl ItemScorer for ItemKnnModel {
    fn n_items(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    fn score_items(
        &self,
        _user: Option<u32>,
        history: History<'_>,
        scores: &mut [f32],
    ) -> Result<()> {
        super::check_score_len(scores, self.n_items())?;
        super::check_history(history, self.n_items())?;
        scores.fill(0.0);
        for (&item, &value) in history.items.iter().zip(history.values) {
            let weight = if self.config.binarize {
                value.signum()
            } else {
                value
            };
            let (items, sims) = self.neighbors(item)?;
            for (&other, &sim) in items.iter().zip(sims) {
                scores[other as usize] += weight * sim;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute_force_cosine(m: &Interactions, a: usize, b: usize, shrink: f32) -> f32 {
        let t = m.transpose();
        let dense = |i: usize| {
            let mut v = vec![0.0f32; m.n_users()];
            let (users, values) = t.row(i);
            for (&u, &x) in users.iter().zip(values) {
                v[u as usize] = x;
            }
            v
        };
        let (x, y) = (dense(a), dense(b));
        let dot: f32 = x.iter().zip(&y).map(|(p, q)| p * q).sum();
        let norm = |v: &[f32]| v.iter().map(|p| p * p).sum::<f32>().sqrt();
        dot / (norm(&x) * norm(&y) + shrink)
    }

    #[test]
    fn rejects_bad_parameters_and_input() {
        assert!(ItemKnnConfig::new().neighbors(0).validate().is_err());
        assert!(ItemKnnConfig::new().shrinkage(-1.0).validate().is_err());
        assert!(ItemKnnConfig::new().shrinkage(f32::NAN).validate().is_err());
        assert!(ItemKnnConfig::new()
            .fit(&Interactions::empty(3, 0).unwrap())
            .is_err());
        let m = Interactions::from_triplets(1, 2, &[(0, 0, 1.0)]).unwrap();
        let model = ItemKnnConfig::new().fit(&m).unwrap();
        assert!(matches!(
            model.similar_items(2, 1),
            Err(Error::IndexOutOfRange { .. })
        ));
        let mut scores = vec![0.0; 2];
        assert!(model
            .score_items(None, History::new(&[5], &[1.0]), &mut scores)
            .is_err());
    }

    #[test]
    fn negative_history_pushes_similar_items_down() {
        let m = Interactions::from_triplets(
            3,
            3,
            &[
                (0, 0, 1.0),
                (0, 1, 1.0),
                (1, 0, 1.0),
                (1, 1, 1.0),
                (2, 2, 1.0),
            ],
        )
        .unwrap();
        let model = ItemKnnConfig::new().shrinkage(0.0).fit(&m).unwrap();
        let mut scores = vec![0.0; 3];
        model
            .score_items(None, History::new(&[0], &[-2.0]), &mut scores)
            .unwrap();
        assert!(scores[1] < 0.0);
        assert_eq!(scores[2], 0.0);
    }

    proptest! {
        #[test]
        fn neighbours_match_brute_force(
            triplets in proptest::collection::vec((0u32..6, 0u32..8, -3.0f32..5.0), 1..40),
            k in 1usize..8,
            shrink in 0.0f32..5.0,
            binarize in any::<bool>(),
        ) {
            let m = Interactions::from_triplets(6, 8, &triplets).unwrap();
            let model = ItemKnnConfig::new().neighbors(k).shrinkage(shrink).binarize(binarize)
                .fit(&m).unwrap();
            let basis = if binarize { m.map_values(f32::signum) } else { m.clone() };
            for item in 0..8u32 {
                let (items, sims) = model.neighbors(item).unwrap();
                prop_assert!(items.len() <= k);
                prop_assert!(!items.contains(&item));
                prop_assert!(sims.windows(2).all(|w| w[0] >= w[1]));
                for (&other, &sim) in items.iter().zip(sims) {
                    let expected = brute_force_cosine(&basis, item as usize, other as usize, shrink);
                    prop_assert!((sim - expected).abs() < 1e-4, "{} vs {}", sim, expected);
                }
                // Nothing left out beats the weakest kept neighbour.
                if items.len() == k {
                    let weakest = sims[k - 1];
                    for other in (0..8u32).filter(|o| *o != item && !items.contains(o)) {
                        let s = brute_force_cosine(&basis, item as usize, other as usize, shrink);
                        prop_assert!(s <= weakest + 1e-4);
                    }
                }
            }
        }
    }
}
