//! Sentence-transformer text embeddings of items (feature `embeddings`): a BERT model such as
//! `sentence-transformers/all-MiniLM-L6-v2`, loaded from a Hugging Face snapshot (by repo id
//! through the Hub cache, or from a directory), embeds each item's text (title, year, genres,
//! tags, people, synopsis) with mean pooling and L2 normalisation, as sentence-transformers
//! does. The vectors are computed once, at training time, and stored in the artifact
//! ([`RecommenderBuilder::item_embeddings`](crate::recommender::RecommenderBuilder::item_embeddings)):
//! serving and the browser never run the transformer.
//!
//! ```no_run
//! use recsys_core::embed::{item_texts, TextEmbedder};
//! use recsys_core::prelude::*;
//! # let dataset = Dataset::new();
//! let embedder = TextEmbedder::from_hub("sentence-transformers/all-MiniLM-L6-v2", "main")?;
//! let vectors = embedder.embed_catalog(dataset.catalog())?;
//! let recommender = RecommenderBuilder::new().item_embeddings(vectors, 0.5).fit(&dataset)?;
//! # Ok::<(), recsys_core::Error>(())
//! ```

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use ndarray::Array2;
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::data::{Catalog, ItemInfo};
use crate::{Error, Result};

/// Sentences embedded per forward pass (padded to the longest of the batch).
const BATCH: usize = 32;
/// Longest input in tokens when the snapshot does not say (`sentence_bert_config.json`).
const DEFAULT_MAX_TOKENS: usize = 256;

/// A BERT sentence encoder with its tokenizer (CPU).
pub struct TextEmbedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    dim: usize,
}

impl std::fmt::Debug for TextEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextEmbedder")
            .field("dim", &self.dim)
            .finish()
    }
}

fn model_error(what: &str, err: impl std::fmt::Display) -> Error {
    Error::CorruptArtifact {
        reason: format!("text model: {what}: {err}"),
    }
}

