//! # recsys-core
//!
//! An embeddable recommendation engine: load interaction data, train collaborative models,
//! evaluate them, save them as versioned artifacts and recommend.
//!
//! ```
//! use recsys_core::prelude::*;
//!
//! // Events and catalogue by the app's own ids.
//! let mut ds = Dataset::new();
//! for (user, item, stars) in [("ann", "alien", 5.0), ("ann", "aliens", 4.0), ("bob", "alien", 5.0),
//!                             ("bob", "heat", 2.0), ("cat", "heat", 5.0), ("cat", "fargo", 4.0)] {
//!     ds.add_event(user, item, Feedback::Rating(stars), 0)?;
//! }
//! ds.item("alien").title("Alien").year(1979).genre("Sci-Fi");
//! ds.item("aliens").title("Aliens").year(1986).genre("Sci-Fi");
//! ds.item("heat").title("Heat").year(1995).genre("Crime");
//! ds.item("fargo").title("Fargo").year(1996).genre("Crime");
//!
//! // Train once: ALS, item-kNN, content, popularity and ratings in one immutable recommender.
//! let recommender = RecommenderBuilder::new()
//!     .als(AlsConfig::new().factors(4).regularization(0.1))
//!     .fit(&ds)?;
//!
//! // Score a visitor's *current* history (folded in at request time: no retraining).
//! let history = UserHistory::new().with("alien", Feedback::Like, 1);
//! let recs = recommender.recommend(&history, &Query::new(List::ForYou).n(2))?;
//! assert_eq!(recs.items[0].item_id, "aliens");
//! println!("{}: {}", recs.items[0].item().display(), recs.items[0].sentence());
//!
//! // The same request as JSON, and a "Why this movie?" panel for any item.
//! let query: Query = serde_json::from_str(r#"{"list": {"kind": "by_genre", "genre": "Crime"}, "n": 1}"#)?;
//! let crime = recommender.recommend(&history, &query)?;
//! assert!(["heat", "fargo"].contains(&crime.items[0].item_id.as_str()));
//! let why = recommender.explain_item(&history, "fargo")?;
//! assert!(!why.reasons.is_empty());
//!
//! // A versioned, checksummed model file; `to_bytes`/`from_bytes` where there is no disk.
//! let bytes = recommender.to_bytes()?;
//! assert_eq!(Recommender::from_bytes(&bytes)?.recommend(&history, &Query::new(List::ForYou).n(2))?, recs);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The models underneath are usable on their own with dense indices (e.g.
//! [`models::als`] for an `implicit`-style ALS over a CSR matrix); results of the
//! [`recommender`] always speak in the app's ids.
//!
//! ## Architecture, in data-flow order
//! - [`data`]: external ids ⇄ dense indices ([`data::IdMap`]), feedback events and the
//!   [`data::FeedbackPolicy`] that turns them into a signed-confidence [`data::Interactions`]
//!   matrix.
//! - [`features`]: TF-IDF content features from the catalogue and content neighbours.
//! - [`models`]: implicit ALS, explicit biased MF, item-kNN, popularity, trending and content
//!   profiles; every top-N model is an [`models::ItemScorer`].
//! - [`eval`]: splits and ranking / rating metrics.
//! - [`recommender`]: the hybrid [`recommender::Recommender`] (collaborative + content +
//!   popularity, filters, carousels) and [`explain`]: why each item was recommended.
//! - [`artifact`]: versioned, checksummed model files.
//!
//! ## Features
//! - `parallel` (default): multi-threaded fitting and batch recommendation with rayon; how many
//!   threads a fit uses is [`Parallelism`] (`AlsConfig::parallelism`,
//!   `RecommenderBuilder::parallelism`). Without it every setting runs sequentially.
//! - `fs` (default): loaders from paths, artifact `save`/`load`. Without it (WASM) everything
//!   works from bytes.
//! - `hub` (off by default): `artifact::hub` reads artifacts from the Hugging Face Hub and its
//!   local cache.
//! - `embeddings` (off by default; implies `hub`): `embed` computes sentence-transformer
//!   (BERT, e.g. all-MiniLM-L6-v2) text embeddings of items at training time with candle, to
//!   store in the recommender. Serving, discovery and WASM never need it.
#![warn(missing_docs)]

pub mod artifact;
mod codec;
pub mod data;
#[cfg(feature = "embeddings")]
pub mod embed;
mod error;
pub mod eval;
pub mod explain;
pub mod features;
mod linalg;
pub mod models;
mod par;
pub mod prelude;
pub mod recommender;
mod rng;
pub mod topk;
mod validate;

pub use error::{Error, ErrorKind, Result};
pub use par::Parallelism;

// Compiles and runs the README's Rust quick start as a doctest, so it cannot rot.
#[cfg(all(doctest, feature = "fs"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
