//! The hybrid recommender users see: one immutable [`Recommender`] that blends collaborative
//! (ALS fold-in), content (TF-IDF profile) and popularity signals, answers every list of a
//! catalogue app (For You, Because You Liked, Trending, By Genre, Similar To) with filters, and
//! says why for every item.
//!
//! A request carries the user's *current* history ([`UserHistory`], the app's own item ids and
//! any [`Feedback`](crate::data::Feedback) kinds); it is folded into the ALS model at request time (one `k × k`
//! factorisation), so a new rating counts at once and anonymous visitors work the same way.
//! Unknown ids are ignored and reported in [`Recommendations::unknown_ids`].
//!
//! ```
//! use recsys_core::data::{Dataset, Feedback};
//! use recsys_core::models::als::AlsConfig;
//! use recsys_core::recommender::{List, Query, RecommenderBuilder, UserHistory};
//!
//! let mut ds = Dataset::new();
//! for (user, item) in [("a", "alien"), ("a", "aliens"), ("b", "alien"), ("b", "aliens"),
//!                      ("c", "fargo"), ("c", "heat"), ("d", "heat"), ("d", "alien")] {
//!     ds.add_event(user, item, Feedback::Rating(5.0), 0)?;
//! }
//! ds.item("alien").title("Alien").year(1979).genre("Sci-Fi");
//! ds.item("aliens").title("Aliens").year(1986).genre("Sci-Fi");
//! let recommender = RecommenderBuilder::new()
//!     .als(AlsConfig::new().factors(4).regularization(0.1))
//!     .fit(&ds)?;
//! let history = UserHistory::new()
//!     .with("alien", Feedback::Like, 1)
//!     .with("not-in-catalog", Feedback::Like, 2);
//! let recs = recommender.recommend(&history, &Query::new(List::ForYou).n(2))?;
//! assert_eq!(recs.unknown_ids, ["not-in-catalog"]);
//! assert!(recs.items.iter().all(|r| r.item_id != "alien" && !r.sentence().is_empty()));
//!
//! // The same request as JSON, as Python, the browser and a server send it.
//! let query: Query = serde_json::from_str(r#"{"list": "for_you", "n": 2}"#).unwrap();
//! assert_eq!(recommender.recommend(&history, &query)?, recs);
//! # Ok::<(), recsys_core::Error>(())
//! ```

mod blend;
mod builder;
mod cold;
mod discover;
mod diversity;
mod filters;
mod genres;
mod onboarding;
mod query;
mod rating;
mod reasons;
mod resolve;
mod scoring;
mod search;
mod stages;
mod web;

pub use blend::{BlendConfig, BlendPreset};
pub use builder::RecommenderBuilder;
pub use discover::{Discovery, DiscoveryQuery, PersonRef, YearRange, MAX_QUERY_BYTES};
pub use query::{
    Collaborative, Contribution, Filters, HistoryEvent, ItemView, List, PersonCredit, Query,
    Recommendation, Recommendations, ScoreParts, UserHistory,
};
pub use stages::{FitProgress, FitStage};
pub use web::ArtifactOptions;

use serde::{Deserialize, Serialize};

use crate::codec::FloatEncoding;
use crate::data::{Catalog, FeedbackPolicy, IdMap};
use crate::explain::Reason;
use crate::features::ContentNeighbors;
use crate::models::als::AlsModel;
use crate::models::content::ContentModel;
use crate::models::ease::EaseModel;
use crate::models::knn::ItemKnnModel;
use crate::models::mf::MfModel;
use crate::models::trending::{PopularityKind, TrendingModel};
use crate::models::ItemScorer;
use crate::validate::{check_finite, corrupt};
use crate::{Error, Result};

use blend::z_score;
use cold::ColdFactors;
use filters::Mask;
use genres::GenreIndex;

/// Content neighbours kept per item for the similar-item lists.
const SIMILAR_NEIGHBORS: usize = 100;

