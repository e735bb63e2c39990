//! What a request says: the user's current history, which list, how many items and filters.

use serde::{Deserialize, Serialize};

use crate::data::Feedback;
use crate::explain::Reason;

/// One event of a user's current history, keyed by the app's own item id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    /// External item id (may be unknown to the recommender: then it is ignored and reported).
    pub item: String,
    /// What happened.
    pub feedback: Feedback,
    /// Seconds since the epoch (only the order matters: the latest opinion wins).
    pub timestamp: i64,
}

/// A user's current history: everything the user did, as the app knows it now, plus any
/// favourite genres and people named on an onboarding form. An empty history is an anonymous
/// first visit; with favourites but no liked item, For You ranks by those favourites.
///
/// ```
/// use recsys_core::data::Feedback;
/// use recsys_core::recommender::UserHistory;
/// let history = UserHistory::new()
///     .with("fargo", Feedback::Rating(5.0), 1)
///     .with("heat", Feedback::Dislike, 2)
///     .with_favorite_genre("Film-Noir")
///     .with_favorite_person("joel-coen");
/// assert_eq!(history.events().len(), 2);
/// assert_eq!(history.favorite_genres(), ["Film-Noir"]);
/// assert_eq!(history.favorite_people(), ["joel-coen"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserHistory {
    events: Vec<HistoryEvent>,
    /// Genre names (ASCII case-insensitive); unknown ones are reported, not errors.
    #[serde(default)]
    favorite_genres: Vec<String>,
    /// Catalog person ids; unknown ones are reported, not errors.
    #[serde(default)]
    favorite_people: Vec<String>,
}

impl UserHistory {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an event (builder style).
    pub fn with(mut self, item: &str, feedback: Feedback, timestamp: i64) -> Self {
        self.push(item, feedback, timestamp);
        self
    }

    /// Adds an event.
    pub fn push(&mut self, item: &str, feedback: Feedback, timestamp: i64) {
        self.events.push(HistoryEvent {
            item: item.to_string(),
            feedback,
            timestamp,
        });
    }

    /// The events, in the order given.
    pub fn events(&self) -> &[HistoryEvent] {
        &self.events
    }

    /// Whether there are no events (favourites are not events).
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Adds a favourite genre (builder style).
    pub fn with_favorite_genre(mut self, genre: &str) -> Self {
        self.favorite_genres.push(genre.to_string());
        self
    }

    /// Adds a favourite person, by catalog person id (builder style).
    pub fn with_favorite_person(mut self, person: &str) -> Self {
        self.favorite_people.push(person.to_string());
        self
    }

    /// The favourite genres, in the order given.
    pub fn favorite_genres(&self) -> &[String] {
        &self.favorite_genres
    }

    /// The favourite people (catalog person ids), in the order given.
    pub fn favorite_people(&self) -> &[String] {
        &self.favorite_people
    }
}

impl FromIterator<HistoryEvent> for UserHistory {
    fn from_iter<T: IntoIterator<Item = HistoryEvent>>(iter: T) -> Self {
        Self {
            events: iter.into_iter().collect(),
            ..Self::default()
        }
    }
}

/// Which list (carousel) to build.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum List {
    /// Personal recommendations from the whole history (the hybrid score).
    #[default]
    ForYou,
    /// Items like one the user liked (external id); reasons cite that item.
    BecauseYouLiked(String),
    /// What is popular lately.
    Trending,
    /// Items of one genre, personalised when there is a history, otherwise by popularity.
    ByGenre(String),
    /// Items similar to one item page (external id), whatever the history.
    SimilarTo(String),
}

/// Restrictions on the returned items. Every set filter must hold for every returned item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    /// If non-empty, items must have at least one of these genres (ASCII case-insensitive).
    pub genres: Vec<String>,
    /// If set, the item's year must lie in `[from, to]` (items without a year fail).
    pub years: Option<(i32, i32)>,
    /// If non-empty, items must carry at least one of these tags (case-insensitive).
    pub tags: Vec<String>,
    /// If non-empty, items must credit at least one of these people (catalog person ids).
    pub people: Vec<String>,
    /// Leave out items in the history (default true).
    pub exclude_seen: bool,
    /// Leave out items whose latest opinion is a dislike or "not interested" (default true).
    pub exclude_disliked: bool,
    /// Further items to leave out (external ids).
    pub exclude: Vec<String>,
    /// If set, only these items may be returned (external ids).
    pub candidates: Option<Vec<String>>,
}

impl Default for Filters {
    fn default() -> Self {
        Self {
            genres: Vec::new(),
            years: None,
            tags: Vec::new(),
            people: Vec::new(),
            exclude_seen: true,
            exclude_disliked: true,
            exclude: Vec::new(),
            candidates: None,
        }
    }
}

/// One request: which list, how many items, filters and the diversity knob.
///
/// ```
/// use recsys_core::recommender::{List, Query};
/// let query = Query::new(List::Trending).n(5).diversity(0.3);
/// assert_eq!(query.n, 5);
/// assert!(query.filters.exclude_seen);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// How many items at most.
    pub n: usize,
    /// Which list.
    pub list: List,
    /// Restrictions.
    pub filters: Filters,
    /// MMR diversity in `[0, 1]`: 0 ranks by score only, larger values trade score for items
    /// unlike those already chosen. `None` uses the recommender's default.
    pub diversity: Option<f32>,
}

impl Query {
    /// Ten items of `list`, default filters and diversity.
    pub fn new(list: List) -> Self {
        Self {
            n: 10,
            list,
            filters: Filters::default(),
            diversity: None,
        }
    }

    /// Sets the number of items.
    pub fn n(mut self, n: usize) -> Self {
        self.n = n;
        self
    }

    /// Sets the filters.
    pub fn filters(mut self, filters: Filters) -> Self {
        self.filters = filters;
        self
    }

    /// Sets the diversity knob.
    pub fn diversity(mut self, diversity: f32) -> Self {
        self.diversity = Some(diversity);
        self
    }
}

/// How much each signal added to an item's blended score (they sum to it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreParts {
    /// Weighted, normalised collaborative part (ALS and item-kNN).
    pub collaborative: f32,
    /// Weighted, normalised content part.
    pub content: f32,
    /// Weighted, normalised popularity part (negative with a popularity penalty).
    pub popularity: f32,
}

/// The exact ALS decomposition of an item's raw collaborative score.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Collaborative {
    /// The raw fold-in score `y_iᵀ x_u`.
    pub score: f32,
    /// `(history item index, c_uj · y_iᵀ W_u y_j)` for every positive history item; the sum
    /// is `score`.
    pub contributions: Vec<(u32, f32)>,
}

/// One recommended item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// External item id.
    pub item_id: String,
    /// Dense item index in the recommender's catalog.
    pub index: u32,
    /// The list's score (higher is better; comparable only within one response).
    pub score: f32,
    /// The blended score's parts (For You and By Genre with a history; zero otherwise).
    pub parts: ScoreParts,
    /// The ALS decomposition, when the collaborative signal took part.
    pub collaborative: Option<Collaborative>,
    /// Structured reasons, most important first (never empty).
    pub reasons: Vec<Reason>,
    /// The reasons rendered as one sentence.
    pub explanation: String,
}

/// The answer to a request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Recommendations {
    /// The items, best first.
    pub items: Vec<Recommendation>,
    /// Ids that were ignored, sorted and deduplicated: ids in the history or filters the
    /// recommender does not know, and history items whose feedback is invalid (a NaN rating).
    pub unknown_ids: Vec<String>,
}
