//! The names most apps need, in one import: `use recsys_core::prelude::*;`.
//!
//! ```
//! use recsys_core::prelude::*;
//! let query = Query::new(List::ForYou).n(5);
//! assert!(query.validate().is_ok());
//! ```

pub use crate::artifact::Artifact;
pub use crate::data::{Dataset, Feedback, FeedbackPolicy, Role};
pub use crate::error::{Error, ErrorKind, Result};
pub use crate::explain::{ItemRef, Reason};
pub use crate::models::als::AlsConfig;
pub use crate::models::mf::MfConfig;
pub use crate::par::Parallelism;
pub use crate::recommender::{
    BlendConfig, Filters, ItemView, List, Query, Recommendation, Recommendations, Recommender,
    RecommenderBuilder, UserHistory,
};