/// List length whose exposure across training users the long-tail re-ranking measures.
const EXPOSURE_LIST_LEN: usize = 10;
/// Weight of content similarity next to ALS cosine in the similar-item lists (a product
/// choice: shared people and genres are what users see in the reasons).
const SIMILAR_CONTENT_WEIGHT: f32 = 0.5;
/// Candidate pool per requested item when MMR re-ranks.
const MMR_POOL_FACTOR: usize = 4;
/// How far onboarding favourites tilt the popularity ranking of a visitor without liked
/// items when they name no popular item (otherwise they make a pseudo-history, see
/// `onboarding`): an item matching every favourite gains this many standard deviations of
/// (log) popularity, one matching favourites of half the weight half as many. Chosen on the
/// onboarding protocol's validation split (`tests/onboarding_movielens.rs`: nDCG@10 0.2527
/// without a quiz, 0.2572 at 0.05, 0.2417 at 1, 0.1025 when favourites replace popularity).
const ONBOARDING_TILT: f32 = 0.05;

/// The trained hybrid recommender: immutable, `Send + Sync`, an [`Artifact`](crate::artifact::Artifact)
/// of kind `"recommender"`.
///
/// It holds what a request reads and nothing indexed by training users (it may be downloaded
/// by a browser): item ids and catalogue, the ALS item side ([`AlsModel::into_item_side`]),
/// item-kNN, EASE weights (pruned), the rating model's item side, content features and neighbours, popularity, and
/// per-item statistics. Derived values (normalised factors, the fold-in Gram matrix, popularity
/// z-scores, cold-item factors, the fingerprint) are not serialised: they are recomputed when
/// the recommender is built or decoded. Decoding (artifact, serde_json, bincode, …) always
/// validates.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "RecommenderUnchecked")]
pub struct Recommender {
    items: IdMap,
    catalog: Catalog,
    policy: FeedbackPolicy,
    blend: BlendConfig,
    /// The ALS item side (no user factors).
    als: AlsModel,
    knn: Option<ItemKnnModel>,
    /// Explicit rating model (item side only), when the training data had ratings.
    ratings: Option<MfModel>,
    content: ContentModel,
    neighbors: ContentNeighbors,
    trending: TrendingModel,
    /// Training interactions per item (0: a cold item ALS knows nothing about).
    interaction_counts: Vec<u32>,
    /// Fraction of training users whose ALS top-10 holds each item.
    exposure: Vec<f32>,
    /// EASE weights (item side only, like everything else), when the builder fitted them.
    ease: Option<EaseModel>,
    /// Z-scored `ln(1 + all-time positive events)` (derived).
    #[serde(skip)]
    popularity: Vec<f32>,
    /// Unit-length ALS item factors (zero rows stay zero), for similarity and MMR (derived).
    #[serde(skip)]
    unit_factors: Vec<f32>,
    /// `YᵀY + λI` of the ALS item factors, the start of every fold-in (derived).
    #[serde(skip)]
    gram: Vec<f64>,
    /// Estimated ALS factors of the items without interactions (item cold start; derived).
    #[serde(skip)]
    cold: ColdFactors,
    /// The catalogue's genres and their items (derived).
    #[serde(skip)]
    genres: GenreIndex,
    /// [`Recommender::fingerprint`] (derived: at fit, or from the payload of a decoded
    /// artifact, or on first use).
    #[serde(skip)]
    fingerprint: std::sync::OnceLock<String>,
    /// How [`Artifact::to_bytes`](crate::artifact::Artifact::to_bytes) stores the large float
    /// arrays: the encoding it was decoded from or compacted to.
    #[serde(skip)]
    floats: FloatEncoding,
    /// Titles, names and words for [`Recommender::discover`] (derived on first use).
    #[serde(skip)]
    discovery: std::sync::OnceLock<discover::DiscoveryIndex>,
}

/// A decoded [`Recommender`] before its validation: the serialised fields, in order.
#[derive(Deserialize)]
struct RecommenderUnchecked {
    items: IdMap,
    catalog: Catalog,
    policy: FeedbackPolicy,
    blend: BlendConfig,
    als: AlsModel,
    knn: Option<ItemKnnModel>,
    ratings: Option<MfModel>,
    content: ContentModel,
    neighbors: ContentNeighbors,
    trending: TrendingModel,
    interaction_counts: Vec<u32>,
    exposure: Vec<f32>,
    ease: Option<EaseModel>,
}

