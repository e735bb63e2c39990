//! Item–item content similarity: every item's top-K most similar items, precomputed.

use serde::{Deserialize, Serialize};

use super::ContentFeatures;
use crate::par;
use crate::topk::{Scored, TopK};
use crate::validate::{check_csr, check_finite, RowOrder};
use crate::{Error, Result};

/// Hyper-parameters of [`ContentNeighbors`].
///
/// ```
/// use recsys_core::data::Catalog;
/// use recsys_core::features::{ContentFeaturesConfig, ContentNeighborsConfig};
/// let mut catalog = Catalog::new();
/// for (item, genre) in [(0, "Crime"), (1, "Crime"), (2, "Comedy"), (3, "Comedy")] {
///     catalog.item_mut(item).unwrap().add_genre(genre);
/// }
/// let features = ContentFeaturesConfig::new().min_df(2).max_df(1.0).fit(&catalog).unwrap();
/// let neighbors = ContentNeighborsConfig::new().neighbors(5).fit(&features).unwrap();
/// assert_eq!(neighbors.similar_items(0, 3).unwrap()[0].item, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContentNeighborsConfig {
    neighbors: usize,
    min_similarity: f32,
}

impl Default for ContentNeighborsConfig {
    fn default() -> Self {
        Self {
            neighbors: 100,
            min_similarity: 0.0,
        }
    }
}

impl ContentNeighborsConfig {
    /// Defaults: 100 neighbours per item, only items with similarity above 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Neighbours kept per item (≥ 1).
    pub fn neighbors(mut self, neighbors: usize) -> Self {
        self.neighbors = neighbors;
        self
    }

