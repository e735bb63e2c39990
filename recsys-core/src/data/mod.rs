//! Interaction data: ids, feedback, the interaction matrix, the catalogue and loaders.

mod dataset;
mod feedback;
mod ids;
mod interactions;
pub mod loaders;

pub use dataset::{Dataset, Event};
pub use feedback::{Feedback, FeedbackPolicy};
pub use ids::IdMap;
pub use interactions::Interactions;
