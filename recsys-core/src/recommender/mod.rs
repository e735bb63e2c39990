//! The hybrid recommender users see: one immutable [`Recommender`] that blends collaborative
//! (ALS fold-in), content (TF-IDF profile) and popularity signals, answers every list of a
//! catalogue app (For You, Because You Liked, Trending, By Genre, Similar To) with filters, and
//! says why for every item.
//!
//! A request carries the user's *current* history ([`UserHistory`], the app's own item ids and
//! any [`Feedback`] kinds); it is folded into the ALS model at request time (one `k × k`
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
//! ds.item_info_mut("alien").1.add_genre("Sci-Fi");
//! ds.item_info_mut("aliens").1.add_genre("Sci-Fi");
//! let recommender = RecommenderBuilder::new()
//!     .als(AlsConfig::new().factors(4).regularization(0.1))
//!     .fit(&ds)?;
//! let history = UserHistory::new()
//!     .with("alien", Feedback::Like, 1)
//!     .with("not-in-catalog", Feedback::Like, 2);
//! let recs = recommender.recommend(&history, &Query::new(List::ForYou).n(2))?;
//! assert_eq!(recs.unknown_ids, ["not-in-catalog"]);
//! assert!(recs.items.iter().all(|r| r.item_id != "alien" && !r.explanation.is_empty()));
//! # Ok::<(), recsys_core::Error>(())
//! ```

mod blend;
mod cold;
mod diversity;
mod filters;
mod query;
mod rating;

pub use blend::BlendConfig;
pub use query::{
    Collaborative, Filters, HistoryEvent, List, Query, Recommendation, Recommendations, ScoreParts,
    UserHistory,
};

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::data::{Catalog, Dataset, Feedback, FeedbackPolicy, IdMap};
use crate::explain::{self, FoldIn, Reason};
use crate::features::{ContentFeaturesConfig, ContentNeighbors, ContentNeighborsConfig};
use crate::models::als::{AlsConfig, AlsModel};
use crate::models::content::{ContentModel, ContentModelConfig};
use crate::models::knn::{ItemKnnConfig, ItemKnnModel};
use crate::models::mf::{MfConfig, MfModel};
use crate::models::trending::{Favorites, PopularityKind, TrendingConfig, TrendingModel};
use crate::models::{History, ItemScorer, TopN};
use crate::topk::{Scored, TopK};
use crate::{Error, Result};

use blend::{check_diversity, z_score, z_score_by};
use cold::ColdFactors;
use filters::Mask;

/// Content neighbours kept per item for the similar-item lists.
const SIMILAR_NEIGHBORS: usize = 100;

/// List length whose exposure across training users the long-tail re-ranking measures.
const EXPOSURE_LIST_LEN: usize = 10;
/// Weight of content similarity next to ALS cosine in the similar-item lists (a product
/// choice: shared people and genres are what users see in the reasons).
const SIMILAR_CONTENT_WEIGHT: f32 = 0.5;
/// Candidate pool per requested item when MMR re-ranks.
const MMR_POOL_FACTOR: usize = 4;
/// Popularity weight of onboarding scores, times the number of favourites: below 1, so an
/// item matching more favourites always ranks first and popularity orders equal matches.
const ONBOARDING_POPULARITY_SHARE: f32 = 0.5;

/// Configuration of a [`Recommender`]: feedback policy, ALS, content, trending and blend
/// settings (builder); [`RecommenderBuilder::fit`] trains everything from a [`Dataset`].
#[derive(Clone, Debug)]
pub struct RecommenderBuilder {
    policy: FeedbackPolicy,
    als: AlsConfig,
    features: ContentFeaturesConfig,
    content: ContentModelConfig,
    knn: Option<ItemKnnConfig>,
    ratings: Option<MfConfig>,
    trending: TrendingConfig,
    blend: BlendConfig,
    /// Caller-supplied dense item embeddings (dataset item order) and their weight.
    embeddings: Option<(Array2<f32>, f32)>,
}