/// A [`Recommender`] as artifact format version 3 stored it (no EASE part, no EASE weight).
#[derive(Deserialize)]
pub(crate) struct RecommenderV3 {
    items: IdMap,
    catalog: Catalog,
    policy: FeedbackPolicy,
    blend: blend::BlendConfigV3,
    als: AlsModel,
    knn: Option<ItemKnnModel>,
    ratings: Option<MfModel>,
    content: ContentModel,
    neighbors: ContentNeighbors,
    trending: TrendingModel,
    interaction_counts: Vec<u32>,
    exposure: Vec<f32>,
}

impl TryFrom<RecommenderV3> for Recommender {
    type Error = Error;

    /// The same recommender as the version-3 file, validated: it recommends exactly as before.
    fn try_from(r: RecommenderV3) -> Result<Self> {
        RecommenderUnchecked {
            items: r.items,
            catalog: r.catalog,
            policy: r.policy,
            blend: r.blend.into(),
            als: r.als,
            knn: r.knn,
            ratings: r.ratings,
            content: r.content,
            neighbors: r.neighbors,
            trending: r.trending,
            interaction_counts: r.interaction_counts,
            exposure: r.exposure,
            ease: None,
        }
        .try_into()
    }
}

impl TryFrom<RecommenderUnchecked> for Recommender {
    type Error = Error;

    fn try_from(r: RecommenderUnchecked) -> Result<Self> {
        let recommender = Self {
            items: r.items,
            catalog: r.catalog,
            policy: r.policy,
            blend: r.blend,
            als: r.als,
            knn: r.knn,
            ratings: r.ratings,
            content: r.content,
            neighbors: r.neighbors,
            trending: r.trending,
            interaction_counts: r.interaction_counts,
            exposure: r.exposure,
            ease: r.ease,
            popularity: Vec::new(),
            unit_factors: Vec::new(),
            gram: Vec::new(),
            cold: ColdFactors::default(),
            genres: GenreIndex::default(),
            fingerprint: std::sync::OnceLock::new(),
            floats: crate::codec::current_floats(),
            discovery: std::sync::OnceLock::new(),
        };
        // Checked before deriving anything from the parts.
        recommender.validate_parts()?;
        // The fingerprint is left for `Artifact::from_bytes` (the payload's hash) or first use.
        let recommender = recommender.derive_values()?;
        recommender.validate_derived()?;
        Ok(recommender)
    }
}

impl Recommender {
    #[allow(clippy::too_many_arguments)]
    fn assemble(
        items: IdMap,
        catalog: Catalog,
        policy: FeedbackPolicy,
        blend: BlendConfig,
        als: AlsModel,
        knn: Option<ItemKnnModel>,
        ratings: Option<MfModel>,
        content: ContentModel,
        neighbors: ContentNeighbors,
        trending: TrendingModel,
        interaction_counts: Vec<u32>,
        exposure: Vec<f32>,
        ease: Option<EaseModel>,
    ) -> Result<Self> {
        Self {
            items,
            catalog,
            policy,
            blend,
            als: als.into_item_side(),
            knn,
            ratings: ratings.map(MfModel::into_item_side),
            content,
            neighbors,
            trending,
            interaction_counts,
            exposure,
            ease,
            popularity: Vec::new(),
            unit_factors: Vec::new(),
            gram: Vec::new(),
            cold: ColdFactors::default(),
            genres: GenreIndex::default(),
            fingerprint: std::sync::OnceLock::new(),
            floats: FloatEncoding::F32,
            discovery: std::sync::OnceLock::new(),
        }
        .derive()
    }

    /// Computes the derived fields and the fingerprint from the stored ones (at fit, after
    /// [`Recommender::with_blend`]).
    fn derive(self) -> Result<Self> {
        let recommender = self.derive_values()?;
        let fingerprint = recommender.compute_fingerprint()?;
        Ok(recommender.with_fingerprint(fingerprint))
    }

