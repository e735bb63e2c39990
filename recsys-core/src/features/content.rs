//! Sparse TF-IDF content features built from a [`Catalog`], with optional dense embeddings.

use std::collections::BTreeMap;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::data::{Catalog, Credit, IdMap, ItemInfo, Role};
use crate::validate::{check_csr, check_finite, RowOrder};
use crate::{Error, Result};

/// What a content token describes. Tokens of one kind form one block of an item's vector, so a
/// kind's weight sets its share of the similarity (see [`ContentFeaturesConfig`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TokenKind {
    /// A genre of the item file (`genre:comedy`).
    Genre,
    /// The release decade (`decade:1990s`).
    Decade,
    /// The release year in buckets of [`ContentFeaturesConfig::year_bucket`] years
    /// (`year:1995`; `year:1994-1995` with 2-year buckets).
    Year,
    /// A user tag (`tag:twist ending`); repeated tags weigh more (`1 + ln(count)`).
    Tag,
    /// A cast member (`actor:<person id>`).
    Actor,
    /// A director (`director:<person id>`).
    Director,
    /// A writer (`writer:<person id>`).
    Writer,
    /// A producer (`producer:<person id>`).
    Producer,
    /// Any other catalog fact (`attr:film.film.language=m.02h40lc`): knowledge-graph genres,
    /// languages, countries, awards, studios, …
    Attribute,
    /// A lowercased word of the title (`title:star`), stop words and one-letter words left out.
    TitleWord,
}

/// Number of [`TokenKind`]s.
const N_KINDS: usize = 10;

impl TokenKind {
    /// Every kind, in declaration order.
    pub const ALL: [TokenKind; N_KINDS] = [
        TokenKind::Genre,
        TokenKind::Decade,
        TokenKind::Year,
        TokenKind::Tag,
        TokenKind::Actor,
        TokenKind::Director,
        TokenKind::Writer,
        TokenKind::Producer,
        TokenKind::Attribute,
        TokenKind::TitleWord,
    ];

