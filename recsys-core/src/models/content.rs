//! Content-based user profiles: score items by their content similarity to a user's history.
//!
//! The score of item `i` for a history `{(j, w_j)}` is the weighted mean similarity
//! `Σ_j w'_j · sim(j, i) / Σ_j |w'_j|`, with `w'_j` the history value (negative evidence scaled
//! by [`ContentModelConfig::negative_weight`]) and `sim` the content similarity of
//! [`ContentFeatures`] (exact, or only each history item's top-K neighbours). Scores lie in
//! `[-1, 1]`, do not depend on interaction counts and so reach items nobody has interacted
//! with yet (item cold start). [`ContentModel::contributions`] splits a score exactly into
//! the history items it came from; [`ContentModel::matching_tokens`] into content tokens.
//! For an item that is itself in the history, its own term (similarity 1) is left out of the
//! explanations but not of the score; recommendations normally exclude such items anyway.
//!
//! Measured on MovieLens-100K (project protocol, test split, default settings, history under
//! the default [`FeedbackPolicy`](crate::data::FeedbackPolicy)): nDCG@10 0.049, HR@10 0.28,
//! coverage 0.43, and 15 of the 71 test-only items recommended (popularity: nDCG 0.094, none of
//! them). Alone it is weak; blended it helps: on the validation split, per-user z-scored
//! ALS + 0.5 · content scores 0.174 against 0.167 for ALS alone.

use serde::{Deserialize, Serialize};

use super::{check_items, check_score_len, History, ItemScorer};
use crate::features::{
    shared_positions, sort_by_contribution, ContentFeatures, ContentNeighbors,
    ContentNeighborsConfig, SharedToken,
};
use crate::topk::{Scored, TopK};
use crate::{Error, Result};

/// Hyper-parameters of [`ContentModel`].
///
/// ```
/// use recsys_core::data::Catalog;
/// use recsys_core::features::ContentFeaturesConfig;
/// use recsys_core::models::content::ContentModelConfig;
/// use recsys_core::models::{recommend, History, TopN};
///
/// let mut catalog = Catalog::new();
/// for (item, genre) in [(0, "Crime"), (1, "Comedy"), (2, "Crime"), (3, "Comedy")] {
///     catalog.item_mut(item).unwrap().add_genre(genre);
/// }
/// let features = ContentFeaturesConfig::new().min_df(2).max_df(1.0).fit(&catalog).unwrap();
/// let model = ContentModelConfig::new().fit(features).unwrap();
/// // Liked item 0 (crime), disliked item 1 (comedy): crime film 2 comes first.
/// let recs = recommend(&model, None, History::new(&[0, 1], &[5.0, -2.0]), &TopN::new(2)).unwrap();
/// assert_eq!(recs[0].item, 2);
/// assert!(recs[1].score < 0.0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContentModelConfig {
    neighbors: Option<usize>,
    negative_weight: f32,
    binarize: bool,
}

impl Default for ContentModelConfig {
    fn default() -> Self {
        Self {
            neighbors: None,
            negative_weight: 1.0,
            binarize: false,
        }
    }
}

impl ContentModelConfig {
    /// Defaults (chosen on the MovieLens-100K validation split): exact similarity to every
    /// history item (no neighbour truncation), negative evidence at full weight, history values
    /// used as given (not binarised).
    pub fn new() -> Self {
        Self::default()
    }

    /// `Some(k)`: each history item only votes for its `k` most similar items (precomputed,
    /// like item-kNN); `None`: exact similarity to every item.
    pub fn neighbors(mut self, neighbors: Option<usize>) -> Self {
        self.neighbors = neighbors;
        self
    }

    /// Multiplier of negative history values (0 ignores negative evidence).
    pub fn negative_weight(mut self, weight: f32) -> Self {
        self.negative_weight = weight;
        self
    }

