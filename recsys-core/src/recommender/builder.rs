//! Training: the builder that fits every part of a [`Recommender`] from a [`Dataset`].

use ndarray::Array2;

use crate::data::{Dataset, FeedbackPolicy, Interactions};
use crate::features::{ContentFeaturesConfig, ContentNeighborsConfig};
use crate::models::als::FoldIn;
use crate::models::als::{AlsConfig, AlsModel};
use crate::models::content::ContentModelConfig;
use crate::models::ease::{EaseConfig, EaseInput, Overflow};
use crate::models::knn::ItemKnnConfig;
use crate::models::mf::MfConfig;
use crate::models::trending::TrendingConfig;
use crate::models::{History, TopN};
use crate::par::{self, Parallelism};
use crate::{Error, Result};

use super::stages::{FitProgress, FitStage, StageReporter};
use super::{BlendConfig, Recommender, EXPOSURE_LIST_LEN, SIMILAR_NEIGHBORS};
/// Configuration of a [`Recommender`]: feedback policy, ALS, content, trending and blend
/// settings (builder); [`RecommenderBuilder::fit`] trains everything from a [`Dataset`].
#[derive(Clone, Debug)]
pub struct RecommenderBuilder {
    policy: FeedbackPolicy,
    als: AlsConfig,
    features: ContentFeaturesConfig,
    content: ContentModelConfig,
    knn: Option<ItemKnnConfig>,
    ease: Option<EaseConfig>,
    ratings: Option<MfConfig>,
    trending: TrendingConfig,
    blend: BlendConfig,
    /// Caller-supplied dense item embeddings and their weight.
    embeddings: Option<(ItemRows, f32)>,
    /// ALS item factors trained elsewhere (e.g. Spark MLlib): used instead of fitting ALS.
    als_item_factors: Option<ItemRows>,
    /// Threads for every fit, when set (otherwise each config's own, e.g. ALS's).
    parallelism: Option<Parallelism>,
}

/// One dense row per item (embeddings, ALS item factors) as the caller supplied them.
#[derive(Clone, Debug)]
enum ItemRows {
    /// One row per dataset item, in the dataset's item order.
    Aligned(Array2<f32>),
    /// One row per listed external id.
    ById(Vec<String>, Array2<f32>),
}

