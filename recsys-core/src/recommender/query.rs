//! What a request says and what it gets back: the user's current history, which list, how
//! many items, filters; the recommended items with their reasons.
//!
//! These types are the one shape every consumer shares: the Rust API, Python's dicts, the
//! browser's JS objects and the example server's JSON are their serde form. Requests read
//! with defaults (`{"list": "for_you", "n": 5}` is a whole query) and refuse unknown fields;
//! results name items by the app's own ids, never by the engine's dense indices (those change
//! meaning after a retrain).

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::data::{Feedback, Role};
use crate::explain::{self, ItemRef, Reason};
use crate::{Error, Result};

/// One event of a user's current history, keyed by the app's own item id.
///
/// JSON: `{"item_id": "m1", "feedback": {"kind": "rating", "value": 4}, "timestamp": 17}`
/// (`timestamp` defaults to 0; `feedback` may also be a string such as `"like"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEvent {
    /// External item id (may be unknown to the recommender: then it is ignored and reported).
    pub item_id: String,
    /// What happened.
    pub feedback: Feedback,
    /// Seconds since the epoch (only the order matters: the latest opinion wins; events with
    /// equal timestamps keep their order).
    #[serde(default)]
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
///
/// let json = r#"{"events": [{"item_id": "fargo", "feedback": "like"}]}"#;
/// let parsed: UserHistory = serde_json::from_str(json).unwrap();
/// assert_eq!(parsed.events()[0].feedback, Feedback::Like);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserHistory {
    events: Vec<HistoryEvent>,
    /// Genre names (ASCII case-insensitive) with weights; unknown ones are reported, not
    /// errors.
    favorite_genres: Weighted,
    /// Catalog person ids with weights; unknown ones are reported, not errors.
    favorite_people: Weighted,
}

/// Names with weights. JSON: a list of names (weight 1 each, `["Sci-Fi", "Drama"]`) or a map
/// from name to weight (`{"Sci-Fi": 3, "Drama": 1}`, in the order written); it is written
/// back as a list when every weight is 1.
#[derive(Clone, Debug, Default, PartialEq)]
struct Weighted {
    names: Vec<String>,
    weights: Vec<f32>,
}

impl Weighted {
    fn push(&mut self, name: &str, weight: f32) {
        self.names.push(name.to_string());
        self.weights.push(weight);
    }
}

impl Serialize for Weighted {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if self.weights.iter().all(|&w| w == 1.0) {
            return self.names.serialize(serializer);
        }
        let mut map = serializer.serialize_map(Some(self.names.len()))?;
        for (name, weight) in self.names.iter().zip(&self.weights) {
            map.serialize_entry(name, weight)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Weighted {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct WeightedVisitor;

        impl<'de> Visitor<'de> for WeightedVisitor {
            type Value = Weighted;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#"a list of names or a map from name to weight ({"Sci-Fi": 3})"#)
            }

            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Weighted, A::Error> {
                let mut out = Weighted::default();
                while let Some(name) = seq.next_element::<String>()? {
                    out.push(&name, 1.0);
                }
                Ok(out)
            }

            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Weighted, A::Error> {
                let mut out = Weighted::default();
                while let Some((name, weight)) = map.next_entry::<String, f32>()? {
                    out.push(&name, weight);
                }
                Ok(out)
            }
        }

        deserializer.deserialize_any(WeightedVisitor)
    }
}

impl UserHistory {
    /// The most events one request may carry.
    pub const MAX_EVENTS: usize = 100_000;

    /// The largest rating magnitude a request may carry: far above any rating scale in use
    /// (stars, tenths, percent), and small enough that confidences stay well inside `f32`.
    pub const MAX_ABS_RATING: f32 = 10_000.0;

