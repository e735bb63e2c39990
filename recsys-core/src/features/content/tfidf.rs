//! TF-IDF features: [`ContentFeaturesConfig`] and the fit that builds [`ContentFeatures`].

use super::tokens::{classify, title_words, token_string};
use super::*;

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
