//! The onboarding protocol: how much a new visitor's answers to an onboarding quiz (favourite
//! genres, no ratings yet) improve their first list.
//!
//! Some users are held out of training entirely. Each one's quiz is the genres of their
//! earliest liked items (weighted by how many of those items have the genre); their events
//! after those items that are relevant ([`is_relevant`]) are what a list
//! should find. The request history carries the quiz only, no events, so every list is scored
//! as the app would score a visitor who just finished the quiz.
//!
//! ```
//! use recsys_core::data::{Dataset, Feedback};
//! use recsys_core::eval::onboarding::onboarding_split;
//!
//! let mut ds = Dataset::new();
//! ds.item("alien").genre("Sci-Fi").genre("Horror");
//! ds.item("heat").genre("Crime");
//! ds.item("aliens").genre("Sci-Fi");
//! for (t, (user, item, stars)) in [("ann", "alien", 5.0), ("ann", "heat", 2.0), ("ann", "aliens", 4.0),
//!                                  ("bob", "heat", 5.0)].into_iter().enumerate() {
//!     ds.add_event(user, item, Feedback::Rating(stars), t as i64)?;
//! }
//! // Ann is held out; her quiz is the genres of her first liked item.
//! let (train, users) = onboarding_split(&ds, |user| user == "ann", 1, 4.0)?;
//! assert_eq!(train.events().len(), 1); // Bob's only
//! assert_eq!(users[0].history.favorite_genres(), ["Horror", "Sci-Fi"]); // ties by name
//! assert!(users[0].history.is_empty());
//! assert_eq!(users[0].relevant, ["aliens"]);
//! # Ok::<(), recsys_core::Error>(())
//! ```

use std::collections::BTreeMap;

use super::recommender::{is_relevant, HeldOutUser};
use crate::data::{Dataset, Event, Feedback};
use crate::recommender::UserHistory;
use crate::{Error, Result};

/// Splits `dataset` for the onboarding protocol: the training dataset (same catalogue, only
/// the events of users `held_out` rejects) and one [`HeldOutUser`] per held-out user with a
/// liked event, in user order.
///
/// A held-out user's events are read by time (ties in recorded order). The first
/// `quiz_items` liked ones (a like, or a rating of at least `threshold`) make the quiz: each
/// genre they have becomes a favourite, weighted by how many of them have it (largest first,
/// ties by name). The events after the last quiz item that are relevant at `threshold` are the
/// relevant items.
///
/// # Errors
/// [`Error::InvalidParameter`] for `quiz_items == 0` or a non-finite `threshold`; those of
/// [`Dataset::add_event`] (none for a valid dataset).
pub fn onboarding_split(
    dataset: &Dataset,
    held_out: impl Fn(&str) -> bool,
    quiz_items: usize,
    threshold: f32,
) -> Result<(Dataset, Vec<HeldOutUser>)> {
    if quiz_items == 0 {
        return Err(Error::invalid("quiz_items", "must be at least 1"));
    }
    if !threshold.is_finite() {
        return Err(Error::invalid("threshold", "must be finite"));
    }
    let user_id = |e: &Event| dataset.users.id_of(e.user).unwrap_or_default();
    let item_id = |e: &Event| dataset.items.id_of(e.item).unwrap_or_default();
    let mut train = dataset.without_events();
    let mut per_user: BTreeMap<u32, Vec<&Event>> = BTreeMap::new();
    for event in dataset.events() {
        if held_out(user_id(event)) {
            per_user.entry(event.user).or_default().push(event);
        } else {
            train.add_event(
                user_id(event),
                item_id(event),
                event.feedback,
                event.timestamp,
            )?;
        }
    }
    let liked = |f: Feedback| match f {
        Feedback::Rating(r) => r >= threshold,
        Feedback::Like => true,
        _ => false,
    };
    let mut users = Vec::new();
    for events in per_user.values_mut() {
        // Stable: equal timestamps keep the recorded order.
        events.sort_by_key(|e| e.timestamp);
        let quiz: Vec<usize> = (0..events.len())
            .filter(|&at| liked(events[at].feedback))
            .take(quiz_items)
            .collect();
        let Some(&last) = quiz.last() else {
            continue;
        };
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for &at in &quiz {
            if let Some(info) = dataset.catalog().item(events[at].item) {
                for genre in &info.genres {
                    *counts.entry(genre.as_str()).or_default() += 1;
                }
            }
        }
        let mut genres: Vec<(&str, usize)> = counts.into_iter().collect();
        // Largest weight first; the sort is stable, so ties stay in name order.
        genres.sort_by_key(|g| std::cmp::Reverse(g.1));
        let mut history = UserHistory::new();
        for (genre, count) in genres {
            history = history.with_weighted_favorite_genre(genre, count as f32);
        }
        let relevant = events[last + 1..]
            .iter()
            .filter(|e| is_relevant(e.feedback, threshold))
            .map(|e| item_id(e).to_string())
            .collect();
        users.push(HeldOutUser { history, relevant });
    }
    Ok((train, users))
}
