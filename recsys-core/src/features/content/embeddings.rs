//! Dense item embeddings mixed into content similarity.

use super::*;

/// Caller-supplied dense item vectors, L2-normalised, mixed into similarities with `weight`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Embeddings {
    pub(super) dim: usize,
    pub(super) weight: f32,
    /// Row-major, `n_items × dim`; all-zero rows for items without an embedding.
    pub(super) rows: Vec<f32>,
}

impl ContentFeatures {
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
}