impl Default for RecommenderBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl RecommenderBuilder {
    /// Defaults: [`FeedbackPolicy::default`]; ALS with 64 factors, λ = 20, α = 1, 15
    /// iterations (tuned on the MovieLens validation split); item-kNN with 200 neighbours and
    /// shrinkage 100 (short histories); explicit rating prediction with [`MfConfig::new`]
    /// (its defaults are the cross-validated ones); the content and trending defaults;
    /// [`BlendConfig::new`].
    pub fn new() -> Self {
        Self {
            policy: FeedbackPolicy::default(),
            als: AlsConfig::new()
                .factors(64)
                .regularization(20.0)
                .alpha(1.0)
                .iterations(15),
            features: ContentFeaturesConfig::new(),
            content: ContentModelConfig::new(),
            knn: Some(ItemKnnConfig::new().neighbors(200).shrinkage(100.0)),
            ratings: Some(MfConfig::new()),
            trending: TrendingConfig::new(),
            blend: BlendConfig::new(),
            embeddings: None,
        }
    }

    /// Sets the feedback policy (training matrix and request histories alike).
    pub fn policy(mut self, policy: FeedbackPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the ALS hyper-parameters.
    pub fn als(mut self, als: AlsConfig) -> Self {
        self.als = als;
        self
    }

    /// Sets the content feature settings.
    pub fn features(mut self, features: ContentFeaturesConfig) -> Self {
        self.features = features;
        self
    }

    /// Sets the content profile settings.
    pub fn content(mut self, content: ContentModelConfig) -> Self {
        self.content = content;
        self
    }

    /// Sets the item-kNN settings (`None`: no item-kNN signal).
    pub fn knn(mut self, knn: Option<ItemKnnConfig>) -> Self {
        self.knn = knn;
        self
    }

    /// Mixes dense item embeddings (e.g. a text model's vectors of the plots) into the content
    /// similarity with `weight` in `[0, 1]` (see [`ContentFeatures::with_embeddings`]): one row
    /// per item in the dataset's item order (`dataset.items`), an all-zero row for an item
    /// without one. Checked by [`RecommenderBuilder::fit`].
    ///
    /// ```
    /// use ndarray::Array2;
    /// use recsys_core::data::{Dataset, Feedback};
    /// use recsys_core::recommender::RecommenderBuilder;
    ///
    /// let mut dataset = Dataset::new();
    /// dataset.add_event("ann", "alien", Feedback::Like, 1).unwrap();
    /// dataset.add_event("bob", "heat", Feedback::Like, 2).unwrap();
    /// let embeddings = Array2::from_shape_vec((2, 3), vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0]).unwrap();
    /// let builder = RecommenderBuilder::new().item_embeddings(embeddings, 0.5);
    /// assert!(builder.fit(&dataset).is_ok());
    /// let wrong = Array2::zeros((5, 3));
    /// assert!(RecommenderBuilder::new().item_embeddings(wrong, 0.5).fit(&dataset).is_err());
    /// ```
    ///
    /// [`ContentFeatures::with_embeddings`]: crate::features::ContentFeatures::with_embeddings
    pub fn item_embeddings(mut self, embeddings: Array2<f32>, weight: f32) -> Self {
        self.embeddings = Some((embeddings, weight));
        self
    }

    /// Sets the explicit rating model (`None`: no rating prediction). It is trained only when
    /// the dataset holds [`Feedback::Rating`] events; see [`Recommender::predict_rating`].
    pub fn ratings(mut self, ratings: Option<MfConfig>) -> Self {
        self.ratings = ratings;
        self
    }

    /// Sets the trending settings.
    pub fn trending(mut self, trending: TrendingConfig) -> Self {
        self.trending = trending;
        self
    }

    /// Sets the blend weights.
    pub fn blend(mut self, blend: BlendConfig) -> Self {
        self.blend = blend;
        self
    }

    /// Trains ALS on the dataset's interactions, builds content features, neighbours and
    /// popularity, and precomputes what requests need.
    ///
    /// # Errors
    /// Invalid settings; [`Error::EmptyInput`] for a dataset without items; the errors of the
    /// models' `fit`.
    pub fn fit(&self, dataset: &Dataset) -> Result<Recommender> {
        self.policy.validate()?;
        self.blend.validate()?;
        let n_items = dataset.n_items();
        if n_items == 0 {
            return Err(Error::EmptyInput {
                what: "dataset has no items".into(),
            });
        }
        let matrix = dataset.interactions(&self.policy)?;
        let als = self.als.fit(&matrix)?;
        let knn = match &self.knn {
            // Similar items are the ones liked together (negative evidence is ALS's business).
            Some(config) => Some(config.fit(&matrix.map_values(|v| v.max(0.0)))?),
            None => None,
        };
        let mut features = self.features.fit_items(&dataset.catalog, n_items)?;
        if let Some((embeddings, weight)) = &self.embeddings {
            features = features.with_embeddings(embeddings.view(), *weight)?;
        }
        let neighbors = ContentNeighborsConfig::new()
            .neighbors(SIMILAR_NEIGHBORS)
            .fit(&features)?;
        let content = self.content.fit(features)?;
        let trending = self.trending.fit(dataset.events(), n_items, &self.policy)?;
        let ratings = match &self.ratings {
            Some(config) => {
                let triplets = dataset.ratings();
                if triplets.is_empty() {
                    None
                } else {
                    // Requests fold users in: only the item side is kept.
                    // The dataset's id maps back the shape.
                    let model = config.fit_backed(&triplets, dataset.n_users(), n_items)?;
                    Some(model.into_item_side())
                }
            }
            None => None,
        };
        let mut catalog = dataset.catalog.clone();
        // The dataset's item ids back the length (its catalog field may have been replaced).
        catalog.backed_ensure_len(n_items);
        let exposure = list_exposure(&als, &matrix)?;
        let recommender = Recommender::assemble(
            dataset.items.clone(),
            catalog,
            self.policy.clone(),
            self.blend.clone(),
            als,
            knn,
            ratings,
            content,
            neighbors,
            trending,
            matrix.item_counts(),
            exposure,
        )?;
        // Every request folds its history in against YᵀY + λI. Without regularization and with
        // more factors than items that matrix is singular and every request would fail: say so
        // now, with the remedy.
        let no_history = History::new(&[], &[]);
        if FoldIn::with_gram(&recommender.als, &recommender.gram, no_history).is_err() {
            return Err(Error::FitFailed {
                reason: format!(
                    "the item factors' Gram matrix is singular ({} factors, {} items, \
                     regularization {}): use a positive regularization or fewer factors",
                    recommender.als.factors(),
                    recommender.als.n_items(),
                    recommender.als.regularization()
                ),
            });
        }
        Ok(recommender)
    }
}

/// The fraction of training users whose ALS top-10 holds each item: which items crowd
/// everyone's lists (the long-tail re-ranking can push those down, not merely popular ones).
fn list_exposure(als: &AlsModel, matrix: &crate::data::Interactions) -> Result<Vec<f32>> {
    let users: Vec<u32> = (0..matrix.n_users() as u32).collect();
    let lists = als.recommend_many(&users, matrix, &TopN::new(EXPOSURE_LIST_LEN), false)?;
    let mut exposure = vec![0.0f32; matrix.n_items()];
    for scored in lists.iter().flatten() {
        exposure[scored.item as usize] += 1.0;
    }
    let users = matrix.n_users().max(1) as f32;
    exposure.iter_mut().for_each(|e| *e /= users);
    Ok(exposure)
}

/// The trained hybrid recommender: immutable, `Send + Sync`, an [`Artifact`](crate::artifact::Artifact)
/// of kind `"recommender"`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Recommender {
    items: IdMap,
    catalog: Catalog,
    policy: FeedbackPolicy,
    blend: BlendConfig,
    als: AlsModel,
    knn: Option<ItemKnnModel>,
    /// Explicit rating model (item side only), when the training data had ratings.
    ratings: Option<MfModel>,
    content: ContentModel,
    neighbors: ContentNeighbors,
    trending: TrendingModel,
    /// Training interactions per item (0: a cold item ALS knows nothing about).
    interaction_counts: Vec<u32>,
    /// Z-scored `ln(1 + all-time positive events)`.
    popularity: Vec<f32>,
    /// Unit-length ALS item factors (zero rows stay zero), for similarity and MMR.
    unit_factors: Vec<f32>,
    /// `YᵀY + λI` of the ALS item factors, the start of every fold-in.
    gram: Vec<f64>,
    /// Estimated ALS factors of the items without interactions (item cold start).
    cold: ColdFactors,
    /// Fraction of training users whose ALS top-10 holds each item.
    exposure: Vec<f32>,
}