    /// The fingerprint of the payload [`Artifact::to_bytes`](crate::artifact::Artifact::to_bytes)
    /// writes (encoding the whole model: a decoded artifact takes its payload's hash instead).
    fn compute_fingerprint(&self) -> Result<String> {
        crate::codec::with_floats(self.floats, || {
            crate::codec::fingerprint_of("recommender", self)
        })
    }

    /// Sets the fingerprint (that of the payload the recommender was decoded from).
    pub(crate) fn with_fingerprint(mut self, fingerprint: String) -> Self {
        self.fingerprint = std::sync::OnceLock::from(fingerprint);
        self
    }

    /// The float encoding of the recommender's artifact.
    pub(crate) fn float_encoding(&self) -> FloatEncoding {
        self.floats
    }

    /// Computes the derived fields (but not the fingerprint) from the stored ones.
    fn derive_values(mut self) -> Result<Self> {
        let mut popularity: Vec<f32> = self
            .trending
            .scores(PopularityKind::AllTime)
            .iter()
            .map(|&c| c.ln_1p())
            .collect();
        z_score(&mut popularity, |_| true, 0.0);
        self.popularity = popularity;
        let k = self.als.factors();
        let mut unit_factors: Vec<f32> = self.als.item_factors().iter().copied().collect();
        for row in unit_factors.chunks_exact_mut(k) {
            let norm = crate::linalg::norm(row);
            if norm > 0.0 {
                row.iter_mut().for_each(|v| *v /= norm);
            }
        }
        self.unit_factors = unit_factors;
        self.gram = crate::models::als::item_gram(&self.als);
        self.cold = ColdFactors::estimate(
            &self.als,
            &self.neighbors,
            &self.interaction_counts,
            self.blend.cold_item_shrinkage,
        )?;
        self.genres = GenreIndex::new(&self.catalog);
        Ok(self)
    }

    /// A stable hash of the serialised recommender (64-bit FNV-1a of the artifact payload, 16
    /// hex digits), e.g. a cache key for results across model swaps: equal for a recommender
    /// and its save → load round trip, and equal to [`artifact::fingerprint`] of its bytes;
    /// different for different models (up to hash collisions). Computed once, when the
    /// recommender is fitted, decoded or re-blended, and kept (it is not serialised).
    ///
    /// ```
    /// # use recsys_core::data::{Dataset, Feedback};
    /// # use recsys_core::models::als::AlsConfig;
    /// use recsys_core::artifact::{self, Artifact};
    /// use recsys_core::recommender::{Recommender, RecommenderBuilder};
    /// # let mut ds = Dataset::new();
    /// # for (user, item) in [("a", "alien"), ("a", "heat"), ("b", "heat")] {
    /// #     ds.add_event(user, item, Feedback::Like, 0)?;
    /// # }
    /// let recommender = RecommenderBuilder::new().als(AlsConfig::new().factors(2)).fit(&ds)?;
    /// let bytes = recommender.to_bytes()?;
    /// assert_eq!(recommender.fingerprint().len(), 16);
    /// assert_eq!(Recommender::from_bytes(&bytes)?.fingerprint(), recommender.fingerprint());
    /// assert_eq!(artifact::fingerprint(&bytes)?, recommender.fingerprint());
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    ///
    /// [`artifact::fingerprint`]: crate::artifact::fingerprint
    pub fn fingerprint(&self) -> &str {
        self.fingerprint.get_or_init(|| {
            // Encoding a validated model into a hash cannot fail; say so if it ever does.
            self.compute_fingerprint()
                .unwrap_or_else(|err| format!("unfingerprinted: {err}"))
        })
    }

    /// The blend weights.
    pub fn blend(&self) -> &BlendConfig {
        &self.blend
    }

    /// The same recommender with other blend weights (e.g. while tuning them on a validation
    /// split).
    ///
    /// # Errors
    /// Those of [`BlendConfig::validate`].
    pub fn with_blend(mut self, blend: BlendConfig) -> Result<Self> {
        blend.validate()?;
        self.blend = blend;
        // The blend is saved with the model: a new fingerprint (and cold-item factors).
        self.derive()
    }

