//! What a recommender knows by name (item ids, genres, tags, people), and the one rule for
//! unknown names in a request: they are reported by kind (`unknown_ids`, `unknown_genres`,
//! `unknown_tags`, `unknown_people`), never raised.
//!
//! The core ignores unknown history, candidate and exclude ids and unknown favourites and
//! reports them together in `unknown_ids`; an unknown tag simply matches nothing; an unknown
//! filter genre is an error. This module sorts the core's report by kind and turns an unknown
//! filter genre into a reported one that matches nothing (as an unknown tag or person does).

use std::collections::HashSet;

use recsys_core::recommender::{Query, Recommender, UserHistory};

/// The genres, tags and people of one recommender, for membership tests (built once per
/// model, on the first request that needs them).
pub struct Vocabulary {
    /// Genres, ASCII-lowercased (the core compares them case-insensitively).
    genres: HashSet<String>,
    /// Tags, ASCII-lowercased (likewise).
    tags: HashSet<String>,
    /// Catalogue person ids (exact).
    people: HashSet<String>,
}

impl Vocabulary {
    /// The names `model` knows.
    pub fn of(model: &Recommender) -> Self {
        Self {
            genres: model
                .genres()
                .into_iter()
                .map(str::to_ascii_lowercase)
                .collect(),
            tags: model
                .tags()
                .into_iter()
                .map(str::to_ascii_lowercase)
                .collect(),
            people: model.person_ids().map(str::to_string).collect(),
        }
    }

    fn has_genre(&self, genre: &str) -> bool {
        self.genres.contains(&genre.to_ascii_lowercase())
    }

    fn has_tag(&self, tag: &str) -> bool {
        self.tags.contains(&tag.to_ascii_lowercase())
    }
}

/// The names of a request the model does not know, by kind; each list sorted and
/// deduplicated.
#[derive(Default)]
pub struct Unknown {
    /// Item ids (history, candidates, exclude).
    pub ids: Vec<String>,
    /// Genres (filter and favourites).
    pub genres: Vec<String>,
    /// Tags (filter).
    pub tags: Vec<String>,
    /// Person ids (filter and favourites).
    pub people: Vec<String>,
}

/// Sorted, deduplicated.
fn tidy(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    names
}

/// Prepares `query` for the core: unknown filter genres are taken out (a filter left without
/// any known genre matches nothing, as one of unknown tags does). Returns the unknown genres,
/// tags and people of the query and the history's favourites (the ids come from the core's
/// answer, see [`sort_reported`]).
pub fn prepare(
    vocabulary: &Vocabulary,
    query: &mut Query,
    history: &UserHistory,
    model: &Recommender,
) -> Unknown {
    let filters = &mut query.filters;
    let genres: Vec<String> = filters
        .genres
        .iter()
        .chain(history.favorite_genres())
        .filter(|genre| !vocabulary.has_genre(genre))
        .cloned()
        .collect();
    if !filters.genres.is_empty() {
        filters.genres.retain(|genre| vocabulary.has_genre(genre));
        if filters.genres.is_empty() {
            // Nothing has one of these genres: no candidate at all. Unknown candidate ids
            // still count as unknown ids (the core no longer sees them).
            let given = filters.candidates.replace(Vec::new());
            let missing = given.into_iter().flatten().filter(|id| !model.contains(id));
            return Unknown {
                ids: missing.collect(),
                ..finish(vocabulary, filters, history, genres)
            };
        }
    }
    finish(vocabulary, filters, history, genres)
}

fn finish(
    vocabulary: &Vocabulary,
    filters: &recsys_core::recommender::Filters,
    history: &UserHistory,
    genres: Vec<String>,
) -> Unknown {
    let tags = filters
        .tags
        .iter()
        .filter(|tag| !vocabulary.has_tag(tag))
        .cloned()
        .collect();
    let people = filters
        .people
        .iter()
        .chain(history.favorite_people())
        .filter(|person| !vocabulary.people.contains(person.as_str()))
        .cloned()
        .collect();
    Unknown {
        ids: Vec::new(),
        genres: tidy(genres),
        tags: tidy(tags),
        people: tidy(people),
    }
}

/// Completes `unknown` with the core's report `reported` (item ids mixed with favourite
/// genres and filter or favourite people): a reported name is an unknown id unless it is one
/// of the unknown genres or people, or it is one of those and also an item id of the request.
pub fn sort_reported(
    unknown: &mut Unknown,
    reported: Vec<String>,
    query: &Query,
    history: &UserHistory,
) {
    let names: HashSet<&str> = unknown
        .genres
        .iter()
        .chain(&unknown.people)
        .map(String::as_str)
        .collect();
    let is_item_input = |id: &str| {
        history.events().iter().any(|e| e.item_id == id)
            || query.filters.exclude.iter().any(|e| e == id)
            || query.filters.candidates.iter().flatten().any(|c| c == id)
    };
    let ids = reported
        .into_iter()
        .filter(|id| !names.contains(id.as_str()) || is_item_input(id));
    let mut all = std::mem::take(&mut unknown.ids);
    all.extend(ids);
    unknown.ids = tidy(all);
}