impl ItemRows {
    /// The rows in `dataset`'s item order (all-zero for an item without one); `what` names
    /// them in errors.
    fn aligned(&self, dataset: &Dataset, what: &str) -> Result<std::borrow::Cow<'_, Array2<f32>>> {
        let (ids, rows) = match self {
            ItemRows::Aligned(rows) => return Ok(std::borrow::Cow::Borrowed(rows)),
            ItemRows::ById(ids, rows) => (ids, rows),
        };
        if ids.len() != rows.nrows() {
            return Err(Error::DimensionMismatch {
                context: format!("{what}: rows for the ids given"),
                expected: ids.len(),
                got: rows.nrows(),
            });
        }
        let mut aligned = Array2::zeros((dataset.n_items(), rows.ncols()));
        for (id, row) in ids.iter().zip(rows.outer_iter()) {
            let item = dataset
                .items
                .index_of(id)
                .ok_or_else(|| Error::UnknownItem { id: id.clone() })?;
            aligned.row_mut(item as usize).assign(&row);
        }
        Ok(std::borrow::Cow::Owned(aligned))
    }
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
            ease: Some(default_ease()),
            ratings: Some(MfConfig::new()),
            trending: TrendingConfig::new(),
            blend: BlendConfig::new(),
            embeddings: None,
            als_item_factors: None,
            parallelism: None,
        }
    }

    /// Runs every fit of [`RecommenderBuilder::fit`] (ALS, item-kNN, content neighbours, …)
    /// with `parallelism`, overriding the ALS config's own setting; e.g.
    /// `Parallelism::Threads(1.try_into()?)` retrains on one core while a server keeps the
    /// others for requests. The trained recommender does not depend on it.
    ///
    /// ```
    /// # use recsys_core::prelude::*;
    /// # let mut ds = Dataset::new();
    /// # for (u, i) in [("a", "x"), ("a", "y"), ("b", "y"), ("b", "z")] { ds.add_event(u, i, Feedback::Like, 0)?; }
    /// let builder = RecommenderBuilder::new().als(AlsConfig::new().factors(2).regularization(0.1));
    /// let one_core = builder.clone().parallelism(Parallelism::Sequential).fit(&ds)?;
    /// assert_eq!(one_core.to_bytes()?, builder.fit(&ds)?.to_bytes()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parallelism(mut self, parallelism: Parallelism) -> Self {
        self.parallelism = Some(parallelism);
        self
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

    /// Sets the EASE settings (`None`: no EASE signal). With [`EaseInput::Binary`] the
    /// recommender's EASE sees what the user watched (every interaction but explicit dislikes,
    /// like item-kNN); with [`EaseInput::Values`] the signed confidences of the feedback policy
    /// (low ratings are negative evidence, as for ALS). Above
    /// [`EaseConfig::max_items`], models only the most popular items ([`Overflow::MostPopular`]
    /// is forced: a recommender never refuses a large catalogue); its weight in the blend is
    /// [`BlendConfig::ease`].
    ///
    /// ```
    /// use recsys_core::data::{Dataset, Feedback};
    /// use recsys_core::models::ease::EaseConfig;
    /// use recsys_core::recommender::RecommenderBuilder;
    ///
    /// let mut dataset = Dataset::new();
    /// for (user, item) in [("ann", "alien"), ("ann", "aliens"), ("bob", "alien"), ("bob", "heat")] {
    ///     dataset.add_event(user, item, Feedback::Like, 1).unwrap();
    /// }
    /// let builder = RecommenderBuilder::new().ease(Some(EaseConfig::new().lambda(2.0)));
    /// assert!(builder.fit(&dataset).is_ok());
    /// assert!(RecommenderBuilder::new().ease(Some(EaseConfig::new().lambda(-1.0))).fit(&dataset).is_err());
    /// ```
    pub fn ease(mut self, ease: Option<EaseConfig>) -> Self {
        self.ease = ease;
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
        self.embeddings = Some((ItemRows::Aligned(embeddings), weight));
        self
    }

    /// [`RecommenderBuilder::item_embeddings`] keyed by the app's item ids: row `r` of `rows`
    /// is the vector of `ids[r]`; dataset items without a row get none (an all-zero row).
    /// Checked by [`RecommenderBuilder::fit`]: as many ids as rows, every id a dataset item.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use recsys_core::data::{Dataset, Feedback};
    /// use recsys_core::recommender::RecommenderBuilder;
    ///
    /// let mut dataset = Dataset::new();
    /// dataset.add_event("ann", "alien", Feedback::Like, 1).unwrap();
    /// dataset.add_event("bob", "heat", Feedback::Like, 2).unwrap();
    /// let rows = Array2::from_shape_vec((1, 2), vec![1.0, 0.5]).unwrap();
    /// let ids = vec!["heat".to_string()];
    /// assert!(RecommenderBuilder::new().item_embeddings_by_id(ids, rows.clone(), 0.5).fit(&dataset).is_ok());
    /// let unknown = vec!["solaris".to_string()];
    /// assert!(RecommenderBuilder::new().item_embeddings_by_id(unknown, rows, 0.5).fit(&dataset).is_err());
    /// ```
    pub fn item_embeddings_by_id(
        mut self,
        ids: Vec<String>,
        rows: Array2<f32>,
        weight: f32,
    ) -> Self {
        self.embeddings = Some((ItemRows::ById(ids, rows), weight));
        self
    }

    /// Uses ALS item factors trained elsewhere (e.g. by Apache Spark MLlib's `ALS` on a
    /// cluster) instead of fitting ALS: row `r` of `factors` is the vector of item `ids[r]`;
    /// dataset items without a row get zero factors (no collaborative score). Everything else
    /// (catalogue, content, kNN, EASE, popularity, rating model) is still trained on the
    /// dataset, and the training users' factors are re-solved against these item factors with
    /// the [`AlsConfig`]'s regularization and alpha, which are also what every request's
    /// fold-in uses (its factor count and iterations are ignored). Checked by
    /// [`RecommenderBuilder::fit`]: as many ids as rows, every id a dataset item, finite values.
    ///
    /// ```
    /// use ndarray::array;
    /// use recsys_core::prelude::*;
    ///
    /// let mut dataset = Dataset::new();
    /// for (user, item) in [("ann", "alien"), ("ann", "aliens"), ("bob", "alien"), ("bob", "heat")] {
    ///     dataset.add_event(user, item, Feedback::Like, 1)?;
    /// }
    /// // Two factors per item, e.g. read from the parquet files Spark wrote.
    /// let ids = vec!["alien".to_string(), "aliens".to_string(), "heat".to_string()];
    /// let factors = array![[1.0f32, 0.0], [0.9, 0.1], [0.0, 1.0]];
    /// let builder = RecommenderBuilder::new()
    ///     .als(AlsConfig::new().regularization(0.1))
    ///     .als_item_factors_by_id(ids, factors);
    /// let model = builder.fit(&dataset)?;
    /// let history = UserHistory::new().with("alien", Feedback::Like, 1);
    /// let top = model.recommend(&history, &Query::new(List::ForYou).n(1))?;
    /// assert_eq!(top.items[0].item_id, "aliens");
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    pub fn als_item_factors_by_id(mut self, ids: Vec<String>, factors: Array2<f32>) -> Self {
        self.als_item_factors = Some(ItemRows::ById(ids, factors));
        self
    }

    /// Sets the explicit rating model (`None`: no rating prediction). It is trained only when
    /// the dataset holds [`Feedback::Rating`](crate::data::Feedback::Rating) events; see [`Recommender::predict_rating`].
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
        self.fit_with_progress(dataset, &mut |_| {})
    }

    /// [`RecommenderBuilder::fit`], calling `progress` after each [`FitStage`] finishes (from
    /// the calling thread, or the thread pool's when [`RecommenderBuilder::parallelism`] is
    /// set): which stage, how many have finished and how many this fit runs (stages without a
    /// config, or a rating model without ratings, are skipped and not counted). The last
    /// report is [`FitStage::Finish`] with `done == total`; a failing fit stops reporting.
    /// The trained recommender is the same as `fit`'s.
    ///
    /// ```
    /// use recsys_core::prelude::*;
    /// use recsys_core::recommender::{FitProgress, FitStage};
    ///
    /// let mut ds = Dataset::new();
    /// for (u, i) in [("a", "x"), ("a", "y"), ("b", "y"), ("b", "z")] {
    ///     ds.add_event(u, i, Feedback::Like, 0)?;
    /// }
    /// let builder = RecommenderBuilder::new().als(AlsConfig::new().factors(2).regularization(0.1));
    /// let mut stages = Vec::new();
    /// let model = builder.fit_with_progress(&ds, &mut |p: FitProgress| stages.push(p))?;
    /// // Likes only: no rating model to train.
    /// assert!(stages.iter().all(|p| p.stage != FitStage::Ratings && p.total == stages.len()));
    /// assert_eq!(stages.first().map(|p| p.stage), Some(FitStage::Interactions));
    /// assert!(stages.last().is_some_and(|p| p.stage == FitStage::Finish && p.is_last()));
    /// assert_eq!(model.to_bytes()?, builder.fit(&ds)?.to_bytes()?);
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`RecommenderBuilder::fit`].
    pub fn fit_with_progress(
        &self,
        dataset: &Dataset,
        progress: &mut (dyn FnMut(FitProgress) + Send),
    ) -> Result<Recommender> {
        match self.parallelism {
            None => self.fit_with(dataset, &self.als, progress),
            Some(parallelism) => {
                // Inside the pool `install` sets up, ALS's `Global` is that pool.
                let als = self.als.clone().parallelism(Parallelism::Global);
                par::install(parallelism, || self.fit_with(dataset, &als, progress))
            }
        }
    }

    fn fit_with(
        &self,
        dataset: &Dataset,
        als: &AlsConfig,
        progress: &mut (dyn FnMut(FitProgress) + Send),
    ) -> Result<Recommender> {
        self.policy.validate()?;
        self.blend.validate()?;
        let n_items = dataset.n_items();
        if n_items == 0 {
            return Err(Error::EmptyInput {
                what: "dataset has no items".into(),
            });
        }
        // A catalogue must only credit people it holds (what loading a saved model checks).
        dataset.catalog().validate()?;
        let triplets = match &self.ratings {
            Some(_) => dataset.ratings(),
            None => Vec::new(),
        };
        let skipped = [self.knn.is_none(), self.ease.is_none(), triplets.is_empty()];
        let total = FitStage::ALL.len() - skipped.iter().filter(|&&s| s).count();
        let mut stages = StageReporter::new(progress, total);
        let matrix = dataset.interactions(&self.policy)?;
        stages.finished(FitStage::Interactions);
        let als = match &self.als_item_factors {
            None => als.fit(&matrix)?,
            Some(rows) => {
                let items = rows.aligned(dataset, "ALS item factors")?;
                imported_als(als, items.view(), &matrix)?
            }
        };
        stages.finished(FitStage::Als);
        let knn = match &self.knn {
            // Similar items are the ones liked together (negative evidence is ALS's business).
            Some(config) => {
                let knn = config.fit(&matrix.map_values(|v| v.max(0.0)))?;
                stages.finished(FitStage::ItemKnn);
                Some(knn)
            }
            None => None,
        };
        let ease = match &self.ease {
            Some(config) => {
                // Binary: what was watched, as item-kNN scores it (low ratings count as
                // interactions); values: the signed confidences, as ALS sees them.
                let x = match config.get_input() {
                    EaseInput::Binary => matrix.map_values(f32::abs),
                    EaseInput::Values => matrix.clone(),
                };
                let config = config
                    .clone()
                    .overflow(Overflow::MostPopular)
                    .parallelism(Parallelism::Global);
                let ease = config.fit(&x)?;
                stages.finished(FitStage::Ease);
                Some(ease)
            }
            None => None,
        };
        let mut features = self.features.fit_items(&dataset.catalog, n_items)?;
        if let Some((embeddings, weight)) = &self.embeddings {
            let embeddings = embeddings.aligned(dataset, "item embeddings")?;
            features = features.with_embeddings(embeddings.view(), *weight)?;
        }
        let neighbors = ContentNeighborsConfig::new()
            .neighbors(SIMILAR_NEIGHBORS)
            .fit(&features)?;
        let content = self.content.fit(features)?;
        stages.finished(FitStage::Content);
        let trending = self.trending.fit(dataset.events(), n_items, &self.policy)?;
        stages.finished(FitStage::Trending);
        let ratings = match &self.ratings {
            Some(config) if !triplets.is_empty() => {
                // Requests fold users in: only the item side is kept.
                // The dataset's id maps back the shape.
                let model = config.fit_backed(&triplets, dataset.n_users(), n_items)?;
                stages.finished(FitStage::Ratings);
                Some(model.into_item_side())
            }
            _ => None,
        };
        let mut catalog = dataset.catalog.clone();
        // The dataset's item ids back the length (its catalog field may have been replaced).
        catalog.backed_ensure_len(n_items);
        let exposure = list_exposure(&als, &matrix)?;
        stages.finished(FitStage::Exposure);
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
            ease,
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
        // The checks a load runs, so a recommender that fits also saves and loads.
        recommender.validate()?;
        stages.finished(FitStage::Finish);
        Ok(recommender)
    }
}