    /// Use only the sign of history values (every like counts the same).
    pub fn binarize(mut self, binarize: bool) -> Self {
        self.binarize = binarize;
        self
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `Some(0)` neighbours or a negative or non-finite
    /// negative weight.
    pub fn validate(&self) -> Result<()> {
        if self.neighbors == Some(0) {
            return Err(Error::invalid("neighbors", "must be ≥ 1 when set"));
        }
        if !(self.negative_weight.is_finite() && self.negative_weight >= 0.0) {
            return Err(Error::invalid(
                "negative_weight",
                format!("must be finite and ≥ 0, got {}", self.negative_weight),
            ));
        }
        Ok(())
    }

    /// Builds the model over `features` (precomputing neighbours when configured).
    ///
    /// # Errors
    /// Those of [`ContentModelConfig::validate`]; [`Error::EmptyInput`] for features without
    /// items.
    pub fn fit(&self, features: ContentFeatures) -> Result<ContentModel> {
        self.validate()?;
        if features.n_items() == 0 {
            return Err(Error::EmptyInput {
                what: "content features have no items".into(),
            });
        }
        let neighbors = match self.neighbors {
            Some(k) => Some(ContentNeighborsConfig::new().neighbors(k).fit(&features)?),
            None => None,
        };
        Ok(ContentModel {
            config: self.clone(),
            features,
            neighbors,
        })
    }
}

/// An item similar to another, with the content tokens the two share (see
/// [`ContentModel::similar_items_explained`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SimilarItem {
    /// The similar item.
    pub item: u32,
    /// Its content similarity.
    pub score: f32,
    /// The tokens both items have, largest share of the TF-IDF similarity first; summarise
    /// them with [`count_by_kind`](crate::features::count_by_kind).
    pub shared: Vec<SharedToken>,
}

/// One history item's share of a content score (see [`ContentModel::contributions`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Contribution {
    /// The history item.
    pub item: u32,
    /// Its weight in the profile (negative for negative evidence), before normalisation.
    pub weight: f32,
    /// Its content similarity to the scored item (0 when not a stored neighbour).
    pub similarity: f32,
    /// Its share of the score: `weight · similarity / Σ|weight|`. The shares sum to the score.
    pub contribution: f32,
}

/// A content-based recommender: the user's profile is their history's content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ContentModelUnchecked")]
pub struct ContentModel {
    config: ContentModelConfig,
    features: ContentFeatures,
    neighbors: Option<ContentNeighbors>,
}

crate::validate::checked_deserialize! {
    ContentModel via ContentModelUnchecked {
        config: ContentModelConfig,
        features: ContentFeatures,
        neighbors: Option<ContentNeighbors>,
    }
    check ContentModel::validate
}

impl ContentModel {
    /// The configuration the model was built with.
    pub fn config(&self) -> &ContentModelConfig {
        &self.config
    }

    /// Checks a decoded model: a valid configuration, consistent features over at least one
    /// item, and stored neighbours (if any) over the same items.
    pub(crate) fn validate(&self) -> Result<()> {
        self.config
            .validate()
            .map_err(|err| crate::validate::corrupt(format!("content configuration: {err}")))?;
        // The features' own structure is checked while decoding them.
        if self.features.n_items() == 0 {
            return Err(crate::validate::corrupt("content model has no items"));
        }
        match &self.neighbors {
            Some(neighbors) => neighbors.validate(self.features.n_items()),
            None => Ok(()),
        }
    }

    /// The item content features.
    pub fn features(&self) -> &ContentFeatures {
        &self.features
    }

    /// The precomputed neighbours, when [`ContentModelConfig::neighbors`] was set.
    pub fn neighbors(&self) -> Option<&ContentNeighbors> {
        self.neighbors.as_ref()
    }

    /// The profile weight of a history value.
    fn weight(&self, value: f32) -> f32 {
        let w = if self.config.binarize {
            value.signum()
        } else {
            value
        };
        if w < 0.0 {
            w * self.config.negative_weight
        } else {
            w
        }
    }

    /// `1 / Σ|w'|` over the history (0 for an empty or all-zero history).
    fn normalizer(&self, history: History<'_>) -> f32 {
        let total: f32 = history.values.iter().map(|&v| self.weight(v).abs()).sum();
        // A subnormal total (e.g. a tiny negative weight) has an infinite inverse, which would
        // make `0 · ∞ = NaN` scores: such a history counts as all-zero.
        let scale = 1.0 / total;
        if total > 0.0 && scale.is_finite() {
            scale
        } else {
            0.0
        }
    }

    /// The similarity the model uses between history item `j` and item `i`.
    fn pair_similarity(&self, j: u32, i: u32) -> f32 {
        match &self.neighbors {
            Some(n) => n.stored_similarity(j as usize, i),
            None => self.features.similarity_unchecked(j as usize, i as usize),
        }
    }

