//! Feedback kinds and the policy that turns them into ALS confidence and exclusions.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// One kind of user feedback on an item.
///
/// In JSON (and every other human-readable format) a feedback is an object tagged by `kind`:
/// `{"kind": "rating", "value": 4.5}`, `{"kind": "like"}`, `{"kind": "not_interested"}`; a
/// bare string that [`Feedback::parse`] accepts (`"like"`, `"4.5"`) reads too. Binary formats
/// (model artifacts) keep a compact encoding. Decoding checks the value like
/// [`Feedback::validated`].
///
/// ```
/// use recsys_core::data::Feedback;
/// let json = serde_json::to_string(&Feedback::Rating(4.5)).unwrap();
/// assert_eq!(json, r#"{"kind":"rating","value":4.5}"#);
/// let like: Feedback = serde_json::from_str(r#"{"kind": "like"}"#).unwrap();
/// assert_eq!(like, Feedback::Like);
/// assert!(serde_json::from_str::<Feedback>(r#"{"kind": "rating", "value": 1e39}"#).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Feedback {
    /// An explicit star rating (MovieLens uses 1–5; any finite value is accepted).
    Rating(f32),
    /// A thumbs-up.
    Like,
    /// A thumbs-down: never recommended, negative evidence.
    Dislike,
    /// The user watched (consumed) the item.
    Watched,
    /// The user put the item on a watchlist.
    Watchlisted,
    /// "Not interested": never recommended, negative evidence.
    NotInterested,
}

impl Feedback {
    /// Parses a kind name as used in CSV files and the bindings: `rating:<value>` or a bare number
    /// for ratings, `like`, `dislike`, `watched`, `watchlisted`, `not_interested`.
    ///
    /// ```
    /// use recsys_core::data::Feedback;
    /// assert_eq!(Feedback::parse("like").unwrap(), Feedback::Like);
    /// assert_eq!(Feedback::parse("4.5").unwrap(), Feedback::Rating(4.5));
    /// assert!(Feedback::parse("meh").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self> {
        let t = text.trim();
        let rating = |v: &str| -> Result<Self> {
            let value: f32 = v
                .parse()
                .map_err(|_| Error::invalid("feedback", format!("{text:?} is not a rating")))?;
            Feedback::Rating(value).validated()
        };
        match t.to_ascii_lowercase().as_str() {
            "like" => Ok(Feedback::Like),
            "dislike" => Ok(Feedback::Dislike),
            "watched" | "watch" | "view" => Ok(Feedback::Watched),
            "watchlisted" | "watchlist" => Ok(Feedback::Watchlisted),
            "not_interested" | "not-interested" | "notinterested" => Ok(Feedback::NotInterested),
            other => match other.strip_prefix("rating:") {
                Some(v) => rating(v),
                None if other.parse::<f32>().is_ok() => rating(other),
                None => Err(Error::invalid(
                    "feedback",
                    format!(
                        "unknown kind {text:?} (expected a rating, like, dislike, watched, watchlisted or not_interested)"
                    ),
                )),
            },
        }
    }

    /// Returns the feedback if its value is usable (finite rating).
    pub fn validated(self) -> Result<Self> {
        if let Feedback::Rating(v) = self {
            crate::error::ensure_finite(f64::from(v), || "rating".to_string())?;
        }
        Ok(self)
    }

    /// Whether this kind keeps an item out of the user's recommendations for good.
    pub fn is_exclusion(self) -> bool {
        matches!(self, Feedback::Dislike | Feedback::NotInterested)
    }
}

/// The compact encoding of model artifacts (variant index, then the rating).
#[derive(Serialize, Deserialize)]
enum CompactFeedback {
    Rating(f32),
    Like,
    Dislike,
    Watched,
    Watchlisted,
    NotInterested,
}

/// The human-readable shape, shared by every consumer's JSON.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum TaggedFeedback {
    Rating { value: f32 },
    Like,
    Dislike,
    Watched,
    Watchlisted,
    NotInterested,
}

impl From<Feedback> for TaggedFeedback {
    fn from(feedback: Feedback) -> Self {
        match feedback {
            Feedback::Rating(value) => TaggedFeedback::Rating { value },
            Feedback::Like => TaggedFeedback::Like,
            Feedback::Dislike => TaggedFeedback::Dislike,
            Feedback::Watched => TaggedFeedback::Watched,
            Feedback::Watchlisted => TaggedFeedback::Watchlisted,
            Feedback::NotInterested => TaggedFeedback::NotInterested,
        }
    }
}

