//! Sparse TF-IDF content features built from a [`Catalog`], with optional dense embeddings.

use std::collections::BTreeMap;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::data::{Catalog, Credit, IdMap, ItemInfo, Role};
use crate::validate::{check_csr, check_finite, RowOrder};
use crate::{Error, Result};

mod embeddings;
mod tfidf;
mod tokens;

use embeddings::Embeddings;
pub use tfidf::ContentFeaturesConfig;
use tokens::N_KINDS;
pub use tokens::{TokenKind, TokenWeights, Vocabulary};

/// Item content vectors: an item × token CSR matrix of block-weighted TF-IDF values with
/// L2-normalised rows (items without metadata have empty rows), plus optional dense
/// embeddings. Built by [`ContentFeaturesConfig::fit`].
///
/// The content similarity of two items is
/// `(1 - w) · cos(tfidf_a, tfidf_b) + w · cos(emb_a, emb_b)` with `w` the embedding weight
/// (0 without embeddings); it is in `[0, 1]` for TF-IDF alone, `[-1, 1]` with embeddings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedFeatures")]
pub struct ContentFeatures {
    config: ContentFeaturesConfig,
    vocabulary: Vocabulary,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<f32>,
    embeddings: Option<Embeddings>,
}

/// [`ContentFeatures`] as decoded, before its structure is checked (a crafted artifact must
/// give an error, not a panic on first use).
#[derive(Deserialize)]
struct UncheckedFeatures {
    config: ContentFeaturesConfig,
    vocabulary: Vocabulary,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<f32>,
    embeddings: Option<Embeddings>,
}

impl TryFrom<UncheckedFeatures> for ContentFeatures {
    type Error = Error;

    fn try_from(f: UncheckedFeatures) -> Result<Self> {
        let corrupt = |reason: &str| Error::CorruptArtifact {
            reason: format!("content features: {reason}"),
        };
        let v = &f.vocabulary;
        let n_tokens = v.kinds.len();
        if v.tokens.len() != n_tokens
            || v.document_frequency.len() != n_tokens
            || v.idf.len() != n_tokens
        {
            return Err(corrupt("vocabulary columns differ in length"));
        }
        check_csr(
            "content features",
            &f.indptr,
            &f.indices,
            f.data.len(),
            n_tokens,
            RowOrder::Ascending,
        )?;
        check_finite("content features", &f.data)?;
        if let Some(e) = &f.embeddings {
            let n_items = f.indptr.len() - 1;
            if e.dim == 0
                || e.rows.len() != n_items.saturating_mul(e.dim)
                || !(0.0..=1.0).contains(&e.weight)
                || e.rows.iter().any(|x| !x.is_finite())
            {
                return Err(corrupt("embeddings do not match the items"));
            }
        }
        Ok(Self {
            config: f.config,
            vocabulary: f.vocabulary,
            indptr: f.indptr,
            indices: f.indices,
            data: f.data,
            embeddings: f.embeddings,
        })
    }
}

/// A token two items share, with its share of their TF-IDF dot product.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SharedToken {
    /// Token index in the [`Vocabulary`].
    pub token: u32,
    /// The token's kind.
    pub kind: TokenKind,
    /// `value_a · value_b`: how much this token adds to the two items' TF-IDF cosine.
    pub contribution: f32,
}

impl ContentFeatures {
    /// The configuration the features were built with.
    pub fn config(&self) -> &ContentFeaturesConfig {
        &self.config
    }

