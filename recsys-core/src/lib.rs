//! # recsys-core
//!
//! An embeddable recommendation engine: load interaction data, train collaborative models,
//! evaluate them, save them as versioned artifacts and recommend.
//!
//! ```
//! use recsys_core::data::{Dataset, Feedback, FeedbackPolicy};
//! use recsys_core::models::als::AlsConfig;
//! use recsys_core::models::{History, TopN};
//!
//! let mut ds = Dataset::new();
//! for (user, item, stars) in [("ann", "alien", 5.0), ("ann", "aliens", 4.0), ("bob", "alien", 5.0)] {
//!     ds.add_event(user, item, Feedback::Rating(stars), 0).unwrap();
//! }
//! let matrix = ds.interactions(&FeedbackPolicy::default()).unwrap();
//! let model = AlsConfig::new().factors(8).iterations(5).seed(7).fit(&matrix).unwrap();
//! let bob = ds.users.index_of("bob").unwrap();
//! let (items, values) = matrix.row(bob as usize);
//! let recs = model.recommend(Some(bob), History::new(items, values), &TopN::new(1)).unwrap();
//! assert_eq!(ds.items.id_of(recs[0].item), Some("aliens"));
//! ```
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
//! - `parallel` (default): multi-threaded fitting and batch recommendation with rayon.
//! - `fs` (default): loaders from paths, artifact `save`/`load`. Without it (WASM) everything
//!   works from bytes.
//! - `hub` (off by default): `artifact::hub` reads artifacts from the Hugging Face Hub and its
//!   local cache.
#![warn(missing_docs)]

pub mod artifact;
mod codec;
pub mod data;
mod error;
pub mod eval;
pub mod explain;
pub mod features;
mod linalg;
pub mod models;
pub mod recommender;
mod rng;
pub mod topk;
mod validate;

pub use error::{Error, Result};

// Compiles and runs the README's Rust quick start as a doctest, so it cannot rot.
#[cfg(all(doctest, feature = "fs"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
