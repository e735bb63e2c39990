//! Interaction data: ids, feedback, the interaction matrix, the catalogue and loaders.

mod catalog;
mod dataset;
mod feedback;
pub(crate) mod ids;
mod interactions;
pub mod loaders;

pub use catalog::{split_title_year, Catalog, Credit, ItemInfo, Role, Tag};
pub use dataset::{Dataset, Event, ItemEditor};
pub use feedback::{Feedback, FeedbackPolicy, PairFeedback};
pub use ids::IdMap;
pub use interactions::Interactions;

use crate::{Error, Result};

/// How many rows, columns or slots a size argument may ask for beyond the records passed with
/// it (users without events, items nobody has rated yet): 2^20 = 1 048 576. The same bound
/// limits how far one call may grow a [`Catalog`] past its end.
///
/// A shape backed by data (a [`Dataset`]'s id maps, a CSR `indptr`) is not limited by it; a bare
/// number is, so that a typo or a hostile `usize::MAX` gives an error instead of an allocation
/// that aborts the process. Models multiply rows by their factor count, so padding of this size
/// costs 4 MB per factor and side (0.5 GB at 128 factors), not terabytes.
pub const MAX_UNBACKED_LEN: usize = 1 << 20;

/// Checks a size argument `len` named `what` against the `backed` records passed with it:
/// at most `backed + MAX_UNBACKED_LEN`, and within the `u32` index space.
pub(crate) fn check_unbacked_len(what: &'static str, len: usize, backed: usize) -> Result<()> {
    let limit = backed
        .saturating_add(MAX_UNBACKED_LEN)
        .min(u32::MAX as usize);
    if len > limit {
        return Err(Error::invalid(
            what,
            format!(
                "{len} is too large: at most the {backed} records given plus {MAX_UNBACKED_LEN} \
                 (and {} in all)",
                u32::MAX
            ),
        ));
    }
    Ok(())
}