    /// Checks the history, and that decoded neighbours belong to the features.
    fn check_history(&self, history: History<'_>) -> Result<()> {
        if let Some(neighbors) = &self.neighbors {
            if neighbors.n_items() != self.n_items() {
                return Err(Error::CorruptArtifact {
                    reason: format!(
                        "content model: neighbours of {} items for {} items",
                        neighbors.n_items(),
                        self.n_items()
                    ),
                });
            }
        }
        if history.items.len() != history.values.len() {
            return Err(Error::DimensionMismatch {
                context: "history values (one per history item)".into(),
                expected: history.items.len(),
                got: history.values.len(),
            });
        }
        check_items(history.items, self.n_items(), "history")?;
        for (&item, &v) in history.items.iter().zip(history.values) {
            crate::error::ensure_finite(f64::from(v), || format!("history value of item {item}"))?;
        }
        Ok(())
    }

    /// How each history item contributes to `item`'s score, largest contribution first
    /// (zero contributions left out). The contributions sum to the score of
    /// [`ItemScorer::score_items`], so an explanation can say "because you liked X".
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown item; those of [`ItemScorer::score_items`] for
    /// a bad history.
    pub fn contributions(&self, history: History<'_>, item: u32) -> Result<Vec<Contribution>> {
        self.features.check_item(item)?;
        self.check_history(history)?;
        let scale = self.normalizer(history);
        if scale == 0.0 {
            // Every score is 0; also keeps an infinite weight from giving `∞ · 0 = NaN` shares.
            return Ok(Vec::new());
        }
        let mut out: Vec<Contribution> = history
            .items
            .iter()
            .zip(history.values)
            .filter(|(&j, _)| j != item)
            .map(|(&j, &v)| {
                let weight = self.weight(v);
                let similarity = self.pair_similarity(j, item);
                Contribution {
                    item: j,
                    weight,
                    similarity,
                    contribution: weight * similarity * scale,
                }
            })
            .filter(|c| c.contribution != 0.0)
            .collect();
        out.sort_by(|a, b| {
            b.contribution
                .total_cmp(&a.contribution)
                .then(a.item.cmp(&b.item))
        });
        Ok(out)
    }

    /// Every history item's part of `item`'s score as [`ItemScorer::score_items`] computes it
    /// (`item` itself included when the history holds it), in history order, zero parts left
    /// out: they sum to the score.
    ///
    /// # Errors
    /// As [`ContentModel::contributions`].
    pub(crate) fn parts(&self, history: History<'_>, item: u32) -> Result<Vec<(u32, f32)>> {
        self.features.check_item(item)?;
        self.check_history(history)?;
        let scale = self.normalizer(history);
        if scale == 0.0 {
            return Ok(Vec::new());
        }
        Ok(history
            .items
            .iter()
            .zip(history.values)
            .map(|(&j, &v)| (j, self.weight(v) * scale * self.pair_similarity(j, item)))
            .filter(|p| p.1 != 0.0)
            .collect())
    }

    /// The first of [`ContentModel::contributions`] for each of `items` among the positive
    /// shares of history items `citable` accepts (the largest share, ties to the lower history
    /// item; `None` when there is none): what a reason cites, without building and sorting
    /// every share, and with one scratch buffer for all items.
    ///
    /// # Errors
    /// As [`ContentModel::contributions`].
    pub(crate) fn best_contributions(
        &self,
        history: History<'_>,
        items: &[u32],
        citable: impl Fn(u32) -> bool,
    ) -> Result<Vec<Option<Contribution>>> {
        for &item in items {
            self.features.check_item(item)?;
        }
        self.check_history(history)?;
        let scale = self.normalizer(history);
        if scale == 0.0 {
            return Ok(vec![None; items.len()]);
        }
        let (mut scratch, mut similarities) = (Vec::new(), Vec::new());
        let mut out = Vec::with_capacity(items.len());
        for &item in items {
            match &self.neighbors {
                Some(n) => {
                    similarities.clear();
                    similarities.extend(
                        history
                            .items
                            .iter()
                            .map(|&j| n.stored_similarity(j as usize, item)),
                    );
                }
                None => self.features.similarities_to(
                    item as usize,
                    history.items,
                    &mut scratch,
                    &mut similarities,
                ),
            }
            let mut best: Option<Contribution> = None;
            for ((&j, &v), &similarity) in
                history.items.iter().zip(history.values).zip(&similarities)
            {
                if j == item {
                    continue;
                }
                let weight = self.weight(v);
                let contribution = weight * similarity * scale;
                if contribution <= 0.0 || !citable(j) {
                    continue;
                }
                // `contributions` sorts by share descending (`total_cmp`), then item ascending.
                let better = best.is_none_or(|b| {
                    contribution
                        .total_cmp(&b.contribution)
                        .then(b.item.cmp(&j))
                        .is_gt()
                });
                if better {
                    best = Some(Contribution {
                        item: j,
                        weight,
                        similarity,
                        contribution,
                    });
                }
            }
            out.push(best);
        }
        Ok(out)
    }

