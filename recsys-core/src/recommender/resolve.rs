//! A request's history, resolved against the recommender's ids and feedback policy.

use crate::data::Feedback;
use crate::models::trending::Favorites;

use super::{Recommender, UserHistory};

/// What a reason may say the user did with a history item (the latest opinion wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stance {
    /// Liked: a like, or a rating of at least the policy's liked rating.
    Liked,
    /// Watched, without an opinion.
    Watched,
    /// On the watchlist, without an opinion or a watch.
    Watchlisted,
    /// Rated below the liked rating, disliked, not interested: never cited as a reason.
    Other,
}

/// A request's history resolved to dense indices.
pub(super) struct Resolved {
    /// Every known item of the history, ascending.
    pub(super) seen: Vec<u32>,
    /// The stance of each `seen` item.
    pub(super) stances: Vec<Stance>,
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
            stances: Vec::new(),
            items: Vec::new(),
            values: Vec::new(),
            disliked: Vec::new(),
            liked: 0,
            favorites: Favorites::default(),
            favorite_names: Vec::new(),
        };
        // A favourite named twice counts with the sum of its weights.
        let favorites = &mut resolved.favorites;
        for (genre, &weight) in history
            .favorite_genres()
            .iter()
            .zip(history.favorite_genre_weights())
        {
            match self.genre_name(genre) {
                Ok(name) => match favorites.genres.iter().position(|g| *g == name) {
                    Some(at) => favorites.genre_weights[at] += weight,
                    None => {
                        favorites.genres.push(name);
                        favorites.genre_weights.push(weight);
                    }
                },
                Err(_) => unknown.push(genre.clone()),
            }
        }
        for (id, &weight) in history
            .favorite_people()
            .iter()
            .zip(history.favorite_people_weights())
        {
            match self.catalog.person_index(id) {
                Some(person) => match favorites.people.iter().position(|&p| p == person) {
                    Some(at) => favorites.people_weights[at] += weight,
                    None => {
                        favorites.people.push(person);
                        favorites.people_weights.push(weight);
                        let name = self.catalog.person_name(person).unwrap_or(id);
                        resolved.favorite_names.push(name.to_string());
                    }
                },
                None => unknown.push(id.clone()),
            }
        }
        for (item, pair) in self.policy.resolve_pairs(events) {
            let value = pair.value;
            if pair.excluded {
                resolved.disliked.push(item);
            }
            resolved.seen.push(item);
            let stance = if pair.is_liked(self.policy.liked_rating()) {
                Stance::Liked
            } else if pair.opinion.is_some() {
                Stance::Other
            } else if pair.watched {
                Stance::Watched
            } else if pair.watchlisted {
                Stance::Watchlisted
            } else {
                Stance::Other
            };
            resolved.stances.push(stance);
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

impl Resolved {
    /// The stance of `item` ([`Stance::Other`] when the history does not hold it).
    pub(super) fn stance(&self, item: u32) -> Stance {
        self.seen
            .binary_search(&item)
            .map_or(Stance::Other, |at| self.stances[at])
    }

    /// Whether a history item with positive evidence, or a favourite, has `genre`.
    pub(super) fn has_taste_for(&self, recommender: &Recommender, genre: &str) -> bool {
        self.favorites.genres.iter().any(|g| g == genre)
            || self
                .items
                .iter()
                .zip(&self.values)
                .filter(|&(_, &v)| v > 0.0)
                .any(|(&item, _)| {
                    recommender
                        .catalog
                        .item(item)
                        .is_some_and(|info| info.has_genre(genre))
                })
    }
}