impl From<TaggedFeedback> for Feedback {
    fn from(feedback: TaggedFeedback) -> Self {
        match feedback {
            TaggedFeedback::Rating { value } => Feedback::Rating(value),
            TaggedFeedback::Like => Feedback::Like,
            TaggedFeedback::Dislike => Feedback::Dislike,
            TaggedFeedback::Watched => Feedback::Watched,
            TaggedFeedback::Watchlisted => Feedback::Watchlisted,
            TaggedFeedback::NotInterested => Feedback::NotInterested,
        }
    }
}

impl From<Feedback> for CompactFeedback {
    fn from(feedback: Feedback) -> Self {
        match feedback {
            Feedback::Rating(value) => CompactFeedback::Rating(value),
            Feedback::Like => CompactFeedback::Like,
            Feedback::Dislike => CompactFeedback::Dislike,
            Feedback::Watched => CompactFeedback::Watched,
            Feedback::Watchlisted => CompactFeedback::Watchlisted,
            Feedback::NotInterested => CompactFeedback::NotInterested,
        }
    }
}

impl From<CompactFeedback> for Feedback {
    fn from(feedback: CompactFeedback) -> Self {
        match feedback {
            CompactFeedback::Rating(value) => Feedback::Rating(value),
            CompactFeedback::Like => Feedback::Like,
            CompactFeedback::Dislike => Feedback::Dislike,
            CompactFeedback::Watched => Feedback::Watched,
            CompactFeedback::Watchlisted => Feedback::Watchlisted,
            CompactFeedback::NotInterested => Feedback::NotInterested,
        }
    }
}

impl Serialize for Feedback {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            TaggedFeedback::from(*self).serialize(serializer)
        } else {
            CompactFeedback::from(*self).serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for Feedback {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, Visitor};

        struct HumanReadable;

        impl<'de> Visitor<'de> for HumanReadable {
            type Value = Feedback;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#"a feedback such as {"kind": "rating", "value": 4} or "like""#)
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Feedback, E> {
                Feedback::parse(text).map_err(E::custom)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Feedback, A::Error> {
                let tagged =
                    TaggedFeedback::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Feedback::from(tagged)
                    .validated()
                    .map_err(de::Error::custom)
            }
        }

        if deserializer.is_human_readable() {
            deserializer.deserialize_any(HumanReadable)
        } else {
            let feedback = Feedback::from(CompactFeedback::deserialize(deserializer)?);
            feedback.validated().map_err(serde::de::Error::custom)
        }
    }
}

/// How feedback becomes collaborative-filtering signal.
///
/// Each event gets a *signed weight*: positive = the user likes the item with that confidence,
/// negative = evidence against it. Several events on the same (user, item) are combined: the
/// weights of the implicit kinds (watched, watchlisted) add up; the latest *opinion* (rating, like,
/// dislike, not interested) replaces earlier opinions, so a user who rated 2 and later liked the
/// item counts as liking it. When the latest opinion is a dislike or "not interested" the pair is
/// negative whatever else happened, and the item is excluded from that user's recommendations.
///
/// Defaults (the rating mapping was chosen on the MovieLens validation split, see the README:
/// treating 1–3 stars as evidence *against* an item beats counting every rating as positive):
///
/// | feedback | weight |
/// |---|---|
/// | rating `r` ≥ `negative_below` (3.5) | `rating_scale · r` (scale 1) |
/// | rating `r` < `negative_below` | `-rating_scale · (negative_below - r)` |
/// | like | 5 |
/// | watched | 1 |
/// | watchlisted | 2 |
/// | dislike | -5 |
/// | not interested | -3 |
///
/// ```
/// use recsys_core::data::{Feedback, FeedbackPolicy};
/// let p = FeedbackPolicy::default();
/// assert!(p.weight(Feedback::Rating(5.0)) > p.weight(Feedback::Rating(3.0)));
/// assert!(p.weight(Feedback::Dislike) < 0.0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedbackPolicy {
    /// Multiplier applied to ratings.
    rating_scale: f32,
    /// Ratings strictly below this count as negative evidence; `None` keeps every rating positive.
    negative_below: Option<f32>,
    /// Weight of a like.
    like: f32,
    /// Weight of a dislike (should be negative).
    dislike: f32,
    /// Weight of a watch.
    watched: f32,
    /// Weight of a watchlist entry.
    watchlisted: f32,
    /// Weight of a "not interested" (should be negative).
    not_interested: f32,
}

impl Default for FeedbackPolicy {
    fn default() -> Self {
        Self {
            rating_scale: 1.0,
            negative_below: Some(3.5),
            like: 5.0,
            dislike: -5.0,
            watched: 1.0,
            watchlisted: 2.0,
            not_interested: -3.0,
        }
    }
}