    /// Only items strictly more similar than this (≥ 0) are neighbours.
    pub fn min_similarity(mut self, min_similarity: f32) -> Self {
        self.min_similarity = min_similarity;
        self
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for zero neighbours or a negative or non-finite threshold.
    pub fn validate(&self) -> Result<()> {
        if self.neighbors == 0 {
            return Err(Error::invalid("neighbors", "must be ≥ 1"));
        }
        if !(self.min_similarity.is_finite() && self.min_similarity >= 0.0) {
            return Err(Error::invalid("min_similarity", "must be finite and ≥ 0"));
        }
        Ok(())
    }

    /// Finds every item's most similar items by [`ContentFeatures::similarity`] (exact: an
    /// inverted index over tokens, plus a full pass over the embeddings when there are any).
    /// Runs in parallel with the `parallel` feature; the result does not depend on it.
    ///
    /// # Errors
    /// Those of [`ContentNeighborsConfig::validate`].
    pub fn fit(&self, features: &ContentFeatures) -> Result<ContentNeighbors> {
        self.validate()?;
        let n_items = features.n_items();
        let postings = Postings::new(features);
        let lists: Vec<Vec<Scored>> = par::map_init(
            n_items,
            || vec![0.0f32; n_items],
            |scratch, item| self.neighbors_of(features, &postings, item, scratch),
        );
        let mut indptr = Vec::with_capacity(n_items + 1);
        indptr.push(0);
        let total = lists.iter().map(Vec::len).sum();
        let (mut items, mut similarities) = (Vec::with_capacity(total), Vec::with_capacity(total));
        for list in lists {
            for s in list {
                items.push(s.item);
                similarities.push(s.score);
            }
            indptr.push(items.len());
        }
        Ok(ContentNeighbors {
            config: self.clone(),
            indptr,
            items,
            similarities,
        })
    }

    /// The top-K neighbours of one item; `scratch` is an all-zero buffer of `n_items` floats
    /// and is left all-zero.
    fn neighbors_of(
        &self,
        features: &ContentFeatures,
        postings: &Postings,
        item: usize,
        scratch: &mut [f32],
    ) -> Vec<Scored> {
        let mut top = TopK::new(self.neighbors);
        let (tokens, values) = features.row(item);
        let mut touched = Vec::new();
        for (&token, &value) in tokens.iter().zip(values) {
            let (others, other_values) = postings.list(token);
            for (&other, &other_value) in others.iter().zip(other_values) {
                let slot = &mut scratch[other as usize];
                if *slot == 0.0 {
                    touched.push(other);
                }
                *slot += value * other_value;
            }
        }
        if features.embedding_weight() > 0.0 {
            // Every item may be similar through its embedding: score them all.
            for other in 0..scratch.len() {
                if other != item {
                    let s = features.similarity_unchecked(item, other);
                    if s > self.min_similarity {
                        top.push(other as u32, s);
                    }
                }
            }
            touched.iter().for_each(|&o| scratch[o as usize] = 0.0);
        } else {
            for other in touched {
                let s = std::mem::take(&mut scratch[other as usize]);
                if other as usize != item && s > self.min_similarity {
                    top.push(other, s);
                }
            }
        }
        top.into_sorted_vec()
    }
}

/// Keeps the first `max` entries of every row of a CSR (rows sorted best first).
pub(crate) fn prune_rows(
    indptr: &mut [usize],
    items: &mut Vec<u32>,
    values: &mut Vec<f32>,
    max: usize,
) {
    let mut kept = 0;
    let mut start = 0;
    for end in indptr.iter_mut().skip(1) {
        let take = (*end - start).min(max);
        items.copy_within(start..start + take, kept);
        values.copy_within(start..start + take, kept);
        kept += take;
        start = *end;
        *end = kept;
    }
    items.truncate(kept);
    values.truncate(kept);
}

/// For every token, the items that have it and their values (the transposed feature matrix).
struct Postings {
    indptr: Vec<usize>,
    items: Vec<u32>,
    values: Vec<f32>,
}

impl Postings {
    fn new(features: &ContentFeatures) -> Self {
        let n_tokens = features.vocabulary().len();
        let mut counts = vec![0usize; n_tokens + 1];
        for &t in features.indices() {
            counts[t as usize + 1] += 1;
        }
        for t in 0..n_tokens {
            counts[t + 1] += counts[t];
        }
        let indptr = counts.clone();
        let mut next = counts;
        let nnz = features.indices().len();
        let (mut items, mut values) = (vec![0u32; nnz], vec![0.0f32; nnz]);
        for item in 0..features.n_items() {
            let (tokens, vals) = features.row(item);
            for (&t, &v) in tokens.iter().zip(vals) {
                let slot = next[t as usize];
                items[slot] = item as u32;
                values[slot] = v;
                next[t as usize] += 1;
            }
        }
        Self {
            indptr,
            items,
            values,
        }
    }

    fn list(&self, token: u32) -> (&[u32], &[f32]) {
        let range = self.indptr[token as usize]..self.indptr[token as usize + 1];
        (&self.items[range.clone()], &self.values[range])
    }
}

/// Every item's most content-similar items, most similar first (built by
/// [`ContentNeighborsConfig::fit`]). Items without interactions are included, so a new film
/// shows up as a neighbour of the films it resembles. Use
/// [`ContentFeatures::shared_tokens`] to say *why* two items are neighbours.
///
/// Packed artifacts store each list sorted by item with delta-coded ids; decoding restores the
/// order, most similar first (ties: lower item first).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "UncheckedNeighbors")]
pub struct ContentNeighbors {
    config: ContentNeighborsConfig,
    indptr: Vec<usize>,
    items: Vec<u32>,
    similarities: Vec<f32>,
}

/// The stored fields of [`ContentNeighbors`], in order (borrowed for encoding).
#[derive(Serialize)]
struct StoredNeighbors<'a> {
    config: &'a ContentNeighborsConfig,
    indptr: &'a [usize],
    #[serde(with = "crate::codec::ids")]
    items: &'a [u32],
    #[serde(with = "crate::codec::packed")]
    similarities: &'a [f32],
}