/// An ALS model on item factors trained elsewhere: the training users' factors are solved
/// against them (one exact half-step, as a request's fold-in) with `config`'s regularization
/// and alpha.
fn imported_als(
    config: &AlsConfig,
    item_factors: ndarray::ArrayView2<'_, f32>,
    matrix: &Interactions,
) -> Result<AlsModel> {
    let no_users = Array2::<f32>::zeros((0, item_factors.ncols()));
    let mut als = AlsModel::from_factors(
        config.regularization,
        config.alpha,
        no_users.view(),
        item_factors,
    )?;
    let users: Vec<u32> = (0..matrix.n_users() as u32).collect();
    if !users.is_empty() {
        als.partial_fit_users(&users, matrix)?;
    }
    Ok(als)
}

/// The fraction of training users whose ALS top-10 holds each item: which items crowd
/// everyone's lists (the long-tail re-ranking can push those down, not merely popular ones).
fn list_exposure(als: &AlsModel, matrix: &Interactions) -> Result<Vec<f32>> {
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

/// The recommender's EASE: chosen on the MovieLens-100K validation splits (see
/// [`BlendConfig::new`]); pruned to the largest weights per item so the artifact stays small.
fn default_ease() -> EaseConfig {
    EaseConfig::new().lambda(500.0).neighbors(Some(200))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::History;

    #[test]
    fn imported_als_solves_every_training_user_against_the_given_items() {
        let matrix = Interactions::from_triplets(
            3,
            3,
            &[(0, 0, 5.0), (0, 1, 3.0), (1, 1, 4.0), (2, 2, 1.0)],
        )
        .unwrap();
        let items = ndarray::array![[1.0f32, 0.0], [0.5, 0.5], [0.0, 1.0]];
        let config = AlsConfig::new().regularization(0.3).alpha(2.0);
        let als = imported_als(&config, items.view(), &matrix).unwrap();
        assert_eq!((als.n_users(), als.n_items(), als.factors()), (3, 3, 2));
        assert_eq!((als.regularization(), als.alpha()), (0.3, 2.0));
        assert_eq!(als.item_factors(), items.view());
        for user in 0..3 {
            let (cols, values) = matrix.row(user);
            let solved = als.recalculate_user(History::new(cols, values)).unwrap();
            assert_eq!(als.user_vector(user as u32).unwrap(), &solved[..]);
        }
    }
}