    /// The content tokens of `item` that the user's profile shares, with their share of the
    /// TF-IDF part of the exact profile score (`profile[t] · value_i[t]`), largest first;
    /// for "matches your taste for crime films and Frances McDormand". Independent of the
    /// neighbour setting (always the exact profile).
    ///
    /// # Errors
    /// As [`ContentModel::contributions`].
    pub fn matching_tokens(&self, history: History<'_>, item: u32) -> Result<Vec<SharedToken>> {
        self.features.check_item(item)?;
        self.check_history(history)?;
        let scale = self.normalizer(history) * (1.0 - self.features.embedding_weight());
        if scale == 0.0 {
            return Ok(Vec::new());
        }
        let (tokens, values) = self.features.row(item as usize);
        let mut contributions = vec![0.0f32; tokens.len()];
        for (&j, &v) in history.items.iter().zip(history.values) {
            if j == item {
                continue;
            }
            let w = self.weight(v) * scale;
            let (ht, hv) = self.features.row(j as usize);
            for (a, b) in shared_positions(tokens, ht) {
                contributions[a] += w * values[a] * hv[b];
            }
        }
        let vocabulary = self.features.vocabulary();
        let mut out: Vec<SharedToken> = tokens
            .iter()
            .zip(contributions)
            .filter(|(_, c)| *c != 0.0)
            .filter_map(|(&token, contribution)| {
                Some(SharedToken {
                    token,
                    kind: vocabulary.kind(token)?,
                    contribution,
                })
            })
            .collect();
        sort_by_contribution(&mut out);
        Ok(out)
    }

    /// [`ContentModel::similar_items`] with the tokens each shares with `item`, for "shares the
    /// director and 2 genres with Fargo (1996)".
    ///
    /// ```
    /// use recsys_core::data::{Catalog, Role};
    /// use recsys_core::features::{count_by_kind, ContentFeaturesConfig, TokenKind};
    /// use recsys_core::models::content::ContentModelConfig;
    /// let mut catalog = Catalog::new();
    /// for (item, genre) in [(0, "Crime"), (1, "Crime"), (2, "Comedy"), (3, "Comedy")] {
    ///     catalog.item_mut(item).unwrap().add_genre(genre);
    ///     catalog.add_credit(item, if item < 3 { "m.coen" } else { "m.other" }, None, Role::Director).unwrap();
    /// }
    /// let features = ContentFeaturesConfig::new().min_df(2).max_df(1.0).fit(&catalog).unwrap();
    /// let model = ContentModelConfig::new().fit(features).unwrap();
    /// let similar = model.similar_items_explained(0, 2).unwrap();
    /// assert_eq!(similar[0].item, 1);
    /// assert_eq!(count_by_kind(&similar[0].shared), [(TokenKind::Genre, 1), (TokenKind::Director, 1)]);
    /// assert_eq!(count_by_kind(&similar[1].shared), [(TokenKind::Director, 1)]);
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown item.
    pub fn similar_items_explained(&self, item: u32, n: usize) -> Result<Vec<SimilarItem>> {
        self.similar_items(item, n)?
            .into_iter()
            .map(|s| {
                Ok(SimilarItem {
                    item: s.item,
                    score: s.score,
                    shared: self.features.shared_tokens(item, s.item)?,
                })
            })
            .collect()
    }

    /// The `n` items most content-similar to `item` (never `item` itself), best first: the
    /// stored neighbours when precomputed, otherwise an exact scan of every item.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown item.
    pub fn similar_items(&self, item: u32, n: usize) -> Result<Vec<Scored>> {
        if let Some(neighbors) = &self.neighbors {
            return neighbors.similar_items(item, n);
        }
        self.features.check_item(item)?;
        let mut top = TopK::new(n);
        for other in 0..self.n_items() {
            if other != item as usize {
                let s = self.features.similarity_unchecked(item as usize, other);
                if s > 0.0 {
                    top.push(other as u32, s);
                }
            }
        }
        Ok(top.into_sorted_vec())
    }
}