    /// The token vocabulary.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// Number of items (rows).
    pub fn n_items(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// CSR row pointers (`n_items + 1`).
    pub fn indptr(&self) -> &[usize] {
        &self.indptr
    }

    /// CSR token indices (ascending within a row).
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// CSR values.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// The item's tokens (ascending) and TF-IDF values.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown item.
    pub fn item_tokens(&self, item: u32) -> Result<(&[u32], &[f32])> {
        self.check_item(item)?;
        Ok(self.row(item as usize))
    }

    /// Whether the item has any content (TF-IDF tokens or a non-zero embedding).
    pub fn has_content(&self, item: u32) -> bool {
        let index = item as usize;
        if index >= self.n_items() {
            return false;
        }
        self.indptr[index + 1] > self.indptr[index]
            || self
                .embedding(index)
                .is_some_and(|e| e.iter().any(|&v| v != 0.0))
    }

    pub(crate) fn row(&self, item: usize) -> (&[u32], &[f32]) {
        let range = self.indptr[item]..self.indptr[item + 1];
        (&self.indices[range.clone()], &self.data[range])
    }

    /// The content similarity of items `a` and `b` (see the type's documentation).
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown item.
    pub fn similarity(&self, a: u32, b: u32) -> Result<f32> {
        self.check_item(a)?;
        self.check_item(b)?;
        Ok(self.similarity_unchecked(a as usize, b as usize))
    }

    pub(crate) fn similarity_unchecked(&self, a: usize, b: usize) -> f32 {
        let (ta, va) = self.row(a);
        let (tb, vb) = self.row(b);
        let sparse = sparse_dot(ta, va, tb, vb);
        match (&self.embeddings, self.embedding(a), self.embedding(b)) {
            (Some(e), Some(ea), Some(eb)) => {
                let dense: f32 = ea.iter().zip(eb).map(|(x, y)| x * y).sum();
                (1.0 - e.weight) * sparse + e.weight * dense
            }
            _ => sparse,
        }
    }

    /// `out[p] = similarity_unchecked(others[p], item)` for every `p`, bit for bit, with
    /// `item`'s row spread once into `scratch` (kept all zero between calls; grown to the
    /// vocabulary) instead of one sorted merge per pair.
    pub(crate) fn similarities_to(
        &self,
        item: usize,
        others: &[u32],
        scratch: &mut Vec<f32>,
        out: &mut Vec<f32>,
    ) {
        if scratch.len() < self.vocabulary.len() {
            scratch.resize(self.vocabulary.len(), 0.0);
        }
        let (tokens, values) = self.row(item);
        for (&t, &v) in tokens.iter().zip(values) {
            scratch[t as usize] = v;
        }
        let embedded = self.embeddings.as_ref().zip(self.embedding(item));
        out.clear();
        out.extend(others.iter().map(|&other| {
            let (to, vo) = self.row(other as usize);
            // The shared tokens in ascending order, as `sparse_dot`'s merge adds them (a token
            // `item` lacks reads 0 and is skipped).
            let mut sparse = 0.0f32;
            for (&t, &v) in to.iter().zip(vo) {
                let x = scratch[t as usize];
                if x != 0.0 {
                    sparse += v * x;
                }
            }
            match (embedded, self.embedding(other as usize)) {
                (Some((e, eb)), Some(ea)) => {
                    let dense: f32 = ea.iter().zip(eb).map(|(x, y)| x * y).sum();
                    (1.0 - e.weight) * sparse + e.weight * dense
                }
                _ => sparse,
            }
        }));
        for &t in tokens {
            scratch[t as usize] = 0.0;
        }
    }

    /// The tokens items `a` and `b` share, largest contribution to their similarity first
    /// (ties by token index). An explanation can count them by kind ("shares the director and
    /// 2 cast members with …") with [`count_by_kind`].
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an unknown item.
    pub fn shared_tokens(&self, a: u32, b: u32) -> Result<Vec<SharedToken>> {
        self.check_item(a)?;
        self.check_item(b)?;
        let (ta, va) = self.row(a as usize);
        let (tb, vb) = self.row(b as usize);
        let mut shared: Vec<SharedToken> = shared_positions(ta, tb)
            .map(|(i, j)| SharedToken {
                token: ta[i],
                kind: self.vocabulary.kinds[ta[i] as usize],
                contribution: va[i] * vb[j],
            })
            .collect();
        sort_by_contribution(&mut shared);
        Ok(shared)
    }

    /// The catalog credit a person token stands for (`director:m.0bln8` → that person as
    /// director), so an explanation can name them ([`Catalog::person_name`]); `None` for
    /// other kinds or people unknown to `catalog`.
    ///
    /// ```
    /// use recsys_core::data::{Catalog, Role};
    /// use recsys_core::features::ContentFeaturesConfig;
    /// let mut catalog = Catalog::new();
    /// for item in 0..2 {
    ///     catalog.add_credit(item, "m.coen", Some("Joel Coen"), Role::Director).unwrap();
    /// }
    /// let features = ContentFeaturesConfig::new().min_df(2).max_df(1.0).fit(&catalog).unwrap();
    /// let token = features.shared_tokens(0, 1).unwrap()[0].token;
    /// let credit = features.token_credit(token, &catalog).unwrap();
    /// assert_eq!((credit.role, catalog.person_name(credit.person)), (Role::Director, Some("Joel Coen")));
    /// ```
    pub fn token_credit(&self, token: u32, catalog: &Catalog) -> Option<Credit> {
        let role = self.vocabulary.kind(token)?.role()?;
        let person = catalog.person_index(self.vocabulary.text(token)?)?;
        Some(Credit { person, role })
    }

    pub(crate) fn check_item(&self, item: u32) -> Result<()> {
        if (item as usize) < self.n_items() {
            Ok(())
        } else {
            Err(Error::IndexOutOfRange {
                what: "item",
                index: item as usize,
                len: self.n_items(),
            })
        }
    }
}

/// How many shared tokens of each kind, in [`TokenKind::ALL`] order, kinds with none left out.
///
/// ```
/// use recsys_core::features::{count_by_kind, SharedToken, TokenKind};
/// let shared = [
///     SharedToken { token: 3, kind: TokenKind::Actor, contribution: 0.1 },
///     SharedToken { token: 0, kind: TokenKind::Director, contribution: 0.2 },
///     SharedToken { token: 4, kind: TokenKind::Actor, contribution: 0.1 },
/// ];
/// assert_eq!(count_by_kind(&shared), vec![(TokenKind::Actor, 2), (TokenKind::Director, 1)]);
/// ```
pub fn count_by_kind(shared: &[SharedToken]) -> Vec<(TokenKind, usize)> {
    let mut counts = [0usize; N_KINDS];
    for token in shared {
        counts[token.kind.index()] += 1;
    }
    TokenKind::ALL
        .iter()
        .zip(counts)
        .filter(|(_, c)| *c > 0)
        .map(|(&k, c)| (k, c))
        .collect()
}

/// Dot product of two sparse vectors with ascending indices.
pub(crate) fn sparse_dot(ta: &[u32], va: &[f32], tb: &[u32], vb: &[f32]) -> f32 {
    shared_positions(ta, tb).map(|(i, j)| va[i] * vb[j]).sum()
}

/// Positions `(i, j)` with `a[i] == b[j]`, for two ascending index lists (a sorted merge).
pub(crate) fn shared_positions<'a>(
    a: &'a [u32],
    b: &'a [u32],
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let found = (i, j);
                    i += 1;
                    j += 1;
                    return Some(found);
                }
            }
        }
        None
    })
}