impl TextEmbedder {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` of `repo_id` at `revision`
    /// through the Hub cache ([`Hub::from_env`](crate::artifact::hub::Hub::from_env): `HF_HOME`,
    /// `HF_ENDPOINT`, no network when cached).
    ///
    /// # Errors
    /// [`Error::Hub`] when a file cannot be had; those of [`TextEmbedder::from_files`].
    pub fn from_hub(repo_id: &str, revision: &str) -> Result<Self> {
        Self::from_hub_client(&crate::artifact::hub::Hub::from_env()?, repo_id, revision)
    }

    /// [`TextEmbedder::from_hub`] with a given client (another cache or endpoint).
    ///
    /// # Errors
    /// As [`TextEmbedder::from_hub`].
    pub fn from_hub_client(
        hub: &crate::artifact::hub::Hub,
        repo_id: &str,
        revision: &str,
    ) -> Result<Self> {
        let config = hub.download(repo_id, revision, "config.json")?;
        let tokenizer = hub.download(repo_id, revision, "tokenizer.json")?;
        let weights = hub.download(repo_id, revision, "model.safetensors")?;
        // Optional: the sequence length sentence-transformers truncates at.
        let max_tokens = hub
            .download(repo_id, revision, "sentence_bert_config.json")
            .ok()
            .and_then(|path| max_seq_length(&path));
        Self::from_files(&config, &tokenizer, &weights, max_tokens)
    }

    /// Loads a snapshot directory (`config.json`, `tokenizer.json`, `model.safetensors`, and
    /// optionally `sentence_bert_config.json`).
    ///
    /// # Errors
    /// As [`TextEmbedder::from_files`].
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        Self::from_files(
            &dir.join("config.json"),
            &dir.join("tokenizer.json"),
            &dir.join("model.safetensors"),
            max_seq_length(&dir.join("sentence_bert_config.json")),
        )
    }

    /// Loads a BERT model from its files; inputs are truncated to `max_tokens` (default 256).
    ///
    /// # Errors
    /// [`Error::Io`] for a missing file; [`Error::CorruptArtifact`] for a file that is not a
    /// BERT configuration, tokenizer or weights.
    pub fn from_files(
        config: &Path,
        tokenizer: &Path,
        weights: &Path,
        max_tokens: Option<usize>,
    ) -> Result<Self> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| Error::Io {
                path: path.display().to_string(),
                source,
            })
        };
        let config: Config = serde_json::from_slice(&read(config)?)
            .map_err(|err| model_error("config.json", err))?;
        let dim = config.hidden_size;
        let mut tokenizer = Tokenizer::from_bytes(read(tokenizer)?)
            .map_err(|err| model_error("tokenizer.json", err))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..PaddingParams::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
                ..TruncationParams::default()
            }))
            .map_err(|err| model_error("tokenizer truncation", err))?;
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(read(weights)?, DType::F32, &device)
            .map_err(|err| model_error("model.safetensors", err))?;
        let model = BertModel::load(vb, &config).map_err(|err| model_error("BERT weights", err))?;
        Ok(Self {
            model,
            tokenizer,
            device,
            dim,
        })
    }

    /// The embedding dimension (384 for all-MiniLM-L6-v2).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// One L2-normalised, mean-pooled vector per text (rows in order).
    ///
    /// # Errors
    /// [`Error::FitFailed`] if the tokenizer or the model fails.
    pub fn embed(&self, texts: &[&str]) -> Result<Array2<f32>> {
        let mut out = Array2::<f32>::zeros((texts.len(), self.dim));
        for (batch_index, batch) in texts.chunks(BATCH).enumerate() {
            let vectors = self
                .embed_batch(batch)
                .map_err(|reason| Error::FitFailed { reason })?;
            for (row, vector) in vectors.chunks_exact(self.dim).enumerate() {
                out.row_mut(batch_index * BATCH + row)
                    .iter_mut()
                    .zip(vector)
                    .for_each(|(o, &v)| *o = v);
            }
        }
        Ok(out)
    }

    fn embed_batch(&self, texts: &[&str]) -> std::result::Result<Vec<f32>, String> {
        let err = |what: &str| {
            let what = what.to_string();
            move |e: candle_core::Error| format!("text model: {what}: {e}")
        };
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| format!("text model: tokenizing: {e}"))?;
        let rows = encodings.len();
        let len = encodings.first().map_or(0, |e| e.get_ids().len());
        let (mut ids, mut types, mut mask) = (Vec::new(), Vec::new(), Vec::new());
        for encoding in &encodings {
            ids.extend_from_slice(encoding.get_ids());
            types.extend_from_slice(encoding.get_type_ids());
            mask.extend_from_slice(encoding.get_attention_mask());
        }
        let tensor = |values: Vec<u32>| Tensor::from_vec(values, (rows, len), &self.device);
        let ids = tensor(ids).map_err(err("input ids"))?;
        let types = tensor(types).map_err(err("token types"))?;
        let mask = tensor(mask).map_err(err("attention mask"))?;
        let hidden = self
            .model
            .forward(&ids, &types, Some(&mask))
            .map_err(err("forward pass"))?;
        // Mean over the real tokens (sentence-transformers' pooling), then unit length.
        let mask = mask
            .to_dtype(DType::F32)
            .and_then(|m| m.unsqueeze(2))
            .map_err(err("mask"))?;
        let summed = hidden
            .broadcast_mul(&mask)
            .and_then(|h| h.sum(1))
            .map_err(err("pooling"))?;
        let counts = mask.sum(1).map_err(err("pooling"))?;
        let mean = summed.broadcast_div(&counts).map_err(err("pooling"))?;
        let mut flat: Vec<f32> = mean
            .flatten_all()
            .and_then(|t| t.to_vec1())
            .map_err(err("reading vectors"))?;
        for row in flat.chunks_exact_mut(self.dim) {
            // In f64, as sentence-transformers' normalize divides by max(norm, 1e-12).
            let norm = row
                .iter()
                .map(|&v| f64::from(v) * f64::from(v))
                .sum::<f64>()
                .sqrt()
                .max(1e-12);
            row.iter_mut()
                .for_each(|v| *v = (f64::from(*v) / norm) as f32);
        }
        Ok(flat)
    }

    /// Every catalogue item's [`item_text`] embedded, one row per item (the order of the
    /// dataset's items): what
    /// [`RecommenderBuilder::item_embeddings`](crate::recommender::RecommenderBuilder::item_embeddings)
    /// takes. An item without any metadata gets an all-zero row ("no embedding").
    ///
    /// # Errors
    /// As [`TextEmbedder::embed`].
    pub fn embed_catalog(&self, catalog: &Catalog) -> Result<Array2<f32>> {
        let texts: Vec<String> = item_texts(catalog);
        let present: Vec<usize> = (0..texts.len()).filter(|&i| !texts[i].is_empty()).collect();
        let refs: Vec<&str> = present.iter().map(|&i| texts[i].as_str()).collect();
        let vectors = self.embed(&refs)?;
        let mut out = Array2::<f32>::zeros((texts.len(), self.dim));
        for (row, &item) in present.iter().enumerate() {
            out.row_mut(item).assign(&vectors.row(row));
        }
        Ok(out)
    }
}

/// `max_seq_length` of a `sentence_bert_config.json`, if readable.
fn max_seq_length(path: &Path) -> Option<usize> {
    let text = std::fs::read(path).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&text).ok()?;
    value["max_seq_length"].as_u64().map(|n| n as usize)
}

/// Every item's text, in item order ([`item_text`]).
pub fn item_texts(catalog: &Catalog) -> Vec<String> {
    catalog
        .iter()
        .map(|(_, info)| item_text(info, catalog))
        .collect()
}

/// The text an item is embedded from: `"Fargo (1996). Crime, Drama, Thriller. Tags: dark
/// comedy. With Frances McDormand, directed by Joel Coen. <synopsis>"`; parts the catalogue
/// lacks are left out (people only with display names); empty without any metadata.
///
/// ```
/// use recsys_core::data::{Catalog, Role};
/// use recsys_core::embed::item_text;
/// let mut catalog = Catalog::new();
/// let info = catalog.item_mut(0).unwrap();
/// info.title = Some("Fargo".into());
/// info.year = Some(1996);
/// info.add_genre("Crime");
/// info.add_tag("dark comedy");
/// catalog.add_credit(0, "coen", Some("Joel Coen"), Role::Director).unwrap();
/// catalog.add_credit(0, "mcd", Some("Frances McDormand"), Role::Actor).unwrap();
/// let text = item_text(catalog.item(0).unwrap(), &catalog);
/// assert_eq!(text, "Fargo (1996). Crime. Tags: dark comedy. With Frances McDormand. Directed by Joel Coen.");
/// ```
pub fn item_text(info: &ItemInfo, catalog: &Catalog) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(title) = info.display_title() {
        parts.push(format!("{title}."));
    }
    if !info.genres.is_empty() {
        parts.push(format!("{}.", info.genres.join(", ")));
    }
    if !info.tags.is_empty() {
        let tags: Vec<&str> = info.tags.iter().map(|t| t.text.as_str()).collect();
        parts.push(format!("Tags: {}.", tags.join(", ")));
    }
    let names = |role: crate::data::Role| -> Vec<&str> {
        info.people(role)
            .filter_map(|person| catalog.person_name(person))
            .collect()
    };
    for (role, lead) in [
        (crate::data::Role::Actor, "With"),
        (crate::data::Role::Director, "Directed by"),
        (crate::data::Role::Writer, "Written by"),
    ] {
        let names = names(role);
        if !names.is_empty() {
            parts.push(format!("{lead} {}.", names.join(", ")));
        }
    }
    if let Some(text) = info
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        parts.push(text.to_string());
    }
    parts.join(" ")
}