impl Serialize for ContentNeighbors {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let stored = |items, similarities| StoredNeighbors {
            config: &self.config,
            indptr: &self.indptr,
            items,
            similarities,
        };
        if crate::codec::delta_ids() {
            let (items, similarities) =
                crate::codec::rows::by_id(&self.indptr, &self.items, &self.similarities);
            stored(&items, &similarities).serialize(s)
        } else {
            stored(&self.items, &self.similarities).serialize(s)
        }
    }
}

/// [`ContentNeighbors`] as decoded, before its structure is checked.
#[derive(Deserialize)]
struct UncheckedNeighbors {
    config: ContentNeighborsConfig,
    indptr: Vec<usize>,
    #[serde(with = "crate::codec::ids")]
    items: Vec<u32>,
    #[serde(with = "crate::codec::packed")]
    similarities: Vec<f32>,
}

impl TryFrom<UncheckedNeighbors> for ContentNeighbors {
    type Error = Error;

    fn try_from(n: UncheckedNeighbors) -> Result<Self> {
        let corrupt = |reason: String| Error::CorruptArtifact {
            reason: format!("content neighbours: {reason}"),
        };
        let n_items = n.indptr.len().saturating_sub(1);
        // Neighbour lists are sorted by similarity, not by item.
        check_csr(
            "content neighbours",
            &n.indptr,
            &n.items,
            n.similarities.len(),
            n_items,
            RowOrder::Distinct,
        )?;
        check_finite("content neighbour similarities", &n.similarities)?;
        n.config
            .validate()
            .map_err(|err| corrupt(format!("configuration: {err}")))?;
        let mut neighbors = Self {
            config: n.config,
            indptr: n.indptr,
            items: n.items,
            similarities: n.similarities,
        };
        if crate::codec::delta_ids() {
            crate::codec::rows::by_value_desc(
                &neighbors.indptr,
                &mut neighbors.items,
                &mut neighbors.similarities,
            );
        }
        Ok(neighbors)
    }
}

impl ContentNeighbors {
    /// The configuration the neighbours were computed with.
    pub fn config(&self) -> &ContentNeighborsConfig {
        &self.config
    }