/// Largest contribution first, ties by token index.
pub(crate) fn sort_by_contribution(tokens: &mut [SharedToken]) {
    tokens.sort_by(|x, y| {
        y.contribution
            .total_cmp(&x.contribution)
            .then(x.token.cmp(&y.token))
    });
}

#[cfg(test)]
mod tests {
    use super::tokens::classify;
    use super::*;
    use proptest::prelude::*;

    /// Every kind but title words at weight 1, tokens of 2+ items kept, 2-year buckets.
    fn every_kind() -> ContentFeaturesConfig {
        ContentFeaturesConfig::new()
            .weights(TokenWeights::uniform(1.0).with(TokenKind::TitleWord, 0.0))
            .min_df(2)
            .max_df(1.0)
            .year_bucket(2)
    }

    fn small_catalog() -> Catalog {
        let mut c = Catalog::new();
        let films = [
            ("Fargo", 1996, &["Crime", "Thriller"][..]),
            ("Blood Simple", 1984, &["Crime"][..]),
            ("Toy Story", 1995, &["Animation", "Comedy"][..]),
            ("Heat", 1995, &["Crime", "Action"][..]),
        ];
        for (item, (title, year, genres)) in films.iter().enumerate() {
            let info = c.item_mut(item as u32).unwrap();
            info.title = Some((*title).into());
            info.year = Some(*year);
            genres.iter().for_each(|g| info.add_genre(g));
        }
        c.add_credit(0, "coen", Some("Joel Coen"), Role::Director)
            .unwrap();
        c.add_credit(1, "coen", None, Role::Director).unwrap();
        c.add_credit(0, "mcdormand", None, Role::Actor).unwrap();
        c.add_credit(1, "mcdormand", None, Role::Actor).unwrap();
        c.add_credit(3, "deniro", None, Role::Actor).unwrap();
        c.ensure_len(6).unwrap(); // items 4 and 5 have no metadata
        c
    }