    /// Whether the item had interactions in training (otherwise only content can place it).
    pub(crate) fn is_warm(&self, item: u32) -> bool {
        self.interaction_counts
            .get(item as usize)
            .is_some_and(|&c| c > 0)
    }

    /// Checks the stored parts of a decoded recommender: every per-item part covers the same
    /// items, nothing is indexed by training users, and each part is valid.
    pub(crate) fn validate_parts(&self) -> Result<()> {
        let n = self.items.len();
        let lengths = [
            ("catalog", self.catalog.len()),
            ("ALS items", self.als.n_items()),
            ("content items", self.content.n_items()),
            ("neighbour items", self.neighbors.n_items()),
            (
                "trending items",
                self.trending.scores(PopularityKind::AllTime).len(),
            ),
            ("interaction counts", self.interaction_counts.len()),
            ("exposure", self.exposure.len()),
            (
                "item-kNN items",
                self.knn.as_ref().map_or(n, |knn| knn.n_items()),
            ),
            (
                "rating model items",
                self.ratings.as_ref().map_or(n, MfModel::n_items),
            ),
            (
                "EASE items",
                self.ease.as_ref().map_or(n, |ease| ease.n_items()),
            ),
        ];
        for (what, len) in lengths {
            if len != n {
                return Err(corrupt(format!(
                    "recommender: {what} cover {len} items, the id map {n}"
                )));
            }
        }
        let users = [
            ("ALS", self.als.n_users()),
            ("rating", self.ratings.as_ref().map_or(0, MfModel::n_users)),
        ];
        for (what, users) in users {
            if users != 0 {
                return Err(corrupt(format!(
                    "recommender: the {what} model holds {users} users' factors; a recommender \
                     keeps the item side only"
                )));
            }
        }
        // Decoding checked each part; a recommender built otherwise is checked here too.
        self.catalog.validate()?;
        self.content.validate()?;
        self.neighbors.validate(n)?;
        self.trending.validate()?;
        if let Some(knn) = &self.knn {
            knn.validate()?;
        }
        if let Some(ratings) = &self.ratings {
            ratings.validate()?;
        }
        if let Some(ease) = &self.ease {
            ease.validate()?;
        }
        self.policy.validate()?;
        self.blend.validate()?;
        check_finite("recommender exposure", &self.exposure)
    }

    /// Checks the derived values of a decoded recommender (finite, e.g. not overflowed from
    /// huge factors).
    fn validate_derived(&self) -> Result<()> {
        if self.gram.iter().any(|v| !v.is_finite()) {
            return Err(corrupt(
                "recommender: the fold-in gram of the ALS item factors is not finite",
            ));
        }
        check_finite("recommender popularity", &self.popularity)?;
        check_finite("recommender unit factors", &self.unit_factors)
    }

    /// Checks a recommender: its parts, then the values derived from them.
    pub(crate) fn validate(&self) -> Result<()> {
        self.validate_parts()?;
        self.validate_derived()
    }