/// A request's history resolved to dense indices.
struct Resolved {
    /// Every known item of the history.
    seen: Vec<u32>,
    /// Items with non-zero evidence and their combined values (the model row).
    items: Vec<u32>,
    values: Vec<f32>,
    disliked: Vec<u32>,
    liked: usize,
    /// Known favourite genres (catalogue spelling) and people.
    favorites: Favorites,
    /// Display names of `favorites.people`, in the same order.
    favorite_names: Vec<String>,
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
    ) -> Result<Self> {
        let mut popularity: Vec<f32> = trending
            .scores(PopularityKind::AllTime)
            .iter()
            .map(|&c| c.ln_1p())
            .collect();
        z_score(&mut popularity, |_| true, 0.0);
        let k = als.factors();
        let mut unit_factors: Vec<f32> = als.item_factors().iter().copied().collect();
        for row in unit_factors.chunks_exact_mut(k) {
            let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
            if norm > 0.0 {
                row.iter_mut().for_each(|v| *v /= norm);
            }
        }
        let gram = explain::item_gram(&als);
        let cold = ColdFactors::estimate(
            &als,
            &neighbors,
            &interaction_counts,
            blend.cold_item_shrinkage,
        )?;
        Ok(Self {
            cold,
            exposure,
            gram,
            items,
            catalog,
            policy,
            blend,
            als,
            knn,
            ratings,
            content,
            neighbors,
            trending,
            interaction_counts,
            popularity,
            unit_factors,
        })
    }

    /// The item ids.
    pub fn items(&self) -> &IdMap {
        &self.items
    }

    /// The catalogue (titles, genres, people) used for filters and reasons.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The blend weights.
    pub fn blend(&self) -> &BlendConfig {
        &self.blend
    }

    /// The collaborative model.
    pub fn als(&self) -> &AlsModel {
        &self.als
    }

    /// The same recommender with other blend weights (e.g. while tuning them on a validation
    /// split).
    ///
    /// # Errors
    /// Those of [`BlendConfig::validate`].
    pub fn with_blend(mut self, blend: BlendConfig) -> Result<Self> {
        blend.validate()?;
        if blend.cold_item_shrinkage != self.blend.cold_item_shrinkage {
            self.cold = ColdFactors::estimate(
                &self.als,
                &self.neighbors,
                &self.interaction_counts,
                blend.cold_item_shrinkage,
            )?;
        }
        self.blend = blend;
        Ok(self)
    }

    /// Whether the item had interactions in training (otherwise only content can place it).
    pub fn is_warm(&self, item: u32) -> bool {
        self.interaction_counts
            .get(item as usize)
            .is_some_and(|&c| c > 0)
    }

    /// Checks a decoded recommender: every per-item part covers the same items.
    pub(crate) fn validate(&self) -> Result<()> {
        let n = self.items.len();
        let k = self.als.factors();
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
            ("popularity", self.popularity.len()),
            ("exposure", self.exposure.len()),
            ("unit factors", self.unit_factors.len() / k.max(1)),
            (
                "item-kNN items",
                self.knn.as_ref().map_or(n, |knn| knn.n_items()),
            ),
            (
                "rating model items",
                self.ratings.as_ref().map_or(n, MfModel::n_items),
            ),
        ];
        for (what, len) in lengths {
            if len != n {
                return Err(crate::artifact::corrupt(format!(
                    "recommender: {what} cover {len} items, the id map {n}"
                )));
            }
        }
        if Some(self.unit_factors.len()) != n.checked_mul(k) {
            return Err(crate::artifact::corrupt(format!(
                "recommender: {} unit factor values for {n} items × {k}",
                self.unit_factors.len()
            )));
        }
        // The parts are decoded as fields, without their own artifact checks: run them here.
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
        if self.gram.len() != k * k || self.gram.iter().any(|v| !v.is_finite()) {
            return Err(crate::artifact::corrupt(
                "recommender: the fold-in gram is not k × k finite values",
            ));
        }
        self.policy.validate()?;
        self.blend.validate()?;
        crate::artifact::check_finite("recommender popularity", &self.popularity)?;
        crate::artifact::check_finite("recommender exposure", &self.exposure)?;
        self.cold.validate(&self.interaction_counts, k)?;
        crate::artifact::check_finite("recommender unit factors", &self.unit_factors)
    }

    /// Answers one request.
    ///
    /// # Errors
    /// [`Error::UnknownItem`] for an unknown seed item of Because-You-Liked / Similar-To;
    /// [`Error::InvalidParameter`] for an unknown genre of By-Genre or a diversity outside
    /// `[0, 1]`. Unknown history and filter ids are not errors: they are reported.
    pub fn recommend(&self, history: &UserHistory, query: &Query) -> Result<Recommendations> {
        let diversity = query.diversity.unwrap_or(self.blend.diversity);
        check_diversity(diversity)?;
        let mut unknown = Vec::new();
        let resolved = self.resolve(history, &mut unknown);
        let mut mask = Mask::new(
            &self.items,
            &self.catalog,
            &query.filters,
            &resolved.seen,
            &resolved.disliked,
            &mut unknown,
        );
        let items = match &query.list {
            List::ForYou => self.for_you(&resolved, &mask, query.n, diversity, None)?,
            List::Trending => {
                let reason = match query.filters.genres.as_slice() {
                    [genre] => Reason::PopularIn {
                        genre: genre.clone(),
                    },
                    _ => Reason::Trending,
                };
                let scores = self.trending.scores(PopularityKind::Trending);
                self.ranked(scores, &mask, query.n, diversity, |_| vec![reason.clone()])
            }
            List::ByGenre(genre) => {
                let genre = self.genre_name(genre)?;
                let info_mask = |i: u32| {
                    self.catalog
                        .item(i)
                        .is_some_and(|info| info.has_genre(&genre))
                };
                for (i, allowed) in mask.allowed.iter_mut().enumerate() {
                    *allowed &= info_mask(i as u32);
                }
                if resolved.liked == 0 {
                    let scores = self.trending.scores(PopularityKind::Trending);
                    let reason = Reason::PopularIn { genre };
                    self.ranked(scores, &mask, query.n, diversity, |_| vec![reason.clone()])
                } else {
                    let extra = Reason::MatchesTaste { genre };
                    self.for_you(&resolved, &mask, query.n, diversity, Some(extra))?
                }
            }
            List::BecauseYouLiked(id) | List::SimilarTo(id) => {
                let seed = self
                    .items
                    .index_of(id)
                    .ok_or_else(|| Error::UnknownItem { id: id.clone() })?;
                if let Some(a) = mask.allowed.get_mut(seed as usize) {
                    *a = false;
                }
                let because = matches!(query.list, List::BecauseYouLiked(_));
                self.similar(seed, &mask, query.n, diversity, because)
            }
        };
        unknown.sort();
        unknown.dedup();
        Ok(Recommendations {
            items,
            unknown_ids: unknown,
        })
    }

    /// The catalogue's spelling of `genre` (ASCII case-insensitive).
    fn genre_name(&self, genre: &str) -> Result<String> {
        self.catalog
            .genres()
            .into_iter()
            .find(|g| g.eq_ignore_ascii_case(genre))
            .map(str::to_string)
            .ok_or_else(|| Error::invalid("genre", format!("no item has genre {genre:?}")))
    }

    /// Maps ids to indices (unknown ones to `unknown`) and combines each item's events with
    /// the policy, oldest first.
    fn resolve(&self, history: &UserHistory, unknown: &mut Vec<String>) -> Resolved {
        let mut events: Vec<(u32, i64, usize, Feedback)> = Vec::new();
        for (order, e) in history.events().iter().enumerate() {
            match (self.items.index_of(&e.item), e.feedback.validated()) {
                (Some(index), Ok(feedback)) => events.push((index, e.timestamp, order, feedback)),
                _ => unknown.push(e.item.clone()),
            }
        }
        events.sort_unstable_by_key(|&(item, timestamp, order, _)| (item, timestamp, order));
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
        for group in events.chunk_by(|a, b| a.0 == b.0) {
            let item = group[0].0;
            let value = self.policy.combine(group.iter().map(|e| e.3));
            let latest_opinion = group
                .iter()
                .rev()
                .map(|e| e.3)
                .find(|f| !matches!(f, Feedback::Watched | Feedback::Watchlisted));
            if latest_opinion.is_some_and(Feedback::is_exclusion) {
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

    /// For You: the blended score, or popularity for a history without positive evidence.
    fn for_you(
        &self,
        history: &Resolved,
        mask: &Mask,
        n: usize,
        diversity: f32,
        extra: Option<Reason>,
    ) -> Result<Vec<Recommendation>> {
        let extra: Vec<Reason> = extra.into_iter().collect();
        if history.liked == 0 {
            let favorites = &history.favorites;
            let n_favorites = favorites.genres.len() + favorites.people.len();
            if n_favorites > 0 {
                let scores = self.trending.onboarding_scores(
                    &self.catalog,
                    favorites,
                    PopularityKind::AllTime,
                    ONBOARDING_POPULARITY_SHARE / n_favorites as f32,
                )?;
                let reasons = |item| {
                    let mut reasons = self.favorite_reasons(item, history);
                    reasons.extend(extra.iter().cloned());
                    reasons
                };
                return Ok(self.ranked(&scores, mask, n, diversity, reasons));
            }
            let mut reasons = extra;
            reasons.push(Reason::Popular);
            let scores = self.trending.scores(PopularityKind::AllTime);
            return Ok(self.ranked(scores, mask, n, diversity, |_| reasons.clone()));
        }
        let n_items = self.items.len();
        let rows = History::new(&history.items, &history.values);
        let fold = FoldIn::with_gram(&self.als, &self.gram, rows)?;
        let (mut popularity_sum, mut positives) = (0.0f32, 0usize);
        for (&item, &value) in history.items.iter().zip(&history.values) {
            if value > 0.0 {
                popularity_sum += self.popularity[item as usize];
                positives += 1;
            }
        }
        let history_popularity = popularity_sum / positives.max(1) as f32;
        let weights = self.blend.weights(history.liked, history_popularity);
        let (w_cf, w_content, w_pop) = (weights.collaborative, weights.content, weights.popularity);
        let w_knn = if self.knn.is_some() {
            weights.item_knn
        } else {
            0.0
        };
        // One buffer: [collaborative | item-kNN | content | blended].
        let mut buffer = vec![0.0f32; 4 * n_items];
        let (cf, rest) = buffer.split_at_mut(n_items);
        let (knn, rest) = rest.split_at_mut(n_items);
        let (content, blended) = rest.split_at_mut(n_items);
        let x = fold.user_vector();
        let k = self.als.factors();
        // The item factors are one contiguous row-major buffer (rows as a fallback).
        let factors = self.als.item_factors();
        match factors.as_slice() {
            Some(flat) => explain::dot_rows(flat, k, x, cf),
            None => {
                for (s, y) in cf.iter_mut().zip(factors.rows()) {
                    *s = y.iter().zip(x).map(|(a, b)| a * b).sum();
                }
            }
        }
        for (item, y) in self.cold.iter(k) {
            cf[item as usize] = explain::dot_f32(y, x);
        }
        let raw_cf = cf.to_vec();
        let warm = |i: usize| self.interaction_counts[i] > 0;
        // Cold items with estimated factors are scaled like the warm ones (which alone set the
        // mean and spread); the others get the fill.
        let estimated = |i: usize| warm(i) || self.cold.vector(i as u32, k).is_some();
        z_score_by(cf, warm, estimated, self.blend.cold_item_score);
        if let (Some(model), true) = (&self.knn, w_knn > 0.0) {
            // Co-occurrence counts what the user watched: a low rating still says "this kind
            // of film" (validation nDCG 0.1819 against 0.1762 with signed weights); only an
            // explicit dislike or not-interested says nothing.
            let watched: Vec<f32> = history
                .items
                .iter()
                .zip(&history.values)
                .map(|(item, &v)| {
                    if history.disliked.contains(item) {
                        0.0
                    } else {
                        v.abs()
                    }
                })
                .collect();
            model.score_items(None, History::new(&history.items, &watched), knn)?;
            z_score(knn, warm, self.blend.cold_item_score);
            // Co-occurrence knows nothing of a cold item: its collaborative estimate stands in.
            for (item, _) in self.cold.iter(k) {
                knn[item as usize] = cf[item as usize];
            }
        }
        if w_content > 0.0 {
            self.content.score_items(None, rows, content)?;
            let features = self.content.features();
            z_score(content, |i| features.has_content(i as u32), 0.0);
        }
        let pool = pool_size(n, diversity).max(self.blend.pool);
        let mut top = TopK::new(pool);
        for i in 0..n_items {
            let score =
                w_cf * cf[i] + w_knn * knn[i] + w_content * content[i] + w_pop * self.popularity[i];
            blended[i] = score;
            if mask.allowed[i] {
                top.push(i as u32, score);
            }
        }
        // Long-tail re-ranking within the user's own candidates.
        let w_pop_final = w_pop - weights.penalty;
        let mut candidates = top.into_sorted_vec();
        for s in &mut candidates {
            let i = s.item as usize;
            // No boost for cold items: being unseen says nothing about fitting the user.
            if warm(i) {
                blended[i] += (w_pop_final - w_pop) * self.popularity[i]
                    - weights.exposure * self.exposure[i];
            }
            s.score = blended[i];
        }
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
        candidates.truncate(pool_size(n, diversity));
        let chosen = self.diversify(candidates, n, diversity);
        chosen
            .into_iter()
            .map(|s| {
                let i = s.item as usize;
                let parts = ScoreParts {
                    collaborative: w_cf * cf[i] + w_knn * knn[i],
                    content: w_content * content[i],
                    popularity: if warm(i) {
                        w_pop_final * self.popularity[i] - weights.exposure * self.exposure[i]
                    } else {
                        w_pop * self.popularity[i]
                    },
                };
                let contributions = match self.cold.vector(s.item, k) {
                    Some(y) => fold.contributions_of(&self.als, y)?,
                    None => fold.contributions(&self.als, s.item)?,
                };
                let collaborative = Collaborative {
                    score: raw_cf[i],
                    contributions: contributions
                        .into_iter()
                        .map(|(j, c)| (j, c as f32))
                        .collect(),
                };
                let reasons =
                    self.personal_reasons(s.item, rows, &parts, &collaborative, &extra)?;
                Ok(self.recommendation(s.item, blended[i], parts, Some(collaborative), reasons))
            })
            .collect()
    }

    /// Reasons for a blended item, the largest score part first.
    fn personal_reasons(
        &self,
        item: u32,
        history: History<'_>,
        parts: &ScoreParts,
        collaborative: &Collaborative,
        extra: &[Reason],
    ) -> Result<Vec<Reason>> {
        let mut candidates: Vec<(f32, Reason)> = Vec::new();
        if !self.is_warm(item) {
            candidates.push((f32::INFINITY, Reason::NewArrival));
        }
        let mut liked: Vec<(u32, f32)> = collaborative
            .contributions
            .iter()
            .copied()
            .filter(|&(_, c)| c > 0.0)
            .collect();
        liked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let total: f32 = liked.iter().map(|c| c.1).sum();
        liked.truncate(2);
        if let Some(&(_, first)) = liked.first() {
            // Cite a second item only when it carries a real share.
            liked.retain(|&(_, c)| c >= 0.5 * first);
            let items = liked.iter().map(|&(j, c)| (j, c / total)).collect();
            candidates.push((parts.collaborative, Reason::BecauseYouLiked { items }));
        }
        if let Some(best) = self.content.contributions(history, item)?.first() {
            let shared = explain::shared_people(&self.catalog, item, best.item)
                .or_else(|| explain::shared_genres(&self.catalog, item, best.item));
            if let Some(reason) = shared {
                candidates.push((parts.content, reason));
            }
        }
        // "Popular" only for items that are popular (a long-tail boost is no reason to cite).
        if parts.popularity > 0.0 && self.popularity[item as usize] > 0.0 {
            candidates.push((parts.popularity, Reason::Popular));
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut reasons: Vec<Reason> = Vec::with_capacity(3);
        // The strongest reason always; further ones only when their part is positive.
        for (position, (weight, reason)) in candidates.into_iter().enumerate() {
            if (position == 0 || weight > 0.0) && reasons.len() < 2 {
                reasons.push(reason);
            }
        }
        reasons.extend(extra.iter().cloned());
        if reasons.is_empty() {
            reasons.push(Reason::Popular);
        }
        Ok(reasons)
    }

    /// Up to two favourites `item` matches (genres first) as [`Reason::YouLike`], or
    /// [`Reason::Popular`] when it matches none.
    fn favorite_reasons(&self, item: u32, history: &Resolved) -> Vec<Reason> {
        let Some(info) = self.catalog.item(item) else {
            return vec![Reason::Popular];
        };
        let genres = history
            .favorites
            .genres
            .iter()
            .filter(|g| info.has_genre(g))
            .cloned();
        let people = history
            .favorites
            .people
            .iter()
            .zip(&history.favorite_names)
            .filter(|&(&p, _)| info.credits.iter().any(|c| c.person == p))
            .map(|(_, name)| name.clone());
        let reasons: Vec<Reason> = genres
            .chain(people)
            .take(2)
            .map(|name| Reason::YouLike { name })
            .collect();
        if reasons.is_empty() {
            vec![Reason::Popular]
        } else {
            reasons
        }
    }

    /// A list ranked by fixed scores (popularity, trending, onboarding), with each item's
    /// reasons from `reasons`.
    fn ranked(
        &self,
        scores: &[f32],
        mask: &Mask,
        n: usize,
        diversity: f32,
        reasons: impl Fn(u32) -> Vec<Reason>,
    ) -> Vec<Recommendation> {
        let mut top = TopK::new(pool_size(n, diversity));
        for (i, &score) in scores.iter().enumerate() {
            if mask.allowed[i] {
                top.push(i as u32, score);
            }
        }
        self.diversify(top.into_sorted_vec(), n, diversity)
            .into_iter()
            .map(|s| {
                let mut reasons = reasons(s.item);
                if !self.is_warm(s.item) {
                    reasons.push(Reason::NewArrival);
                }
                self.recommendation(s.item, s.score, ScoreParts::default(), None, reasons)
            })
            .collect()
    }

    /// Items like `seed`: ALS cosine plus content similarity (content alone for cold items).
    fn similar(
        &self,
        seed: u32,
        mask: &Mask,
        n: usize,
        diversity: f32,
        because: bool,
    ) -> Vec<Recommendation> {
        let k = self.als.factors();
        let n_items = self.items.len();
        let mut scores = vec![0.0f32; n_items];
        let seed_vector = &self.unit_factors[seed as usize * k..(seed as usize + 1) * k];
        explain::dot_rows(&self.unit_factors, k, seed_vector, &mut scores);
        if let Ok((items, similarities)) = self.neighbors.neighbors(seed) {
            for (&i, &similarity) in items.iter().zip(similarities) {
                scores[i as usize] += SIMILAR_CONTENT_WEIGHT * similarity;
            }
        }
        let mut top = TopK::new(pool_size(n, diversity));
        for (i, &score) in scores.iter().enumerate() {
            if mask.allowed[i] && score > 0.0 {
                top.push(i as u32, score);
            }
        }
        self.diversify(top.into_sorted_vec(), n, diversity)
            .into_iter()
            .map(|s| {
                let mut reasons = vec![if because {
                    Reason::BecauseYouLiked {
                        items: vec![(seed, 1.0)],
                    }
                } else {
                    Reason::SimilarTo { item: seed }
                }];
                reasons.extend(
                    explain::shared_people(&self.catalog, s.item, seed)
                        .or_else(|| explain::shared_genres(&self.catalog, s.item, seed)),
                );
                if !self.is_warm(s.item) {
                    reasons.push(Reason::NewArrival);
                }
                self.recommendation(s.item, s.score, ScoreParts::default(), None, reasons)
            })
            .collect()
    }

    fn diversify(&self, pool: Vec<Scored>, n: usize, diversity: f32) -> Vec<Scored> {
        let k = self.als.factors();
        diversity::mmr(&pool, n, diversity, |a, b| {
            let (a, b) = (a as usize * k, b as usize * k);
            let (ra, rb) = (&self.unit_factors[a..a + k], &self.unit_factors[b..b + k]);
            explain::dot_f32(ra, rb)
        })
    }

    fn recommendation(
        &self,
        item: u32,
        score: f32,
        parts: ScoreParts,
        collaborative: Option<Collaborative>,
        reasons: Vec<Reason>,
    ) -> Recommendation {
        Recommendation {
            item_id: self.items.id_of(item).unwrap_or_default().to_string(),
            index: item,
            score,
            parts,
            collaborative,
            explanation: explain::render(&reasons, &self.catalog),
            reasons,
        }
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
