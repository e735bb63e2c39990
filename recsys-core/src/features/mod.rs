//! Item content features for content-based and hybrid recommendation.
//!
//! - [`ContentFeaturesConfig`] → [`ContentFeatures`]: sparse TF-IDF vectors over catalog tokens
//!   (genres, decade, year, tags, people by role, other facts, optionally title words), one
//!   weighted block per [`TokenKind`], plus optional caller-supplied dense embeddings.
//! - [`ContentFeatures::similarity`] and [`ContentFeatures::shared_tokens`]: how similar two items
//!   are, and which tokens make them so (for explanations).
//! - [`ContentNeighborsConfig`] → [`ContentNeighbors`]: every item's top-K content neighbours.
//!
//! The content user profile built on these is [`crate::models::content`].
//!
//! ```
//! use recsys_core::data::{Catalog, Role};
//! use recsys_core::features::{count_by_kind, ContentFeaturesConfig, ContentNeighborsConfig, TokenKind};
//!
//! let mut catalog = Catalog::new();
//! for (item, title, genre) in [(0, "Fargo", "Crime"), (1, "Blood Simple", "Crime"), (2, "Toy Story", "Animation")] {
//!     catalog.item_mut(item).unwrap().title = Some(title.into());
//!     catalog.item_mut(item).unwrap().add_genre(genre);
//! }
//! catalog.add_credit(0, "m.coen", Some("Joel Coen"), Role::Director).unwrap();
//! catalog.add_credit(1, "m.coen", None, Role::Director).unwrap();
//!
//! // A tiny catalog: keep tokens shared by 2 items, however common.
//! let features = ContentFeaturesConfig::new().min_df(2).max_df(1.0).fit(&catalog)?;
//! let neighbors = ContentNeighborsConfig::new().fit(&features)?;
//! let best = neighbors.similar_items(0, 1)?[0];
//! assert_eq!(catalog.item(best.item).unwrap().title.as_deref(), Some("Blood Simple"));
//! let why = count_by_kind(&features.shared_tokens(0, best.item)?);
//! assert_eq!(why, vec![(TokenKind::Genre, 1), (TokenKind::Director, 1)]);
//! # Ok::<(), recsys_core::Error>(())
//! ```

mod content;
mod similarity;

pub use content::{
    count_by_kind, ContentFeatures, ContentFeaturesConfig, SharedToken, TokenKind, TokenWeights,
    Vocabulary,
};
pub(crate) use similarity::prune_rows;
pub use similarity::{ContentNeighbors, ContentNeighborsConfig};

pub(crate) use content::{shared_positions, sort_by_contribution};
