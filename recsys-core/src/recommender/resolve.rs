//! A request's history, resolved against the recommender's ids and feedback policy.

use crate::data::Feedback;
use crate::models::trending::Favorites;

use super::{Recommender, UserHistory};

/// A request's history resolved to dense indices.
pub(super) struct Resolved {
    /// Every known item of the history.
    pub(super) seen: Vec<u32>,
    /// Items with non-zero evidence and their combined values (the model row).
    pub(super) items: Vec<u32>,
    pub(super) values: Vec<f32>,
    pub(super) disliked: Vec<u32>,
    pub(super) liked: usize,
    /// Known favourite genres (catalogue spelling) and people.
    pub(super) favorites: Favorites,
    /// Display names of `favorites.people`, in the same order.
    pub(super) favorite_names: Vec<String>,
}

impl Recommender {
    /// Maps ids to indices (unknown ones to `unknown`) and combines each item's events with
    /// the policy, oldest first. The history must have passed [`UserHistory::validate`].
    pub(super) fn resolve(&self, history: &UserHistory, unknown: &mut Vec<String>) -> Resolved {
        let mut events: Vec<(u32, i64, Feedback)> = Vec::with_capacity(history.events().len());
        for e in history.events() {
            match self.items.index_of(&e.item_id) {
                Some(index) => events.push((index, e.timestamp, e.feedback)),
                None => unknown.push(e.item_id.clone()),
            }
        }
        let mut resolved = Resolved {
            seen: Vec::new(),
            items: Vec::new(),
            values: Vec::new(),
            disliked: Vec::new(),
            liked: 0,
            favorites: Favorites::default(),
            favorite_names: Vec::new(),
        };
        for genre in history.favorite_genres() {
            match self.genre_name(genre) {
                Ok(name) if !resolved.favorites.genres.contains(&name) => {
                    resolved.favorites.genres.push(name);
                }
                Ok(_) => {}
                Err(_) => unknown.push(genre.clone()),
            }
        }
        for id in history.favorite_people() {
            match self.catalog.person_index(id) {
                Some(person) if !resolved.favorites.people.contains(&person) => {
                    resolved.favorites.people.push(person);
                    let name = self.catalog.person_name(person).unwrap_or(id);
                    resolved.favorite_names.push(name.to_string());
                }
                Some(_) => {}
                None => unknown.push(id.clone()),
            }
        }
        for (item, pair) in self.policy.resolve_pairs(events) {
            let value = pair.value;
            if pair.excluded {
                resolved.disliked.push(item);
            }
            resolved.seen.push(item);
            if value != 0.0 {
                resolved.items.push(item);
                resolved.values.push(value);
            }
            if value > 0.0 {
                resolved.liked += 1;
            }
        }
        resolved
    }
}