    /// The prefix of this kind's token strings: `genre`, `decade`, `year`, `tag`, `actor`,
    /// `director`, `writer`, `producer`, `attr`, `title`.
    ///
    /// ```
    /// use recsys_core::features::TokenKind;
    /// assert_eq!(TokenKind::Director.as_str(), "director");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Genre => "genre",
            TokenKind::Decade => "decade",
            TokenKind::Year => "year",
            TokenKind::Tag => "tag",
            TokenKind::Actor => "actor",
            TokenKind::Director => "director",
            TokenKind::Writer => "writer",
            TokenKind::Producer => "producer",
            TokenKind::Attribute => "attr",
            TokenKind::TitleWord => "title",
        }
    }

    /// The kind of a person's credit.
    pub fn from_role(role: Role) -> Self {
        match role {
            Role::Actor => TokenKind::Actor,
            Role::Director => TokenKind::Director,
            Role::Writer => TokenKind::Writer,
            Role::Producer => TokenKind::Producer,
        }
    }

    /// The credit role of a person kind, `None` for other kinds.
    pub fn role(self) -> Option<Role> {
        match self {
            TokenKind::Actor => Some(Role::Actor),
            TokenKind::Director => Some(Role::Director),
            TokenKind::Writer => Some(Role::Writer),
            TokenKind::Producer => Some(Role::Producer),
            _ => None,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One weight per [`TokenKind`]; a kind with weight 0 is left out of the features.
///
/// ```
/// use recsys_core::features::{TokenKind, TokenWeights};
/// let w = TokenWeights::uniform(1.0).with(TokenKind::Actor, 0.5);
/// assert_eq!(w.get(TokenKind::Actor), 0.5);
/// assert_eq!(w.get(TokenKind::Genre), 1.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenWeights([f32; N_KINDS]);

impl TokenWeights {
    /// The same weight for every kind.
    pub fn uniform(weight: f32) -> Self {
        Self([weight; N_KINDS])
    }

    /// The weight of `kind`.
    pub fn get(&self, kind: TokenKind) -> f32 {
        self.0[kind.index()]
    }

    /// Sets the weight of `kind`.
    pub fn with(mut self, kind: TokenKind, weight: f32) -> Self {
        self.0[kind.index()] = weight;
        self
    }
}

impl Default for TokenWeights {
    /// Weights chosen on the MovieLens-100K validation split (content-only nDCG@10, coordinate
    /// search in `tests/content_movielens.rs`): genres 2, decade 2, year 0.5, tags 1 (ML-100K
    /// has none), directors 1, writers 1; actors, producers, other attributes and title words 0.
    ///
    /// The people weights could not really be tuned there: in the RecBole ML-100K knowledge
    /// graph, films that share a "director" are no closer in year or genre than random pairs
    /// (mean |Δyear| 11.2 vs 11.5, share a genre 33 % vs 35 %), so the item ↔ entity links look
    /// scrambled and cast tokens only add noise (actors at 0.25: nDCG 0.048 instead of 0.053).
    /// With a catalog whose credits are trustworthy, try actors at 0.25–0.5.
    fn default() -> Self {
        Self([2.0, 2.0, 0.5, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    }
}

/// Hyper-parameters of [`ContentFeatures`].
///
/// Each item's vector is built kind by kind: TF-IDF values (`tf · idf`, smoothed
/// `idf = ln((1 + N) / (1 + df)) + 1`) of the kind's tokens are L2-normalised as a block and
/// scaled by the kind's weight; the whole row is then L2-normalised. So a film with 30 actors and
/// one genre does not let the cast drown the genre, and the cosine of two items is a weighted
/// mix of per-kind cosines.
///
/// ```
/// use recsys_core::data::{Catalog, Role};
/// use recsys_core::features::{ContentFeaturesConfig, TokenKind};
/// let mut catalog = Catalog::new();
/// for (item, genre) in [(0, "Crime"), (1, "Crime"), (2, "Comedy")] {
///     catalog.item_mut(item).unwrap().add_genre(genre);
///     catalog.item_mut(item).unwrap().year = Some(1996);
/// }
/// catalog.add_credit(0, "coen", None, Role::Director).unwrap();
/// catalog.add_credit(1, "coen", None, Role::Director).unwrap();
/// // A tiny catalog: keep tokens shared by 2 items, however common.
/// let config = ContentFeaturesConfig::new().min_df(2).max_df(1.0);
/// let features = config.fit(&catalog).unwrap();
/// let shared = features.shared_tokens(0, 1).unwrap();
/// assert!(shared.iter().any(|t| t.kind == TokenKind::Director));
/// assert!(features.similarity(0, 1).unwrap() > features.similarity(0, 2).unwrap());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContentFeaturesConfig {
    weights: TokenWeights,
    year_bucket: u32,
    min_df: u32,
    max_df: f32,
}

impl Default for ContentFeaturesConfig {
    fn default() -> Self {
        Self {
            weights: TokenWeights::default(),
            year_bucket: 1,
            min_df: 3,
            max_df: 0.2,
        }
    }
}

impl ContentFeaturesConfig {
    /// Defaults (chosen on the MovieLens-100K validation split): [`TokenWeights::default`],
    /// 1-year buckets, tokens kept when they occur in at least 3 items (`min_df`) and at most
    /// 20 % of the items with content (`max_df = 0.2`: on ML-100K this drops "Drama" and
    /// "Comedy", which made every drama look alike).
    pub fn new() -> Self {
        Self::default()
    }

    /// Weight of every token kind.
    pub fn weights(mut self, weights: TokenWeights) -> Self {
        self.weights = weights;
        self
    }

    /// Weight of one token kind (0 leaves the kind out).
    pub fn weight(mut self, kind: TokenKind, weight: f32) -> Self {
        self.weights = self.weights.with(kind, weight);
        self
    }

    /// Years per [`TokenKind::Year`] bucket (≥ 1).
    pub fn year_bucket(mut self, years: u32) -> Self {
        self.year_bucket = years;
        self
    }

    /// Tokens found in fewer items are dropped: a token of one item is never shared, it only
    /// dilutes that item's vector.
    pub fn min_df(mut self, items: u32) -> Self {
        self.min_df = items;
        self
    }

    /// Tokens found in more than this fraction (in `(0, 1]`) of the items with content are
    /// dropped (e.g. "language: English"): they say little and cost time.
    pub fn max_df(mut self, fraction: f32) -> Self {
        self.max_df = fraction;
        self
    }

    /// The configured weights.
    pub fn token_weights(&self) -> &TokenWeights {
        &self.weights
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a negative or non-finite weight, all weights zero, a zero
    /// year bucket, or `max_df` outside `(0, 1]`.
    pub fn validate(&self) -> Result<()> {
        for kind in TokenKind::ALL {
            let w = self.weights.get(kind);
            if !w.is_finite() || w < 0.0 {
                return Err(Error::invalid(
                    "weights",
                    format!(
                        "weight of {} must be finite and ≥ 0, got {w}",
                        kind.as_str()
                    ),
                ));
            }
        }
        if TokenKind::ALL.iter().all(|&k| self.weights.get(k) == 0.0) {
            return Err(Error::invalid("weights", "at least one weight must be > 0"));
        }
        if self.year_bucket == 0 {
            return Err(Error::invalid("year_bucket", "must be ≥ 1"));
        }
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(Error::invalid(
                "max_df",
                format!("must be in (0, 1], got {}", self.max_df),
            ));
        }
        Ok(())
    }

    /// Builds the features of every catalog item.
    ///
    /// # Errors
    /// Those of [`ContentFeaturesConfig::validate`].
    pub fn fit(&self, catalog: &Catalog) -> Result<ContentFeatures> {
        self.fit_items(catalog, catalog.len())
    }

    /// Builds features for `n_items` items (at least the catalog's length is used): items past
    /// the catalog's end have no metadata and an empty row.
    ///
    /// # Errors
    /// Those of [`ContentFeaturesConfig::validate`]; [`Error::InvalidParameter`] when
    /// `n_items` exceeds the catalog's length by more than
    /// [`MAX_UNBACKED_LEN`](crate::data::MAX_UNBACKED_LEN).
    pub fn fit_items(&self, catalog: &Catalog, n_items: usize) -> Result<ContentFeatures> {
        self.validate()?;
        crate::data::check_unbacked_len("n_items", n_items, catalog.len())?;
        let n_items = n_items.max(catalog.len());
        let raw: Vec<Vec<(TokenKind, String, f32)>> = (0..n_items)
            .map(|item| self.raw_tokens(catalog, item as u32))
            .collect();

        // Document frequency of every token, keyed by (kind, text) so the vocabulary comes out
        // sorted by kind and each kind's tokens are contiguous.
        let mut df: BTreeMap<(TokenKind, &str), u32> = BTreeMap::new();
        for tokens in &raw {
            for (kind, text, _) in tokens {
                *df.entry((*kind, text.as_str())).or_insert(0) += 1;
            }
        }
        let n_with_content = raw.iter().filter(|t| !t.is_empty()).count();
        let max_df = (self.max_df as f64 * n_with_content as f64)
            .floor()
            .max(1.0) as u32;
        let mut vocabulary = Vocabulary::default();
        for (&(kind, text), &count) in &df {
            if count >= self.min_df && count <= max_df {
                let idf = ((1.0 + n_with_content as f64) / (1.0 + count as f64)).ln() + 1.0;
                vocabulary.push(kind, text, count, idf as f32);
            }
        }

        let mut indptr = Vec::with_capacity(n_items + 1);
        indptr.push(0);
        let (mut indices, mut data) = (Vec::new(), Vec::new());
        let mut row: Vec<(u32, TokenKind, f32)> = Vec::new();
        for tokens in &raw {
            row.clear();
            for (kind, text, tf) in tokens {
                if let Some(index) = vocabulary.index_of(&token_string(*kind, text)) {
                    row.push((index, *kind, tf * vocabulary.idf[index as usize]));
                }
            }
            row.sort_unstable_by_key(|&(index, ..)| index);
            row.dedup_by_key(|&mut (index, ..)| index);
            weigh_blocks(&mut row, &self.weights);
            for &(index, _, value) in &row {
                indices.push(index);
                data.push(value);
            }
            indptr.push(indices.len());
        }
        Ok(ContentFeatures {
            config: self.clone(),
            vocabulary,
            indptr,
            indices,
            data,
            embeddings: None,
        })
    }

    /// The weighted-in kinds' raw tokens of one item: `(kind, text after the prefix, tf)`.
    fn raw_tokens(&self, catalog: &Catalog, item: u32) -> Vec<(TokenKind, String, f32)> {
        let mut out = Vec::new();
        let Some(info) = catalog.item(item) else {
            return out;
        };
        for (token, count) in catalog.content_tokens(item) {
            let (kind, text) = classify(&token);
            out.push((kind, text.to_owned(), 1.0 + (count.max(1) as f32).ln()));
        }
        if let Some(year) = info.year {
            out.push((
                TokenKind::Decade,
                format!("{}s", year.div_euclid(10) * 10),
                1.0,
            ));
            let width = self.year_bucket as i32;
            let start = year.div_euclid(width) * width;
            let text = if width == 1 {
                start.to_string()
            } else {
                format!("{start}-{}", start + width - 1)
            };
            out.push((TokenKind::Year, text, 1.0));
        }
        out.extend(
            title_words(info)
                .into_iter()
                .map(|w| (TokenKind::TitleWord, w, 1.0)),
        );
        out.retain(|(kind, ..)| self.weights.get(*kind) > 0.0);
        out
    }
}

/// Splits a [`Catalog::content_tokens`] string into its kind and the text after the prefix.
fn classify(token: &str) -> (TokenKind, &str) {
    if let Some((prefix, rest)) = token.split_once(':') {
        let kind = match prefix {
            "genre" => Some(TokenKind::Genre),
            "tag" => Some(TokenKind::Tag),
            "actor" => Some(TokenKind::Actor),
            "director" => Some(TokenKind::Director),
            "writer" => Some(TokenKind::Writer),
            "producer" => Some(TokenKind::Producer),
            _ => None,
        };
        if let Some(kind) = kind {
            return (kind, rest);
        }
    }
    (TokenKind::Attribute, token)
}

/// Words too common in titles to say anything about the content.
const TITLE_STOP_WORDS: [&str; 12] = [
    "the", "a", "an", "of", "and", "in", "to", "on", "for", "la", "le", "de",
];

fn title_words(info: &ItemInfo) -> Vec<String> {
    let Some(title) = info.title.as_deref() else {
        return Vec::new();
    };
    let mut words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() > 1 && !TITLE_STOP_WORDS.contains(&w.as_str()))
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

fn token_string(kind: TokenKind, text: &str) -> String {
    format!("{}:{text}", kind.as_str())
}

/// L2-normalises each kind's block of `row` (sorted by index, so blocks are contiguous), scales
/// it by the kind's weight, then L2-normalises the whole row.
fn weigh_blocks(row: &mut [(u32, TokenKind, f32)], weights: &TokenWeights) {
    for block in row.chunk_by_mut(|a, b| a.1 == b.1) {
        let norm = block.iter().map(|e| e.2 * e.2).sum::<f32>().sqrt();
        let scale = if norm > 0.0 {
            weights.get(block[0].1) / norm
        } else {
            0.0
        };
        block.iter_mut().for_each(|e| e.2 *= scale);
    }
    let norm = row.iter().map(|e| e.2 * e.2).sum::<f32>().sqrt();
    if norm > 0.0 {
        row.iter_mut().for_each(|e| e.2 /= norm);
    }
}

/// The tokens of a [`ContentFeatures`]: strings `"<kind>:<text>"` ⇄ dense indices, with each
/// token's kind, document frequency and IDF. Tokens are sorted by kind, then text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Vocabulary {
    tokens: IdMap,
    kinds: Vec<TokenKind>,
    document_frequency: Vec<u32>,
    idf: Vec<f32>,
}

impl Vocabulary {
    fn push(&mut self, kind: TokenKind, text: &str, df: u32, idf: f32) {
        self.tokens.get_or_insert(&token_string(kind, text));
        self.kinds.push(kind);
        self.document_frequency.push(df);
        self.idf.push(idf);
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// The index of a token string such as `"genre:comedy"`.
    pub fn index_of(&self, token: &str) -> Option<u32> {
        self.tokens.index_of(token)
    }

    /// The index of the token of `kind` with `text` (e.g. `(Director, "m.0bln8")`).
    pub fn find(&self, kind: TokenKind, text: &str) -> Option<u32> {
        self.index_of(&token_string(kind, text))
    }

    /// The full token string, e.g. `"director:m.0bln8"`.
    pub fn token(&self, index: u32) -> Option<&str> {
        self.tokens.id_of(index)
    }

    /// The token's text after its kind prefix: a genre name, a person id, `key=value`, …
    pub fn text(&self, index: u32) -> Option<&str> {
        let kind = self.kind(index)?;
        self.token(index)?.get(kind.as_str().len() + 1..)
    }

    /// The token's kind.
    pub fn kind(&self, index: u32) -> Option<TokenKind> {
        self.kinds.get(index as usize).copied()
    }

    /// How many items have the token.
    pub fn document_frequency(&self, index: u32) -> Option<u32> {
        self.document_frequency.get(index as usize).copied()
    }

    /// The token's inverse document frequency.
    pub fn idf(&self, index: u32) -> Option<f32> {
        self.idf.get(index as usize).copied()
    }
}

/// Caller-supplied dense item vectors, L2-normalised, mixed into similarities with `weight`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Embeddings {
    dim: usize,
    weight: f32,
    /// Row-major, `n_items × dim`; all-zero rows for items without an embedding.
    rows: Vec<f32>,
}

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

    /// Weight of the dense embeddings in similarities (0 without embeddings).
    pub fn embedding_weight(&self) -> f32 {
        self.embeddings.as_ref().map_or(0.0, |e| e.weight)
    }

    /// Dimension of the dense embeddings, if any.
    pub fn embedding_dim(&self) -> Option<usize> {
        self.embeddings.as_ref().map(|e| e.dim)
    }

    /// The L2-normalised embedding of `item`, if embeddings were supplied.
    pub(crate) fn embedding(&self, item: usize) -> Option<&[f32]> {
        let e = self.embeddings.as_ref()?;
        e.rows.get(item * e.dim..(item + 1) * e.dim)
    }

    /// Adds caller-supplied dense item embeddings (one row per item, e.g. from a sentence
    /// model over plots), mixed into every similarity with `weight` in `[0, 1]`. Rows are
    /// L2-normalised; an all-zero row means "no embedding" for that item.
    ///
    /// ```
    /// use ndarray::array;
    /// use recsys_core::data::Catalog;
    /// use recsys_core::features::ContentFeaturesConfig;
    /// let mut catalog = Catalog::new();
    /// catalog.ensure_len(2).unwrap();
    /// let features = ContentFeaturesConfig::new().fit(&catalog).unwrap();
    /// let with = features.with_embeddings(array![[1.0, 0.0], [1.0, 1.0]].view(), 0.5).unwrap();
    /// let s = with.similarity(0, 1).unwrap();
    /// assert!((s - 0.5 * std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
    /// ```
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] unless there is one row per item, [`Error::EmptyInput`] for
    /// zero columns, [`Error::NonFinite`] for NaN or infinite values, [`Error::InvalidParameter`]
    /// for a weight outside `[0, 1]`.
    pub fn with_embeddings(mut self, embeddings: ArrayView2<'_, f32>, weight: f32) -> Result<Self> {
        let (rows, dim) = embeddings.dim();
        if rows != self.n_items() {
            return Err(Error::DimensionMismatch {
                context: "item embeddings (one row per item)".into(),
                expected: self.n_items(),
                got: rows,
            });
        }
        if dim == 0 {
            return Err(Error::EmptyInput {
                what: "item embeddings have no columns".into(),
            });
        }
        if !(0.0..=1.0).contains(&weight) {
            return Err(Error::invalid(
                "weight",
                format!("embedding weight must be in [0, 1], got {weight}"),
            ));
        }
        let mut flat = Vec::with_capacity(rows * dim);
        for (item, row) in embeddings.outer_iter().enumerate() {
            let start = flat.len();
            for (column, &v) in row.iter().enumerate() {
                crate::error::ensure_finite(f64::from(v), || {
                    format!("embedding of item {item}, column {column}")
                })?;
                flat.push(v);
            }
            // In f64: squares of large (> 1.8e19) or tiny (< 1e-19) f32 values overflow or
            // vanish, which turned such rows into all-zero "no embedding" rows.
            let norm = flat[start..]
                .iter()
                .map(|&v| f64::from(v) * f64::from(v))
                .sum::<f64>()
                .sqrt();
            if norm > 0.0 {
                flat[start..]
                    .iter_mut()
                    .for_each(|v| *v = (f64::from(*v) / norm) as f32);
            }
        }
        self.embeddings = Some(Embeddings {
            dim,
            weight,
            rows: flat,
        });
        Ok(self)
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