    /// Answers one request.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the query or the history fails its `validate`
    /// ([`Query::validate`], [`UserHistory::validate`]: `n` above [`Query::MAX_N`], diversity
    /// outside `[0, 1]`, a reversed year range, a NaN or absurd rating), or for a genre (of
    /// By Genre or of the filters) no item has; [`Error::UnknownItem`] for an unknown seed item
    /// of Because You Liked / Similar To. Unknown history and filter ids are not errors: they
    /// are reported in [`Recommendations::unknown_ids`].
    pub fn recommend(&self, history: &UserHistory, query: &Query) -> Result<Recommendations> {
        query.validate()?;
        history.validate()?;
        // Every filter genre must exist; their catalogue spellings are looked up once.
        let filter_genres = query
            .filters
            .genres
            .iter()
            .map(|genre| self.genre_name(genre))
            .collect::<Result<Vec<String>>>()?;
        let diversity = query.diversity.unwrap_or(self.blend.diversity);
        let mut unknown = Vec::new();
        let resolved = self.resolve(history, &mut unknown);
        let genre_flags = (!filter_genres.is_empty())
            .then(|| self.genres.any_of(&filter_genres, self.items.len()));
        let mut mask = Mask::new(
            &self.items,
            &self.catalog,
            &query.filters,
            genre_flags.as_deref(),
            &resolved.seen,
            &resolved.disliked,
            &mut unknown,
        );
        let rows = match &query.list {
            List::ForYou => self.for_you(&resolved, &mask, query.n, diversity, None)?,
            List::Trending => {
                let reason = match filter_genres.as_slice() {
                    [genre] => self.trending_reason(Some(genre.clone())),
                    _ => self.trending_reason(None),
                };
                let scores = self.trending.scores(PopularityKind::Trending);
                self.ranked(scores, &mask, query.n, diversity, |_| vec![reason.clone()])
            }
            List::ByGenre { genre } => {
                let genre = self.genre_name(genre)?;
                let in_genre = self.genres.any_of(&[&genre], self.items.len());
                for (allowed, &in_genre) in mask.allowed.iter_mut().zip(&in_genre) {
                    *allowed &= in_genre;
                }
                if resolved.liked == 0 {
                    let scores = self.trending.scores(PopularityKind::Trending);
                    let reason = self.trending_reason(Some(genre));
                    self.ranked(scores, &mask, query.n, diversity, |_| vec![reason.clone()])
                } else {
                    // "Your taste for G" only when the history or the favourites hold G.
                    let extra = resolved
                        .has_taste_for(self, &genre)
                        .then_some(Reason::MatchesTaste { genre });
                    self.for_you(&resolved, &mask, query.n, diversity, extra)?
                }
            }
            List::BecauseYouLiked { item_id } | List::SimilarTo { item_id } => {
                let seed = self.item_index(item_id)?;
                if let Some(a) = mask.allowed.get_mut(seed as usize) {
                    *a = false;
                }
                let reason = if matches!(query.list, List::BecauseYouLiked { .. }) {
                    // Named by what the user actually did with the seed.
                    self.seed_reason(seed, &resolved)
                } else {
                    Reason::SimilarTo {
                        item: self.item_ref(seed),
                    }
                };
                self.similar(seed, &mask, query.n, diversity, reason)
            }
        };
        unknown.sort();
        unknown.dedup();
        Ok(Recommendations {
            items: self.present(rows, query),
            unknown_ids: unknown,
            model: self.fingerprint().to_string(),
        })
    }