impl FeedbackPolicy {
    /// The default policy, except that every rating is positive evidence with confidence
    /// `rating` (as in `implicit`'s usual set-up). Item-kNN and popularity were tuned with it.
    ///
    /// ```
    /// use recsys_core::data::{Feedback, FeedbackPolicy};
    /// assert_eq!(FeedbackPolicy::all_ratings_positive().weight(Feedback::Rating(1.0)), 1.0);
    /// assert!(FeedbackPolicy::default().weight(Feedback::Rating(1.0)) < 0.0);
    /// ```
    pub fn all_ratings_positive() -> Self {
        Self {
            negative_below: None,
            ..Self::default()
        }
    }

    /// Sets `rating_scale` (see the table above; checked by [`FeedbackPolicy::validate`]).
    pub fn rating_scale(mut self, rating_scale: f32) -> Self {
        self.rating_scale = rating_scale;
        self
    }

    /// Sets `negative_below` (see the table above; checked by [`FeedbackPolicy::validate`]).
    pub fn negative_below(mut self, negative_below: Option<f32>) -> Self {
        self.negative_below = negative_below;
        self
    }

    /// Sets `like` (see the table above; checked by [`FeedbackPolicy::validate`]).
    pub fn like(mut self, like: f32) -> Self {
        self.like = like;
        self
    }

    /// Sets `dislike` (see the table above; checked by [`FeedbackPolicy::validate`]).
    pub fn dislike(mut self, dislike: f32) -> Self {
        self.dislike = dislike;
        self
    }

    /// Sets `watched` (see the table above; checked by [`FeedbackPolicy::validate`]).
    pub fn watched(mut self, watched: f32) -> Self {
        self.watched = watched;
        self
    }

    /// Sets `watchlisted` (see the table above; checked by [`FeedbackPolicy::validate`]).
    pub fn watchlisted(mut self, watchlisted: f32) -> Self {
        self.watchlisted = watchlisted;
        self
    }

    /// Sets `not_interested` (see the table above; checked by [`FeedbackPolicy::validate`]).
    pub fn not_interested(mut self, not_interested: f32) -> Self {
        self.not_interested = not_interested;
        self
    }

    /// Checks that every weight is finite and the signs make sense.
    pub fn validate(&self) -> Result<()> {
        let fields = [
            ("rating_scale", self.rating_scale),
            ("like", self.like),
            ("dislike", self.dislike),
            ("watched", self.watched),
            ("watchlisted", self.watchlisted),
            ("not_interested", self.not_interested),
        ];
        for (name, v) in fields {
            if !v.is_finite() {
                return Err(Error::invalid(name, format!("must be finite, got {v}")));
            }
        }
        if self.rating_scale <= 0.0 {
            return Err(Error::invalid("rating_scale", "must be positive"));
        }
        if self.dislike > 0.0 || self.not_interested > 0.0 {
            return Err(Error::invalid(
                "dislike",
                "dislike and not_interested weights must be ≤ 0",
            ));
        }
        if let Some(t) = self.negative_below {
            if !t.is_finite() {
                return Err(Error::invalid("negative_below", "must be finite"));
            }
        }
        Ok(())
    }

    /// The lowest rating reasons call "liked": `negative_below` (3.5 by default), or 3.5 when
    /// every rating is positive evidence (a rating counted as *evidence* is not always one
    /// the user would call liking the item).
    ///
    /// ```
    /// use recsys_core::data::FeedbackPolicy;
    /// assert_eq!(FeedbackPolicy::default().liked_rating(), 3.5);
    /// assert_eq!(FeedbackPolicy::default().negative_below(Some(6.0)).liked_rating(), 6.0);
    /// ```
    pub fn liked_rating(&self) -> f32 {
        self.negative_below.unwrap_or(3.5)
    }

    /// The signed weight of one event.
    pub fn weight(&self, feedback: Feedback) -> f32 {
        match feedback {
            Feedback::Rating(r) => match self.negative_below {
                Some(t) if r < t => -self.rating_scale * (t - r),
                _ => self.rating_scale * r,
            },
            Feedback::Like => self.like,
            Feedback::Dislike => self.dislike,
            Feedback::Watched => self.watched,
            Feedback::Watchlisted => self.watchlisted,
            Feedback::NotInterested => self.not_interested,
        }
    }

    /// Combines the events of one (user, item) pair, oldest first, into one signed weight
    /// (the `value` of [`FeedbackPolicy::resolve`]).
    ///
    /// ```
    /// use recsys_core::data::{Feedback, FeedbackPolicy};
    /// let p = FeedbackPolicy::default();
    /// // watched (1) + latest opinion rating 4 (4)
    /// assert_eq!(p.combine([Feedback::Watched, Feedback::Rating(2.0), Feedback::Rating(4.0)]), 5.0);
    /// assert!(p.combine([Feedback::Like, Feedback::Dislike]) < 0.0);
    /// ```
    pub fn combine(&self, events: impl IntoIterator<Item = Feedback>) -> f32 {
        self.resolve(events).value
    }