impl ItemScorer for ContentModel {
    fn n_items(&self) -> usize {
        self.features.n_items()
    }

    /// Content scores in `[-1, 1]`; 0 for every item when the history is empty, and for items
    /// without content.
    fn score_items(
        &self,
        _user: Option<u32>,
        history: History<'_>,
        scores: &mut [f32],
    ) -> Result<()> {
        check_score_len(scores, self.n_items())?;
        self.check_history(history)?;
        scores.fill(0.0);
        let scale = self.normalizer(history);
        if scale == 0.0 {
            return Ok(());
        }
        if let Some(neighbors) = &self.neighbors {
            for (&j, &v) in history.items.iter().zip(history.values) {
                let w = self.weight(v) * scale;
                let (items, sims) = neighbors.row(j as usize);
                for (&i, &s) in items.iter().zip(sims) {
                    scores[i as usize] += w * s;
                }
            }
            return Ok(());
        }
        // Exact: scores = X · (Σ_j w_j x_j), sparse and dense parts mixed by the embedding weight.
        let alpha = self.features.embedding_weight();
        let mut profile = vec![0.0f32; self.features.vocabulary().len()];
        let mut dense_profile = vec![0.0f32; self.features.embedding_dim().unwrap_or(0)];
        for (&j, &v) in history.items.iter().zip(history.values) {
            let w = self.weight(v) * scale;
            let (tokens, values) = self.features.row(j as usize);
            for (&t, &x) in tokens.iter().zip(values) {
                profile[t as usize] += w * x;
            }
            if let Some(e) = self.features.embedding(j as usize) {
                dense_profile
                    .iter_mut()
                    .zip(e)
                    .for_each(|(p, x)| *p += w * x);
            }
        }
        for (item, score) in scores.iter_mut().enumerate() {
            let (tokens, values) = self.features.row(item);
            let sparse: f32 = tokens
                .iter()
                .zip(values)
                .map(|(&t, &x)| profile[t as usize] * x)
                .sum();
            *score = match self.features.embedding(item) {
                Some(e) => {
                    let dense: f32 = e.iter().zip(&dense_profile).map(|(x, p)| x * p).sum();
                    (1.0 - alpha) * sparse + alpha * dense
                }
                None => sparse,
            };
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Catalog, Role};
    use crate::features::{ContentFeaturesConfig, TokenWeights};
    use proptest::prelude::*;

    fn catalog() -> Catalog {
        let mut c = Catalog::new();
        for item in 0..12u32 {
            c.item_mut(item)
                .unwrap()
                .add_genre(&format!("g{}", item % 4));
            c.item_mut(item).unwrap().year = Some(1960 + 7 * item as i32);
            c.add_credit(item, &format!("p{}", item % 3), None, Role::Director)
                .unwrap();
        }
        c.ensure_len(14).unwrap();
        c
    }

    fn features() -> ContentFeatures {
        ContentFeaturesConfig::new()
            .weights(TokenWeights::uniform(1.0))
            .min_df(2)
            .max_df(1.0)
            .fit(&catalog())
            .unwrap()
    }

    #[test]
    fn contributions_sum_to_the_score() {
        let history_items = [0u32, 5, 7];
        let history_values = [5.0f32, 4.0, -2.0];
        let history = History::new(&history_items, &history_values);
        for neighbors in [None, Some(3)] {
            let model = ContentModelConfig::new()
                .neighbors(neighbors)
                .negative_weight(0.5)
                .fit(features())
                .unwrap();
            let mut scores = vec![0.0; model.n_items()];
            model.score_items(None, history, &mut scores).unwrap();
            for item in 0..model.n_items() as u32 {
                if history.contains(item) {
                    continue;
                }
                let total: f32 = model
                    .contributions(history, item)
                    .unwrap()
                    .iter()
                    .map(|c| c.contribution)
                    .sum();
                assert!((total - scores[item as usize]).abs() < 1e-5);
                if neighbors.is_none() {
                    let tokens: f32 = model
                        .matching_tokens(history, item)
                        .unwrap()
                        .iter()
                        .map(|t| t.contribution)
                        .sum();
                    assert!((tokens - scores[item as usize]).abs() < 1e-5);
                }
            }
            // Items 12 and 13 have no metadata: no evidence either way.
            assert_eq!(scores[12], 0.0);
            assert!(scores[8] > scores[2], "shares more with the liked items");
        }
    }

    #[test]
    fn negative_evidence_pushes_similar_items_down() {
        let model = ContentModelConfig::new().fit(features()).unwrap();
        let mut scores = vec![0.0; model.n_items()];
        model
            .score_items(None, History::new(&[1], &[-3.0]), &mut scores)
            .unwrap();
        assert!(scores[5] < 0.0 && scores[9] < 0.0);
        let ignore = ContentModelConfig::new()
            .negative_weight(0.0)
            .fit(features())
            .unwrap();
        ignore
            .score_items(None, History::new(&[1], &[-3.0]), &mut scores)
            .unwrap();
        assert!(scores.iter().all(|&s| s == 0.0));
    }

    #[test]
    fn bad_input_is_an_error() {
        let model = ContentModelConfig::new().fit(features()).unwrap();
        let mut scores = vec![0.0; model.n_items()];
        assert!(model
            .score_items(None, History::new(&[99], &[1.0]), &mut scores)
            .is_err());
        assert!(model
            .score_items(None, History::new(&[1], &[f32::NAN]), &mut scores)
            .is_err());
        assert!(model
            .score_items(None, History::new(&[1, 2], &[1.0]), &mut scores)
            .is_err());
        assert!(model
            .score_items(None, History::default(), &mut scores[..3])
            .is_err());
        assert!(model.contributions(History::default(), 14).is_err());
        assert!(ContentModelConfig::new()
            .neighbors(Some(0))
            .validate()
            .is_err());
        assert!(ContentModelConfig::new()
            .negative_weight(-1.0)
            .validate()
            .is_err());
        let exact = model.similar_items(0, 3).unwrap();
        let stored = ContentModelConfig::new()
            .neighbors(Some(3))
            .fit(features())
            .unwrap()
            .similar_items(0, 3)
            .unwrap();
        assert_eq!(exact, stored);
    }

    #[test]
    fn serde_round_trip_and_thread_safety() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<ContentModel>();
        send_sync::<ContentFeatures>();
        let embeddings = ndarray::Array2::<f32>::from_shape_fn((14, 2), |(i, j)| (i * j) as f32);
        let features = features().with_embeddings(embeddings.view(), 0.3).unwrap();
        let model = ContentModelConfig::new()
            .neighbors(Some(4))
            .fit(features)
            .unwrap();
        let config = bincode::config::standard();
        let bytes = bincode::serde::encode_to_vec(&model, config).unwrap();
        let (back, _): (ContentModel, usize) =
            bincode::serde::decode_from_slice(&bytes, config).unwrap();
        assert_eq!(back, model);
        assert_eq!(back.features().embedding_dim(), Some(2));
    }