    /// Why `item_id` suits this history, whether or not a list would show it: the item's For
    /// You score, its parts, its reasons, the sentence and the collaborative decomposition
    /// (for a "Why this movie?" panel on any item page). Seen and disliked items are explained
    /// too.
    ///
    /// ```
    /// # use recsys_core::data::{Dataset, Feedback};
    /// # use recsys_core::models::als::AlsConfig;
    /// # use recsys_core::recommender::{RecommenderBuilder, UserHistory};
    /// # let mut ds = Dataset::new();
    /// # for (user, item) in [("a", "alien"), ("a", "aliens"), ("b", "alien"), ("b", "aliens"),
    /// #                      ("c", "fargo"), ("c", "heat")] {
    /// #     ds.add_event(user, item, Feedback::Like, 0)?;
    /// # }
    /// # let recommender = RecommenderBuilder::new()
    /// #     .als(AlsConfig::new().factors(4).regularization(0.1))
    /// #     .fit(&ds)?;
    /// let history = UserHistory::new().with("alien", Feedback::Like, 1);
    /// let why = recommender.explain_item(&history, "aliens")?;
    /// assert_eq!(why.item_id, "aliens");
    /// assert!(why.explanation.is_some() && !why.reasons.is_empty());
    /// assert!(recommender.explain_item(&history, "no-such-movie").is_err());
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownItem`] for an unknown `item_id`; those of [`UserHistory::validate`].
    pub fn explain_item(&self, history: &UserHistory, item_id: &str) -> Result<Recommendation> {
        self.item_index(item_id)?;
        let query = Query::new(List::ForYou)
            .n(1)
            .diversity(0.0)
            .explain(true)
            .detail(true)
            .filters(
                Filters::new()
                    .exclude_seen(false)
                    .exclude_disliked(false)
                    .candidates([item_id]),
            );
        self.recommend(history, &query)?
            .items
            .pop()
            .ok_or_else(|| Error::UnknownItem {
                id: item_id.to_string(),
            })
    }

    /// Everything the recommender knows about one item, by its external id (title, year,
    /// genres, tags, people with roles), or `None` for an unknown id.
    pub fn item(&self, item_id: &str) -> Option<ItemView> {
        let index = self.items.index_of(item_id)?;
        let info = self.catalog.item(index)?;
        let people = info
            .credits
            .iter()
            .map(|credit| PersonCredit {
                person_id: self
                    .catalog
                    .person_id(credit.person)
                    .unwrap_or_default()
                    .to_string(),
                name: self.catalog.person_name(credit.person).map(str::to_string),
                role: credit.role,
            })
            .collect();
        Some(ItemView {
            item_id: item_id.to_string(),
            title: info.title.clone(),
            year: info.year,
            genres: info.genres.clone(),
            tags: info.tags.iter().map(|tag| tag.text.clone()).collect(),
            people,
            interactions: self.interaction_counts[index as usize],
        })
    }

    /// Whether `item_id` is in the recommender's catalogue.
    pub fn contains(&self, item_id: &str) -> bool {
        self.items.index_of(item_id).is_some()
    }

    /// The number of items.
    pub fn n_items(&self) -> usize {
        self.items.len()
    }

    /// Every item id, in the recommender's order.
    pub fn item_ids(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.items.ids().iter().map(String::as_str)
    }

    /// Every genre of the catalogue, sorted.
    pub fn genres(&self) -> Vec<&str> {
        self.catalog.genres()
    }

    /// Every tag of the catalogue, sorted and without duplicates (the spelling of its first
    /// item when tags differ only in case, as the tag filter compares them ASCII
    /// case-insensitively).
    ///
    /// ```
    /// # use recsys_core::prelude::*;
    /// let mut ds = Dataset::new();
    /// ds.add_event("a", "alien", Feedback::Like, 0)?;
    /// ds.add_event("b", "heat", Feedback::Like, 0)?;
    /// ds.item("alien").tag("space").tag("Horror").credit("p1", Some("Ridley Scott"), Role::Director);
    /// ds.item("heat").tag("heist").tag("horror");
    /// let rec = RecommenderBuilder::new().als(AlsConfig::new().factors(2)).fit(&ds)?;
    /// assert_eq!(rec.tags(), ["Horror", "heist", "space"]);
    /// assert_eq!(rec.person_ids().collect::<Vec<_>>(), ["p1"]);
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    pub fn tags(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        let mut tags: Vec<&str> = self
            .catalog
            .iter()
            .flat_map(|(_, info)| info.tags.iter().map(|tag| tag.text.as_str()))
            .filter(|tag| seen.insert(tag.to_ascii_lowercase()))
            .collect();
        tags.sort_unstable();
        tags
    }

    /// Every person id of the catalogue (the ids the `people` filter and favourite people
    /// take), in the catalogue's order.
    pub fn person_ids(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.catalog.n_people() as u32).filter_map(|person| self.catalog.person_id(person))
    }

    /// The dense index of an external item id.
    fn item_index(&self, id: &str) -> Result<u32> {
        self.items
            .index_of(id)
            .ok_or_else(|| Error::UnknownItem { id: id.to_string() })
    }

    /// The catalogue's spelling of `genre` (ASCII case-insensitive).
    fn genre_name(&self, genre: &str) -> Result<String> {
        self.genres
            .name(genre)
            .map(str::to_string)
            .ok_or_else(|| Error::invalid("genre", format!("no item has genre {genre:?}")))
    }
}

fn pool_size(n: usize, diversity: f32) -> usize {
    if diversity > 0.0 {
        n.saturating_mul(MMR_POOL_FACTOR).max(n.saturating_add(20))
    } else {
        n
    }
}

#[cfg(test)]
mod tests;
