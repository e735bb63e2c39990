//! Interaction data: ids, feedback, the interaction matrix, the catalogue and loaders.

mod catalog;
mod dataset;
mod feedback;
mod ids;
mod interactions;
pub mod loaders;

pub use catalog::{split_title_year, Catalog, Credit, ItemInfo, Role, Tag};
pub use dataset::{Dataset, Event};
pub use feedback::{Feedback, FeedbackPolicy};
pub use ids::IdMap;
pub use interactions::Interactions;