    #[test]
    fn a_vanishing_history_weight_gives_zero_scores_not_nan() {
        // |weight| = 0.1 · f32::MIN_POSITIVE is subnormal; its inverse overflowed to infinity.
        let model = ContentModelConfig::new()
            .negative_weight(f32::MIN_POSITIVE)
            .fit(features())
            .unwrap();
        let mut scores = vec![1.0; model.n_items()];
        model
            .score_items(None, History::new(&[0], &[-0.1]), &mut scores)
            .unwrap();
        assert!(scores.iter().all(|&s| s == 0.0), "{scores:?}");
        // A weight that overflows to -inf: the total is infinite, every share is zero (not NaN).
        let history = History::new(&[0], &[-f32::MAX]);
        let model = ContentModelConfig::new()
            .negative_weight(3.0)
            .fit(features())
            .unwrap();
        assert!(model.contributions(history, 1).unwrap().is_empty());
        assert!(model.matching_tokens(history, 1).unwrap().is_empty());
    }

    proptest! {
        #[test]
        fn scores_are_finite_and_bounded(
            history in prop::collection::btree_map(0u32..14, -5.0f32..5.0, 0..6),
            binarize in any::<bool>(),
            neighbors in prop::option::of(1usize..6),
        ) {
            let model = ContentModelConfig::new()
                .binarize(binarize)
                .neighbors(neighbors)
                .fit(features())
                .unwrap();
            let items: Vec<u32> = history.keys().copied().collect();
            let values: Vec<f32> = history.values().copied().collect();
            let mut scores = vec![0.0; model.n_items()];
            model.score_items(None, History::new(&items, &values), &mut scores).unwrap();
            for s in scores {
                prop_assert!(s.is_finite() && (-1.0 - 1e-5..=1.0 + 1e-5).contains(&s));
            }
        }
    }
}