    /// The largest weight of a favourite (only ratios between weights matter).
    pub const MAX_FAVORITE_WEIGHT: f32 = 1e6;

    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks every event: at most [`UserHistory::MAX_EVENTS`] of them, ratings finite and
    /// within ±[`UserHistory::MAX_ABS_RATING`]; favourites' weights finite and within
    /// `[0, `[`UserHistory::MAX_FAVORITE_WEIGHT`]`]`. Every request method of
    /// [`Recommender`](super::Recommender) runs it first.
    ///
    /// ```
    /// use recsys_core::data::Feedback;
    /// use recsys_core::recommender::UserHistory;
    /// assert!(UserHistory::new().with("m1", Feedback::Rating(4.0), 0).validate().is_ok());
    /// let err = UserHistory::new().with("m1", Feedback::Rating(f32::NAN), 0).validate();
    /// assert!(err.unwrap_err().to_string().contains("m1"));
    /// assert!(UserHistory::new().with("m1", Feedback::Rating(1e20), 0).validate().is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the event.
    pub fn validate(&self) -> Result<()> {
        if self.events.len() > Self::MAX_EVENTS {
            return Err(Error::invalid(
                "history",
                format!(
                    "at most {} events per request, got {}",
                    Self::MAX_EVENTS,
                    self.events.len()
                ),
            ));
        }
        for (what, favorites) in [
            ("favorite_genres", &self.favorite_genres),
            ("favorite_people", &self.favorite_people),
        ] {
            for (name, &weight) in favorites.names.iter().zip(&favorites.weights) {
                if !(weight.is_finite() && (0.0..=Self::MAX_FAVORITE_WEIGHT).contains(&weight)) {
                    return Err(Error::invalid(
                        what,
                        format!(
                            "the weight of {name:?} is {weight}; weights must be finite, in \
                             [0, {}]",
                            Self::MAX_FAVORITE_WEIGHT
                        ),
                    ));
                }
            }
        }
        for (position, event) in self.events.iter().enumerate() {
            if let Feedback::Rating(value) = event.feedback {
                if !value.is_finite() || value.abs() > Self::MAX_ABS_RATING {
                    return Err(Error::invalid(
                        "history",
                        format!(
                            "event {position} (item {:?}): rating {value} is not a finite \
                             number within ±{}",
                            event.item_id,
                            Self::MAX_ABS_RATING
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Adds an event (builder style).
    pub fn with(mut self, item_id: &str, feedback: Feedback, timestamp: i64) -> Self {
        self.push(item_id, feedback, timestamp);
        self
    }

    /// Adds an event.
    pub fn push(&mut self, item_id: &str, feedback: Feedback, timestamp: i64) {
        self.events.push(HistoryEvent {
            item_id: item_id.to_string(),
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

    /// Adds a favourite genre with weight 1 (builder style).
    pub fn with_favorite_genre(self, genre: &str) -> Self {
        self.with_weighted_favorite_genre(genre, 1.0)
    }

    /// Adds a favourite genre with a weight (builder style): favourites tilt For You towards
    /// their items in proportion to their weights. A weight must be finite and ≥ 0
    /// ([`UserHistory::validate`]).
    ///
    /// ```
    /// use recsys_core::recommender::UserHistory;
    /// let history = UserHistory::new()
    ///     .with_weighted_favorite_genre("Sci-Fi", 3.0)
    ///     .with_weighted_favorite_genre("Drama", 1.0);
    /// assert_eq!(history.favorite_genre_weights(), [3.0, 1.0]);
    /// // The same as JSON: a map from name to weight, or a list for equal weights.
    /// let json = r#"{"favorite_genres": {"Sci-Fi": 3, "Drama": 1}}"#;
    /// assert_eq!(serde_json::from_str::<UserHistory>(json).unwrap(), history);
    /// let listed: UserHistory = serde_json::from_str(r#"{"favorite_genres": ["Drama"]}"#).unwrap();
    /// assert_eq!(listed, UserHistory::new().with_favorite_genre("Drama"));
    /// ```
    pub fn with_weighted_favorite_genre(mut self, genre: &str, weight: f32) -> Self {
        self.favorite_genres.push(genre, weight);
        self
    }

    /// Adds a favourite person, by catalog person id, with weight 1 (builder style).
    pub fn with_favorite_person(self, person: &str) -> Self {
        self.with_weighted_favorite_person(person, 1.0)
    }

    /// Adds a favourite person with a weight (builder style; see
    /// [`UserHistory::with_weighted_favorite_genre`]).
    pub fn with_weighted_favorite_person(mut self, person: &str, weight: f32) -> Self {
        self.favorite_people.push(person, weight);
        self
    }

    /// The favourite genres, in the order given.
    pub fn favorite_genres(&self) -> &[String] {
        &self.favorite_genres.names
    }

    /// The weights of [`UserHistory::favorite_genres`], in the same order.
    pub fn favorite_genre_weights(&self) -> &[f32] {
        &self.favorite_genres.weights
    }

    /// The favourite people (catalog person ids), in the order given.
    pub fn favorite_people(&self) -> &[String] {
        &self.favorite_people.names
    }

    /// The weights of [`UserHistory::favorite_people`], in the same order.
    pub fn favorite_people_weights(&self) -> &[f32] {
        &self.favorite_people.weights
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
///
/// JSON: tagged by `kind`, e.g. `{"kind": "by_genre", "genre": "Drama"}`; the lists without
/// an argument may also be written as a bare string (`"for_you"`, `"trending"`).
///
/// ```
/// use recsys_core::recommender::List;
/// let list: List = serde_json::from_str(r#""trending""#).unwrap();
/// assert_eq!(list, List::Trending);
/// let list: List = serde_json::from_str(r#"{"kind": "similar_to", "item_id": "m1"}"#).unwrap();
/// assert_eq!(list, List::similar_to("m1"));
/// assert!(serde_json::from_str::<List>(r#""by_genre""#).is_err()); // which genre?
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum List {
    /// Personal recommendations from the whole history (the hybrid score).
    #[default]
    ForYou,
    /// Items like one the user liked; reasons cite that item.
    BecauseYouLiked {
        /// The liked item (external id).
        item_id: String,
    },
    /// What is popular lately.
    Trending,
    /// Items of one genre, personalised when there is a history, otherwise by popularity.
    ByGenre {
        /// The genre (ASCII case-insensitive; must be a catalogue genre).
        genre: String,
    },
    /// Items similar to one item page, whatever the history.
    SimilarTo {
        /// The item of the page (external id).
        item_id: String,
    },
}

impl List {
    /// [`List::BecauseYouLiked`] of `item_id`.
    pub fn because_you_liked(item_id: &str) -> Self {
        List::BecauseYouLiked {
            item_id: item_id.to_string(),
        }
    }

    /// [`List::ByGenre`] of `genre`.
    pub fn by_genre(genre: &str) -> Self {
        List::ByGenre {
            genre: genre.to_string(),
        }
    }

    /// [`List::SimilarTo`] of `item_id`.
    pub fn similar_to(item_id: &str) -> Self {
        List::SimilarTo {
            item_id: item_id.to_string(),
        }
    }

    /// The list's name as in JSON (`"for_you"`, `"by_genre"`, …).
    pub fn name(&self) -> &'static str {
        match self {
            List::ForYou => "for_you",
            List::BecauseYouLiked { .. } => "because_you_liked",
            List::Trending => "trending",
            List::ByGenre { .. } => "by_genre",
            List::SimilarTo { .. } => "similar_to",
        }
    }
}

/// The tagged JSON shape of [`List`] (what `#[serde(tag = "kind")]` derives).
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum TaggedList {
    ForYou,
    BecauseYouLiked { item_id: String },
    Trending,
    ByGenre { genre: String },
    SimilarTo { item_id: String },
}

impl<'de> Deserialize<'de> for List {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct ListVisitor;

        impl<'de> Visitor<'de> for ListVisitor {
            type Value = List;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#"a list such as "for_you" or {"kind": "by_genre", "genre": "Drama"}"#)
            }

            fn visit_str<E: de::Error>(self, name: &str) -> std::result::Result<List, E> {
                match name {
                    "for_you" => Ok(List::ForYou),
                    "trending" => Ok(List::Trending),
                    "because_you_liked" | "similar_to" => Err(E::custom(format!(
                        r#"list "{name}" needs an item: {{"kind": "{name}", "item_id": "…"}}"#
                    ))),
                    "by_genre" => Err(E::custom(
                        r#"list "by_genre" needs a genre: {"kind": "by_genre", "genre": "…"}"#,
                    )),
                    other => Err(E::custom(format!(
                        "unknown list {other:?} (expected for_you, because_you_liked, \
                         trending, by_genre or similar_to)"
                    ))),
                }
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<List, A::Error> {
                let tagged = TaggedList::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(match tagged {
                    TaggedList::ForYou => List::ForYou,
                    TaggedList::BecauseYouLiked { item_id } => List::BecauseYouLiked { item_id },
                    TaggedList::Trending => List::Trending,
                    TaggedList::ByGenre { genre } => List::ByGenre { genre },
                    TaggedList::SimilarTo { item_id } => List::SimilarTo { item_id },
                })
            }
        }

        deserializer.deserialize_any(ListVisitor)
    }
}

/// Restrictions on the returned items. Every set filter must hold for every returned item.
///
/// ```
/// use recsys_core::recommender::Filters;
/// let filters = Filters::new().genre("Comedy").years(1990, 1999).exclude_seen(false);
/// assert!(filters.validate().is_ok());
/// let json: Filters = serde_json::from_str(r#"{"genres": ["Comedy"], "min_year": 1990}"#).unwrap();
/// assert!(json.exclude_seen); // defaults fill the rest
/// assert!(Filters::new().years(2000, 1990).validate().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Filters {
    /// If non-empty, items must have at least one of these genres (ASCII case-insensitive;
    /// each must be a catalogue genre).
    pub genres: Vec<String>,
    /// If set, items must be from this year or later (items without a year fail).
    pub min_year: Option<i32>,
    /// If set, items must be from this year or earlier (items without a year fail).
    pub max_year: Option<i32>,
    /// If non-empty, items must carry at least one of these tags (case-insensitive).
    pub tags: Vec<String>,
    /// If non-empty, items must credit at least one of these people (catalog person ids;
    /// unknown ones are reported).
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
            min_year: None,
            max_year: None,
            tags: Vec::new(),
            people: Vec::new(),
            exclude_seen: true,
            exclude_disliked: true,
            exclude: Vec::new(),
            candidates: None,
        }
    }
}

impl Filters {
    /// No restriction beyond leaving out seen and disliked items.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a genre (items must have one of the genres given).
    pub fn genre(mut self, genre: &str) -> Self {
        self.genres.push(genre.to_string());
        self
    }

    /// Keeps items from `min..=max`.
    pub fn years(mut self, min: i32, max: i32) -> Self {
        self.min_year = Some(min);
        self.max_year = Some(max);
        self
    }

    /// Adds a tag (items must carry one of the tags given).
    pub fn tag(mut self, tag: &str) -> Self {
        self.tags.push(tag.to_string());
        self
    }

    /// Adds a person (items must credit one of the people given).
    pub fn person(mut self, person_id: &str) -> Self {
        self.people.push(person_id.to_string());
        self
    }

    /// Whether to leave out items in the history.
    pub fn exclude_seen(mut self, exclude: bool) -> Self {
        self.exclude_seen = exclude;
        self
    }

    /// Whether to leave out disliked and "not interested" items.
    pub fn exclude_disliked(mut self, exclude: bool) -> Self {
        self.exclude_disliked = exclude;
        self
    }

    /// Leaves out one more item.
    pub fn exclude(mut self, item_id: &str) -> Self {
        self.exclude.push(item_id.to_string());
        self
    }

    /// Only these items may be returned.
    pub fn candidates<S: AsRef<str>>(mut self, item_ids: impl IntoIterator<Item = S>) -> Self {
        self.candidates = Some(
            item_ids
                .into_iter()
                .map(|id| id.as_ref().to_string())
                .collect(),
        );
        self
    }

    /// Checks what can be checked without a catalogue: the year range is not reversed.
    /// ([`Recommender::recommend`](super::Recommender::recommend) also checks that each genre
    /// exists.)
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the field.
    pub fn validate(&self) -> Result<()> {
        if let (Some(min), Some(max)) = (self.min_year, self.max_year) {
            if min > max {
                return Err(Error::invalid(
                    "max_year",
                    format!("the year range is reversed: min_year {min} > max_year {max}"),
                ));
            }
        }
        Ok(())
    }

    /// Whether any metadata filter (genre, year, tag, person) is set.
    pub(crate) fn filters_content(&self) -> bool {
        !self.genres.is_empty()
            || self.min_year.is_some()
            || self.max_year.is_some()
            || !self.tags.is_empty()
            || !self.people.is_empty()
    }
}

/// One request: which list, how many items, filters, the diversity knob and how much detail
/// to return.
///
/// JSON reads with defaults and refuses unknown fields: `{"list": "for_you", "n": 5}`.
///
/// ```
/// use recsys_core::recommender::{List, Query};
/// let query = Query::new(List::Trending).n(5).diversity(0.3);
/// assert_eq!(query.n, 5);
/// assert!(query.filters.exclude_seen);
/// let parsed: Query = serde_json::from_str(r#"{"list": "trending", "n": 5, "diversity": 0.3}"#).unwrap();
/// assert_eq!(parsed, query);
/// assert!(Query::new(List::ForYou).n(Query::MAX_N + 1).validate().is_err());
/// assert!(serde_json::from_str::<Query>(r#"{"count": 5}"#).is_err()); // unknown field
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Query {
    /// Which list.
    pub list: List,
    /// How many items at most, `0..=`[`Query::MAX_N`] (default 10).
    pub n: usize,
    /// Restrictions.
    pub filters: Filters,
    /// MMR diversity in `[0, 1]`: 0 ranks by score only, larger values trade score for items
    /// unlike those already chosen. `None` uses the recommender's default.
    pub diversity: Option<f32>,
    /// Render each item's reasons as an English sentence into
    /// [`Recommendation::explanation`] (default false: the structured reasons are always
    /// there, and [`Recommendation::sentence`] renders on demand).
    pub explain: bool,
    /// Add each item's collaborative decomposition ([`Recommendation::collaborative`]): one
    /// entry per history item, so off by default.
    pub detail: bool,
}

impl Default for Query {
    fn default() -> Self {
        Self::new(List::ForYou)
    }
}

impl Query {
    /// The most items one request may ask for. A page of a catalogue app shows tens; a
    /// larger `n` is refused rather than served slowly.
    pub const MAX_N: usize = 1000;

    /// Ten items of `list`, default filters and diversity, no sentences, no detail.
    pub fn new(list: List) -> Self {
        Self {
            list,
            n: 10,
            filters: Filters::default(),
            diversity: None,
            explain: false,
            detail: false,
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

    /// Asks for each item's sentence in [`Recommendation::explanation`].
    pub fn explain(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// Asks for each item's collaborative decomposition.
    pub fn detail(mut self, detail: bool) -> Self {
        self.detail = detail;
        self
    }

    /// Checks what can be checked without a recommender: `n`, the diversity range and the
    /// filters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.n > Self::MAX_N {
            return Err(Error::invalid(
                "n",
                format!("at most {} items per request, got {}", Self::MAX_N, self.n),
            ));
        }
        if let Some(diversity) = self.diversity {
            super::blend::check_diversity(diversity)?;
        }
        self.filters.validate()
    }
}

/// How much each signal added to an item's blended score (they sum to it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScoreParts {
    /// Weighted, normalised collaborative part (ALS and item-kNN).
    pub collaborative: f32,
    /// Weighted, normalised content part.
    pub content: f32,
    /// Weighted, normalised popularity part (negative with a popularity penalty).
    pub popularity: f32,
}

/// One history item's share of a collaborative score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Contribution {
    /// The history item (external id).
    pub item_id: String,
    /// `c_uj · y_iᵀ W_u y_j`: its additive part of the raw ALS score.
    pub value: f32,
}

/// The exact ALS decomposition of an item's raw collaborative score (with
/// [`Query::detail`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Collaborative {
    /// The raw fold-in score `y_iᵀ x_u`.
    pub score: f32,
    /// One entry per history item with evidence; the values sum to `score`.
    pub contributions: Vec<Contribution>,
    /// The blended score's part that no history item carries: the request's normalising
    /// shifts and fills (the same for every item of its kind).
    #[serde(default)]
    pub baseline: f32,
    /// Each history item's part of the blended score (its ALS, item-kNN, EASE and content
    /// contributions, each weighted and normalised as the blend does): `baseline`, these and
    /// [`ScoreParts::popularity`] sum to [`Recommendation::score`]. A cited item's
    /// [`CitedItem::share`](crate::explain::CitedItem::share) is its part over the sum of the
    /// positive parts and a positive popularity part. For a visitor with favourites and no
    /// liked items, the items are those of the favourites' pseudo-history (never cited).
    #[serde(default)]
    pub parts: Vec<Contribution>,
}

/// One recommended item.
///
/// ```
/// # use recsys_core::recommender::Recommendation;
/// # fn show(r: &Recommendation) {
/// println!("{} {:?}: {}", r.item_id, r.title, r.sentence());
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Recommendation {
    /// External item id.
    pub item_id: String,
    /// Title for display, when the catalogue has one (without the year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Release year, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// The list's score (higher is better; comparable only within one response).
    pub score: f32,
    /// The blended score's parts (For You and By Genre with a history; zero otherwise).
    pub parts: ScoreParts,
    /// Structured reasons, most important first (never empty).
    pub reasons: Vec<Reason>,
    /// The reasons as one sentence, when the query asked for it ([`Query::explain`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The ALS decomposition, when the query asked for it ([`Query::detail`]) and the
    /// collaborative signal took part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collaborative: Option<Collaborative>,
}

impl Recommendation {
    /// The reasons as one English sentence ("Because you liked Fargo (1996); Popular with
    /// everyone"), rendered now.
    pub fn sentence(&self) -> String {
        explain::render(&self.reasons)
    }

    /// The item as a reference, for citing it elsewhere.
    pub fn item(&self) -> ItemRef {
        ItemRef {
            item_id: self.item_id.clone(),
            title: self.title.clone(),
            year: self.year,
        }
    }
}

/// The answer to a request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Recommendations {
    /// The items, best first.
    pub items: Vec<Recommendation>,
    /// Ids that were ignored, sorted and deduplicated: item ids in the history or filters and
    /// favourite genres or people the recommender does not know.
    pub unknown_ids: Vec<String>,
    /// The fingerprint of the model that answered (see
    /// [`Recommender::fingerprint`](super::Recommender::fingerprint)): a cache key that
    /// changes with every model swap.
    pub model: String,
}

/// One person's credit on an item, as [`ItemView`] lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PersonCredit {
    /// The catalogue's person id.
    pub person_id: String,
    /// Display name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What they did.
    pub role: Role,
}

/// Everything the recommender knows about one item (see
/// [`Recommender::item`](super::Recommender::item)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ItemView {
    /// External item id.
    pub item_id: String,
    /// Title without the year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Release year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Genre names.
    pub genres: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Cast and crew.
    pub people: Vec<PersonCredit>,
    /// Training interactions (0: a new item only content can place).
    pub interactions: u32,
}