    /// What the events of one (user, item) pair, oldest first, amount to: the one place that
    /// says "the latest opinion wins". Training ([`Dataset::interactions`]), request-time
    /// fold-ins and rating predictions all read pairs through it, so they cannot drift apart.
    ///
    /// The weights of the implicit kinds (watched, watchlisted) add up; the latest *opinion*
    /// (rating, like, dislike, not interested) replaces earlier ones and adds to them when
    /// positive, replaces everything when negative.
    ///
    /// ```
    /// use recsys_core::data::{Feedback, FeedbackPolicy};
    /// let p = FeedbackPolicy::default();
    /// let pair = p.resolve([Feedback::Rating(5.0), Feedback::Watched, Feedback::NotInterested]);
    /// assert!(pair.value < 0.0 && pair.excluded);
    /// assert_eq!(pair.rating, Some(5.0)); // the latest star rating, for rating models
    /// let pair = p.resolve([Feedback::Dislike, Feedback::Rating(4.0)]);
    /// assert!(pair.value > 0.0 && !pair.excluded);
    /// ```
    ///
    /// [`Dataset::interactions`]: super::Dataset::interactions
    pub fn resolve(&self, events: impl IntoIterator<Item = Feedback>) -> PairFeedback {
        let mut implicit = 0.0f32;
        let mut opinion: Option<Feedback> = None;
        let mut rating = None;
        let (mut watched, mut watchlisted) = (false, false);
        for f in events {
            match f {
                Feedback::Watched | Feedback::Watchlisted => {
                    implicit += self.weight(f);
                    watched |= f == Feedback::Watched;
                    watchlisted |= f == Feedback::Watchlisted;
                }
                Feedback::Rating(stars) => {
                    rating = Some(stars);
                    opinion = Some(f);
                }
                _ => opinion = Some(f),
            }
        }
        let value = match opinion {
            Some(f) => {
                let w = self.weight(f);
                if w < 0.0 {
                    w
                } else {
                    w + implicit
                }
            }
            None => implicit,
        };
        PairFeedback {
            value,
            excluded: opinion.is_some_and(Feedback::is_exclusion),
            rating,
            opinion,
            watched,
            watchlisted,
        }
    }

    /// Resolves many pairs at once: `events` are `(pair key, timestamp, feedback)` in the
    /// order they were recorded; each key's events are read oldest first (equal timestamps
    /// keep their order) and resolved with [`FeedbackPolicy::resolve`]. Keys come out sorted.
    pub(crate) fn resolve_pairs<K: Ord + Copy>(
        &self,
        events: impl IntoIterator<Item = (K, i64, Feedback)>,
    ) -> Vec<(K, PairFeedback)> {
        let mut events: Vec<(K, i64, Feedback)> = events.into_iter().collect();
        // Stable: equal timestamps keep the recorded order.
        events.sort_by_key(|e| (e.0, e.1));
        events
            .chunk_by(|a, b| a.0 == b.0)
            .map(|group| (group[0].0, self.resolve(group.iter().map(|e| e.2))))
            .collect()
    }
}

/// What one (user, item) pair's events amount to (see [`FeedbackPolicy::resolve`]).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct PairFeedback {
    /// The signed confidence (0: no evidence either way).
    pub value: f32,
    /// The latest opinion is a dislike or "not interested": never recommend the item.
    pub excluded: bool,
    /// The latest star rating, if the pair has one (for explicit rating models).
    pub rating: Option<f32>,
    /// The latest opinion (rating, like, dislike, not interested), if any.
    pub opinion: Option<Feedback>,
    /// Whether a watch was recorded.
    pub watched: bool,
    /// Whether a watchlist entry was recorded.
    pub watchlisted: bool,
}

impl PairFeedback {
    /// Whether the user *liked* the item, as reasons may say it: the latest opinion is a like
    /// or a rating of at least `liked_rating`.
    ///
    /// ```
    /// use recsys_core::data::{Feedback, FeedbackPolicy};
    /// let p = FeedbackPolicy::default();
    /// assert!(p.resolve([Feedback::Rating(4.0)]).is_liked(p.liked_rating()));
    /// assert!(!p.resolve([Feedback::Rating(2.0), Feedback::Watched]).is_liked(3.5));
    /// assert!(!p.resolve([Feedback::Like, Feedback::Dislike]).is_liked(3.5));
    /// ```
    pub fn is_liked(&self, liked_rating: f32) -> bool {
        match self.opinion {
            Some(Feedback::Like) => true,
            Some(Feedback::Rating(r)) => r >= liked_rating,
            _ => false,
        }
    }
}