    #[test]
    fn rows_are_unit_length_and_sorted() {
        let f = every_kind().fit(&small_catalog()).unwrap();
        assert_eq!(f.n_items(), 6);
        for item in 0..4 {
            let (t, v) = f.item_tokens(item).unwrap();
            assert!(t.windows(2).all(|w| w[0] < w[1]));
            let norm: f32 = v.iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-5, "item {item}: {norm}");
        }
        assert!(f.item_tokens(4).unwrap().0.is_empty());
        assert!(!f.has_content(5));
        assert!(f.item_tokens(6).is_err());
        // "deniro" is in one item only: dropped by min_df = 2.
        assert_eq!(f.vocabulary().find(TokenKind::Actor, "deniro"), None);
        let coen = f.vocabulary().find(TokenKind::Director, "coen").unwrap();
        assert_eq!(f.vocabulary().text(coen), Some("coen"));
        assert_eq!(f.vocabulary().document_frequency(coen), Some(2));
    }

    #[test]
    fn shared_tokens_explain_the_similarity() {
        let f = every_kind().fit(&small_catalog()).unwrap();
        let shared = f.shared_tokens(0, 1).unwrap();
        let kinds = count_by_kind(&shared);
        assert!(kinds.contains(&(TokenKind::Director, 1)));
        assert!(kinds.contains(&(TokenKind::Actor, 1)));
        assert!(kinds.contains(&(TokenKind::Genre, 1)));
        let total: f32 = shared.iter().map(|s| s.contribution).sum();
        assert!((total - f.similarity(0, 1).unwrap()).abs() < 1e-6);
        assert!(f.similarity(0, 1).unwrap() > f.similarity(0, 3).unwrap());
        assert_eq!(f.similarity(0, 4).unwrap(), 0.0);
        assert!(f.shared_tokens(0, 4).unwrap().is_empty());
    }

    #[test]
    fn weights_shift_similarity_between_kinds() {
        let people_only = every_kind()
            .weights(TokenWeights::uniform(0.0).with(TokenKind::Actor, 1.0))
            .fit(&small_catalog())
            .unwrap();
        assert!((people_only.similarity(0, 1).unwrap() - 1.0).abs() < 1e-6);
        assert_eq!(people_only.similarity(0, 3).unwrap(), 0.0);
        assert!(ContentFeaturesConfig::new()
            .weights(TokenWeights::uniform(0.0))
            .fit(&Catalog::new())
            .is_err());
        assert!(ContentFeaturesConfig::new()
            .year_bucket(0)
            .validate()
            .is_err());
        assert!(ContentFeaturesConfig::new().max_df(0.0).validate().is_err());
        assert!(ContentFeaturesConfig::new()
            .weight(TokenKind::Genre, f32::NAN)
            .validate()
            .is_err());
    }

    #[test]
    fn year_and_title_tokens() {
        let f = every_kind()
            .weight(TokenKind::TitleWord, 1.0)
            .min_df(1)
            .max_df(1.0)
            .fit(&small_catalog())
            .unwrap();
        let v = f.vocabulary();
        assert!(v.find(TokenKind::Decade, "1990s").is_some());
        assert!(v.find(TokenKind::Year, "1994-1995").is_some());
        assert!(v.find(TokenKind::TitleWord, "toy").is_some());
        assert_eq!(classify("film.x=m.1"), (TokenKind::Attribute, "film.x=m.1"));
        assert_eq!(classify("writer:m.1"), (TokenKind::Writer, "m.1"));
    }

    #[test]
    fn embeddings_are_checked() {
        let f = every_kind().fit(&small_catalog()).unwrap();
        let good = ndarray::Array2::<f32>::ones((6, 3));
        assert!(f.clone().with_embeddings(good.view(), 1.5).is_err());
        let short = ndarray::Array2::<f32>::ones((5, 3));
        assert!(matches!(
            f.clone().with_embeddings(short.view(), 0.5),
            Err(Error::DimensionMismatch { .. })
        ));
        let mut nan = good.clone();
        nan[[2, 1]] = f32::NAN;
        assert!(matches!(
            f.clone().with_embeddings(nan.view(), 0.5),
            Err(Error::NonFinite { .. })
        ));
        let with = f.with_embeddings(good.view(), 1.0).unwrap();
        assert!((with.similarity(4, 5).unwrap() - 1.0).abs() < 1e-6);
        assert!(with.has_content(4));
    }

    #[test]
    fn extreme_embedding_values_still_normalise() {
        let mut catalog = Catalog::new();
        catalog.ensure_len(3).unwrap();
        let features = ContentFeaturesConfig::new().fit(&catalog).unwrap();
        let rows = ndarray::array![[f32::MAX, f32::MAX], [1e-30, 0.0], [0.0, 0.0]];
        let with = features.with_embeddings(rows.view(), 1.0).unwrap();
        for item in 0..2 {
            let s = with.similarity(item, item).unwrap();
            assert!((s - 1.0).abs() < 1e-6, "item {item}: self-similarity {s}");
        }
        assert!(!with.has_content(2));
    }

    #[test]
    fn corrupt_structures_are_rejected_on_decoding() {
        let f = every_kind().fit(&small_catalog()).unwrap();
        let config = bincode::config::standard();
        let decode = |f: &ContentFeatures| {
            let bytes = bincode::serde::encode_to_vec(f, config).unwrap();
            bincode::serde::decode_from_slice::<ContentFeatures, _>(&bytes, config).map(|d| d.0)
        };
        assert_eq!(decode(&f).unwrap(), f);
        let mut bad = f.clone();
        bad.indices[0] = 1_000;
        assert!(decode(&bad).is_err());
        let mut bad = f.clone();
        bad.indptr[1] = bad.indices.len() + 1;
        assert!(decode(&bad).is_err());
        let mut bad = f.clone();
        bad.data.pop();
        assert!(decode(&bad).is_err());
        let mut bad = f;
        bad.vocabulary.idf.pop();
        assert!(decode(&bad).is_err());
    }

    /// A random catalog: up to 12 items, each with random genres, people and years (some items
    /// have nothing at all).
    fn arbitrary_catalog() -> impl Strategy<Value = Catalog> {
        let item = (
            prop::collection::vec(0u8..5, 0..3),
            prop::collection::vec((0u8..6, 0usize..4), 0..5),
            prop::option::of(1900i32..2030),
        );
        prop::collection::vec(item, 1..12).prop_map(|items| {
            let mut c = Catalog::new();
            for (index, (genres, people, year)) in items.iter().enumerate() {
                let index = index as u32;
                let info = c.item_mut(index).unwrap();
                info.year = *year;
                genres.iter().for_each(|g| info.add_genre(&format!("g{g}")));
                for &(person, role) in people {
                    c.add_credit(index, &format!("p{person}"), None, Role::ALL[role])
                        .unwrap();
                }
            }
            c
        })
    }

    proptest! {
        #[test]
        fn similarity_is_symmetric_bounded_and_shared_tokens_are_shared(
            catalog in arbitrary_catalog(),
            min_df in 1u32..3,
        ) {
            let f = every_kind().min_df(min_df).fit(&catalog).unwrap();
            let n = f.n_items() as u32;
            for a in 0..n {
                for b in 0..n {
                    let s = f.similarity(a, b).unwrap();
                    prop_assert!(s.is_finite() && (-1e-6..=1.0 + 1e-5).contains(&s));
                    prop_assert!((s - f.similarity(b, a).unwrap()).abs() < 1e-6);
                    let (ta, _) = f.item_tokens(a).unwrap();
                    let (tb, _) = f.item_tokens(b).unwrap();
                    for t in f.shared_tokens(a, b).unwrap() {
                        prop_assert!(ta.contains(&t.token) && tb.contains(&t.token));
                        prop_assert_eq!(Some(t.kind), f.vocabulary().kind(t.token));
                    }
                }
                if f.has_content(a) {
                    prop_assert!((f.similarity(a, a).unwrap() - 1.0).abs() < 1e-5);
                }
            }
        }
    }
}