    /// Number of items.
    pub fn n_items(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// Keeps at most `max` neighbours per item, the most similar (for a smaller artifact).
    pub(crate) fn prune(&mut self, max: usize) {
        prune_rows(
            &mut self.indptr,
            &mut self.items,
            &mut self.similarities,
            max,
        );
    }

    /// Checks decoded neighbours against the `n_items` items of their features: a valid
    /// configuration and one list per item (decoding checked the lists themselves).
    pub(crate) fn validate(&self, n_items: usize) -> Result<()> {
        let corrupt = |reason: String| Error::CorruptArtifact { reason };
        self.config
            .validate()
            .map_err(|err| corrupt(format!("content neighbours configuration: {err}")))?;
        if self.n_items() != n_items || self.indptr.is_empty() {
            return Err(corrupt(format!(
                "content neighbours cover {} items, the features {n_items}",
                self.n_items()
            )));
        }
        Ok(())
    }

    /// The stored neighbours of `item` and their similarities, most similar first.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown item.
    pub fn neighbors(&self, item: u32) -> Result<(&[u32], &[f32])> {
        if item as usize >= self.n_items() {
            return Err(Error::IndexOutOfRange {
                what: "item",
                index: item as usize,
                len: self.n_items(),
            });
        }
        Ok(self.row(item as usize))
    }

    pub(crate) fn row(&self, item: usize) -> (&[u32], &[f32]) {
        let range = self.indptr[item]..self.indptr[item + 1];
        (&self.items[range.clone()], &self.similarities[range])
    }

    /// The stored similarity of `other` as a neighbour of `item` (0 when it is not one).
    pub(crate) fn stored_similarity(&self, item: usize, other: u32) -> f32 {
        let (items, sims) = self.row(item);
        items
            .iter()
            .position(|&i| i == other)
            .map_or(0.0, |p| sims[p])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_rows_keeps_the_first_entries_of_each_row() {
        let mut indptr = vec![0, 3, 3, 5];
        let mut items = vec![4, 2, 1, 0, 3];
        let mut values = vec![0.9, 0.5, 0.1, 0.8, 0.2];
        prune_rows(&mut indptr, &mut items, &mut values, 2);
        assert_eq!(indptr, [0, 2, 2, 4]);
        assert_eq!(items, [4, 2, 0, 3]);
        assert_eq!(values, [0.9, 0.5, 0.8, 0.2]);
        prune_rows(&mut indptr, &mut items, &mut values, 5);
        assert_eq!(indptr, [0, 2, 2, 4]);
    }
    use crate::data::{Catalog, Role};
    use crate::features::{ContentFeaturesConfig, TokenWeights};
    use proptest::prelude::*;

    #[test]
    fn neighbours_match_exact_similarities() {
        let mut c = Catalog::new();
        for item in 0..8u32 {
            c.item_mut(item)
                .unwrap()
                .add_genre(&format!("g{}", item % 3));
            c.item_mut(item).unwrap().year = Some(1990 + item as i32);
            c.add_credit(item, &format!("p{}", item % 2), None, Role::Actor)
                .unwrap();
        }
        c.ensure_len(10).unwrap();
        let f = ContentFeaturesConfig::new()
            .weights(TokenWeights::uniform(1.0))
            .min_df(2)
            .max_df(1.0)
            .fit(&c)
            .unwrap();
        let n = ContentNeighborsConfig::new().neighbors(4).fit(&f).unwrap();
        assert_eq!(n.n_items(), 10);
        for item in 0..10u32 {
            let (items, sims) = n.neighbors(item).unwrap();
            assert!(items.len() <= 4 && !items.contains(&item));
            assert!(sims.windows(2).all(|w| w[0] >= w[1]));
            for (&other, &s) in items.iter().zip(sims) {
                assert!((s - f.similarity(item, other).unwrap()).abs() < 1e-6);
            }
        }
        assert!(n.neighbors(8).unwrap().0.is_empty());
        assert!(n.neighbors(10).is_err());
        assert!(ContentNeighborsConfig::new().neighbors(0).fit(&f).is_err());
        let embeddings = ndarray::Array2::<f32>::from_shape_fn((10, 2), |(i, j)| (i + j) as f32);
        let dense = f.with_embeddings(embeddings.view(), 0.5).unwrap();
        let n = ContentNeighborsConfig::new()
            .neighbors(3)
            .fit(&dense)
            .unwrap();
        // Item 8 has no metadata but an embedding: it now has neighbours.
        assert_eq!(n.similar_items(8, 2).unwrap().len(), 2);
    }

    proptest! {
        #[test]
        fn stored_neighbours_are_the_best(
            genres in prop::collection::vec(prop::collection::vec(0u8..4, 0..3), 2..15),
            k in 1usize..5,
        ) {
            let mut c = Catalog::new();
            for (item, gs) in genres.iter().enumerate() {
                c.item_mut(item as u32).unwrap();
                gs.iter().for_each(|g| c.item_mut(item as u32).unwrap().add_genre(&format!("g{g}")));
            }
            let f = ContentFeaturesConfig::new().min_df(1).max_df(1.0).fit(&c).unwrap();
            let n = ContentNeighborsConfig::new().neighbors(k).fit(&f).unwrap();
            for item in 0..f.n_items() as u32 {
                let (items, sims) = n.neighbors(item).unwrap();
                let worst_kept = sims.last().copied().unwrap_or(f32::INFINITY);
                for other in 0..f.n_items() as u32 {
                    let s = f.similarity(item, other).unwrap();
                    if other != item && !items.contains(&other) && s > 0.0 {
                        // Left out only when the list is full of at-least-as-similar items.
                        prop_assert!(items.len() == k && s <= worst_kept + 1e-6);
                    }
                }
            }
        }
    }
}
