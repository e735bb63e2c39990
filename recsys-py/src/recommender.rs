//! The hybrid recommender (`recsys.Recommender`): events and catalog rows in, lists with
//! reasons out. Conversion only; every decision is the core's `recommender` module.

use std::collections::HashMap;

use ndarray::Array2;
use numpy::{PyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};
use rayon::prelude::*;
use recsys_core::artifact::Artifact;
use recsys_core::data::loaders::recbole::load_recbole_dir;
use recsys_core::data::{Dataset, Feedback, FeedbackPolicy, Role};
use recsys_core::eval::{summarize, Report};
use recsys_core::explain::Reason;
use recsys_core::models::als::AlsConfig;
use recsys_core::models::mf::MfConfig;
use recsys_core::recommender::{
    BlendConfig, Filters, List, Query, Recommender, RecommenderBuilder, UserHistory,
};
use recsys_core::Error;

use crate::error::{CoreResult, PyRecsysError};
use crate::progress::{relay, CallbackFailure};
use crate::threads::detached;

/// A feedback value as Python hands it over: a number (a rating) or a kind name
/// (`"like"`, `"dislike"`, `"watched"`, `"watchlisted"`, `"not_interested"`, `"rating:4"`).
#[derive(FromPyObject)]
pub enum FeedbackArg {
    /// A star rating.
    Rating(f64),
    /// A kind name, parsed by the core.
    Kind(String),
}

impl FeedbackArg {
    fn to_feedback(&self) -> Result<Feedback, Error> {
        match self {
            FeedbackArg::Rating(value) => Ok(Feedback::Rating(*value as f32)),
            FeedbackArg::Kind(text) => Feedback::parse(text),
        }
    }
}

/// One training event: `(user_id, item_id, feedback, timestamp)`.
type EventRow = (String, String, FeedbackArg, i64);
/// One credit of a catalog row: `(person_id, name, role)`.
type CreditRow = (String, Option<String>, String);
/// One catalog row: `(item_id, title, year, genres, tags, people)`.
type CatalogRow = (
    String,
    Option<String>,
    Option<i32>,
    Vec<String>,
    Vec<String>,
    Vec<CreditRow>,
);
/// ALS settings: `(factors, regularization, alpha, iterations, seed)`.
type AlsArgs = (usize, f32, f32, usize, u64);
/// Blend settings: `(preset, overrides by name)`.
type BlendArgs = (Option<String>, Vec<(String, f64)>);
/// One history event: `(item_id, feedback, timestamp)`.
type HistoryRow = (String, FeedbackArg, i64);
/// One result: `(item_id, score, reasons, explanation)`.
type ResultRow<'py> = (String, f32, Vec<Bound<'py, PyDict>>, String);

/// The dataset of `events` and `catalog`; errors name the offending row.
fn dataset_of(events: &[EventRow], catalog: &[CatalogRow]) -> Result<Dataset, Error> {
    let mut dataset = Dataset::new();
    for (row, (user, item, feedback, timestamp)) in events.iter().enumerate() {
        feedback
            .to_feedback()
            .and_then(|feedback| dataset.add_event(user, item, feedback, *timestamp))
            .map_err(|err| Error::invalid("events", format!("row {row}: {err}")))?;
    }
    for (item, title, year, genres, tags, people) in catalog {
        if item.is_empty() {
            return Err(Error::EmptyInput {
                what: "catalog item_id".into(),
            });
        }
        let (index, info) = dataset.item_info_mut(item);
        info.title = title.clone();
        info.year = *year;
        for genre in genres {
            info.add_genre(genre);
        }
        for tag in tags {
            info.add_tag(tag);
        }
        for (person, name, role) in people {
            if person.is_empty() {
                return Err(Error::EmptyInput {
                    what: format!("person id in the people of catalog item {item:?}"),
                });
            }
            let role = role_of(role)?;
            dataset
                .catalog
                .add_credit(index, person, name.as_deref(), role)?;
        }
    }
    Ok(dataset)
}

fn role_of(name: &str) -> Result<Role, Error> {
    Role::ALL
        .into_iter()
        .find(|role| role.as_str().eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            Error::invalid(
                "role",
                format!("unknown role {name:?} (expected actor, director, writer or producer)"),
            )
        })
}

/// The feedback policy settings `fit` overrides by name.
const POLICY_SETTINGS: &str =
    "rating_scale, negative_below, like, dislike, watched, watchlisted or not_interested";
/// The blend settings `fit` overrides by name.
const BLEND_SETTINGS: &str = "half_history, content, item_knn, popularity, \
    popularity_half_history, popularity_penalty, penalty_calibration, exposure_penalty, pool, \
    cold_item_score, cold_item_shrinkage or diversity";

/// The field a setting name selected, or an error listing the `expected` names.
fn known<'a>(
    slot: Option<&'a mut f32>,
    what: &'static str,
    name: &str,
    expected: &str,
) -> Result<&'a mut f32, Error> {
    slot.ok_or_else(|| {
        Error::invalid(
            what,
            format!("unknown setting {name:?} (expected {expected})"),
        )
    })
}

/// The core's default feedback policy with the caller's `(name, value)` overrides.
fn policy_of(overrides: &[(String, Option<f64>)]) -> Result<FeedbackPolicy, Error> {
    let mut policy = FeedbackPolicy::default();
    for (name, value) in overrides {
        if name == "negative_below" {
            policy.negative_below = value.map(|v| v as f32);
            continue;
        }
        let slot = match name.as_str() {
            "rating_scale" => Some(&mut policy.rating_scale),
            "like" => Some(&mut policy.like),
            "dislike" => Some(&mut policy.dislike),
            "watched" => Some(&mut policy.watched),
            "watchlisted" => Some(&mut policy.watchlisted),
            "not_interested" => Some(&mut policy.not_interested),
            _ => None,
        };
        let slot = known(slot, "policy", name, POLICY_SETTINGS)?;
        *slot =
            value.ok_or_else(|| Error::invalid("policy", format!("{name} needs a number")))? as f32;
    }
    policy.validate()?;
    Ok(policy)
}

/// The blend `preset` (`default` or `long_tail`; None: the default) with the caller's
/// `(name, value)` overrides.
fn blend_of(preset: Option<&str>, overrides: &[(String, f64)]) -> Result<BlendConfig, Error> {
    let mut blend = match preset.unwrap_or("default") {
        "default" => BlendConfig::new(),
        "long_tail" => BlendConfig::long_tail(),
        other => {
            return Err(Error::invalid(
                "blend",
                format!("unknown preset {other:?} (expected default or long_tail)"),
            ))
        }
    };
    for (name, value) in overrides {
        if name == "pool" {
            if !(value.is_finite() && *value >= 0.0 && value.fract() == 0.0) {
                return Err(Error::invalid(
                    "blend",
                    format!("pool must be a non-negative integer, got {value}"),
                ));
            }
            blend.pool = *value as usize;
            continue;
        }
        let slot = match name.as_str() {
            "half_history" => Some(&mut blend.half_history),
            "content" => Some(&mut blend.content),
            "item_knn" => Some(&mut blend.item_knn),
            "popularity" => Some(&mut blend.popularity),
            "popularity_half_history" => Some(&mut blend.popularity_half_history),
            "popularity_penalty" => Some(&mut blend.popularity_penalty),
            "penalty_calibration" => Some(&mut blend.penalty_calibration),
            "exposure_penalty" => Some(&mut blend.exposure_penalty),
            "cold_item_score" => Some(&mut blend.cold_item_score),
            "cold_item_shrinkage" => Some(&mut blend.cold_item_shrinkage),
            "diversity" => Some(&mut blend.diversity),
            _ => None,
        };
        *known(slot, "blend", name, BLEND_SETTINGS)? = *value as f32;
    }
    blend.validate()?;
    Ok(blend)
}

/// The MF settings `fit` overrides by name.
const MF_SETTINGS: &str = "factors, epochs, learning_rate, learning_rate_decay, regularization, \
    bias_regularization, init_std or seed";

/// The core's default explicit rating model with the caller's `(name, value)` overrides.
fn mf_of(overrides: &[(String, f64)]) -> Result<MfConfig, Error> {
    let mut config = MfConfig::new();
    for (name, value) in overrides {
        let count = || {
            if value.is_finite() && *value >= 0.0 && value.fract() == 0.0 {
                Ok(*value as u64)
            } else {
                Err(Error::invalid(
                    "ratings",
                    format!("{name} must be a non-negative integer, got {value}"),
                ))
            }
        };
        let real = *value as f32;
        config = match name.as_str() {
            "factors" => config.factors(count()? as usize),
            "epochs" => config.epochs(count()? as usize),
            "seed" => config.seed(count()?),
            "learning_rate" => config.learning_rate(real),
            "learning_rate_decay" => config.learning_rate_decay(real),
            "regularization" => config.regularization(real),
            "bias_regularization" => config.bias_regularization(real),
            "init_std" => config.init_std(real),
            other => {
                return Err(Error::invalid(
                    "ratings",
                    format!("unknown setting {other:?} (expected {MF_SETTINGS})"),
                ))
            }
        };
    }
    config.validate()?;
    Ok(config)
}

/// Caller-supplied dense item embeddings: one row per id, and their weight in the content
/// similarity.
struct ItemEmbeddings {
    ids: Vec<String>,
    rows: Array2<f32>,
    weight: f32,
}

/// `(item ids, float32 rows, weight)` as Python hands them over.
type EmbeddingArgs<'py> = Option<(Vec<String>, PyReadonlyArray2<'py, f32>, f32)>;

impl ItemEmbeddings {
    fn from_args(args: EmbeddingArgs<'_>) -> Option<Self> {
        args.map(|(ids, rows, weight)| Self {
            ids,
            rows: rows.as_array().to_owned(),
            weight,
        })
    }

    /// The rows in the dataset's item order (all-zero for items without one).
    fn aligned(&self, data: &Dataset) -> Result<Array2<f32>, Error> {
        if self.ids.len() != self.rows.nrows() {
            return Err(Error::DimensionMismatch {
                context: "item embeddings: rows for the ids given".into(),
                expected: self.ids.len(),
                got: self.rows.nrows(),
            });
        }
        let mut aligned = Array2::zeros((data.n_items(), self.rows.ncols()));
        for (id, row) in self.ids.iter().zip(self.rows.outer_iter()) {
            let item = data
                .items
                .index_of(id)
                .ok_or_else(|| Error::UnknownItem { id: id.clone() })?;
            aligned.row_mut(item as usize).assign(&row);
        }
        Ok(aligned)
    }
}

/// Everything `fit` takes besides the data.
struct FitSettings {
    als: AlsArgs,
    policy: Vec<(String, Option<f64>)>,
    blend: BlendArgs,
    /// `None`: no rating model; otherwise MF overrides by name.
    ratings: Option<Vec<(String, f64)>>,
    num_threads: usize,
    progress: Option<Py<PyAny>>,
    embeddings: Option<ItemEmbeddings>,
}

impl FitSettings {
    /// The core's builder with these settings (every other one at the core default) and the
    /// slot of the progress callable's first exception.
    fn builder(self) -> PyResult<(RecommenderBuilder, CallbackFailure)> {
        let (factors, regularization, alpha, iterations, seed) = self.als;
        let als = AlsConfig::new()
            .factors(factors)
            .regularization(regularization)
            .alpha(alpha)
            .iterations(iterations)
            .seed(seed);
        let (als, failure) = relay(als, self.progress);
        let mut builder = RecommenderBuilder::new()
            .als(als)
            .policy(policy_of(&self.policy).map_err(PyRecsysError)?)
            .blend(blend_of(self.blend.0.as_deref(), &self.blend.1).map_err(PyRecsysError)?);
        let ratings = match &self.ratings {
            Some(overrides) => Some(mf_of(overrides).map_err(PyRecsysError)?),
            None => None,
        };
        builder = builder.ratings(ratings);
        Ok((builder, failure))
    }

    /// Loads the dataset and trains on it with the GIL released, then re-raises the progress
    /// callable's first exception.
    fn fit(
        mut self,
        py: Python<'_>,
        load: impl FnOnce() -> Result<Dataset, Error> + Send,
    ) -> PyResult<Recommender> {
        let num_threads = self.num_threads;
        let embeddings = self.embeddings.take();
        let (builder, failure) = self.builder()?;
        let model = detached(py, num_threads, move || {
            load().and_then(|data| {
                let builder = match &embeddings {
                    Some(e) => builder.item_embeddings(e.aligned(&data)?, e.weight),
                    None => builder,
                };
                builder.fit(&data)
            })
        })?
        .map_err(PyRecsysError)?;
        failure.raise()?;
        Ok(model)
    }
}

/// A request history as the core's [`UserHistory`].
fn history_of(
    history: &[HistoryRow],
    favorite_genres: &[String],
    favorite_people: &[String],
) -> Result<UserHistory, Error> {
    let mut events = UserHistory::new();
    for (item, feedback, timestamp) in history {
        // An invalid feedback value (a NaN rating) is the core's to report, not to raise:
        // a NaN rating is passed on as such.
        let feedback = match feedback {
            FeedbackArg::Rating(value) => Feedback::Rating(*value as f32),
            FeedbackArg::Kind(_) => feedback.to_feedback()?,
        };
        events.push(item, feedback, *timestamp);
    }
    for genre in favorite_genres {
        events = events.with_favorite_genre(genre);
    }
    for person in favorite_people {
        events = events.with_favorite_person(person);
    }
    Ok(events)
}

/// Whether a held-out event counts as relevant: a rating of at least `threshold`, a like, a
/// watch or a watchlist entry.
fn is_relevant(feedback: Feedback, threshold: f32) -> bool {
    match feedback {
        Feedback::Rating(r) => r >= threshold,
        Feedback::Like | Feedback::Watched | Feedback::Watchlisted => true,
        Feedback::Dislike | Feedback::NotInterested => false,
    }
}

/// For You top-`k` of every user with a relevant `test` event, from their `train` events,
/// scored by the core's ranking metrics (every catalogue item counts for coverage).
fn evaluate_for_you(
    model: &Recommender,
    train: &[EventRow],
    test: &[EventRow],
    k: usize,
    threshold: f32,
) -> Result<Report, Error> {
    if !threshold.is_finite() {
        return Err(Error::invalid("relevant_threshold", "must be finite"));
    }
    let mut users: HashMap<&str, usize> = HashMap::new();
    let mut relevant: Vec<Vec<u32>> = Vec::new();
    for (row, (user, item, feedback, _)) in test.iter().enumerate() {
        let feedback = feedback
            .to_feedback()
            .map_err(|err| Error::invalid("test_events", format!("row {row}: {err}")))?;
        let next = users.len();
        let u = *users.entry(user.as_str()).or_insert(next);
        if u == relevant.len() {
            relevant.push(Vec::new());
        }
        if let (Some(index), true) = (
            model.items().index_of(item),
            is_relevant(feedback, threshold),
        ) {
            relevant[u].push(index);
        }
    }
    let mut histories = vec![UserHistory::new(); users.len()];
    for (row, (user, item, feedback, timestamp)) in train.iter().enumerate() {
        let feedback = feedback
            .to_feedback()
            .map_err(|err| Error::invalid("train_events", format!("row {row}: {err}")))?;
        if let Some(&u) = users.get(user.as_str()) {
            histories[u].push(item, feedback, *timestamp);
        }
    }
    for items in &mut relevant {
        items.sort_unstable();
        items.dedup();
    }
    let query = Query::new(List::ForYou).n(k);
    let lists = relevant
        .par_iter()
        .zip(&histories)
        .map(|(items, history)| {
            if items.is_empty() {
                return Ok(Vec::new());
            }
            let recs = model.recommend(history, &query)?;
            Ok(recs.items.iter().map(|r| r.index).collect())
        })
        .collect::<Result<Vec<Vec<u32>>, Error>>()?;
    summarize(&lists, &relevant, &vec![true; model.items().len()], k)
}

/// The list named `list` (`item` / `genre` as its argument where it needs one).
fn list_of(list: &str, item: Option<String>, genre: Option<String>) -> Result<List, Error> {
    let required = |value: Option<String>, name: &'static str| {
        value.ok_or_else(|| Error::invalid(name, format!("list {list:?} needs `{name}`")))
    };
    match list {
        "for_you" => Ok(List::ForYou),
        "trending" => Ok(List::Trending),
        "because_you_liked" => Ok(List::BecauseYouLiked(required(item, "item")?)),
        "similar_to" => Ok(List::SimilarTo(required(item, "item")?)),
        "by_genre" => Ok(List::ByGenre(required(genre, "genre")?)),
        other => Err(Error::invalid(
            "list",
            format!(
                "unknown list {other:?} (expected for_you, because_you_liked, trending, by_genre or similar_to)"
            ),
        )),
    }
}

/// A trained hybrid recommender of the Rust core (see `recsys.recommender.Recommender`).
#[pyclass(module = "recsys._recsys", name = "RecommenderModel")]
pub struct PyRecommender {
    model: Recommender,
}

impl PyRecommender {
    /// The app's id of item index `item`.
    fn external(&self, item: u32) -> String {
        self.model
            .items()
            .id_of(item)
            .map_or_else(|| format!("#{item}"), str::to_owned)
    }

    /// A reason as a dict: `kind` plus the reason's fields, items by their external ids.
    fn reason_dict<'py>(&self, py: Python<'py>, reason: &Reason) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        match reason {
            Reason::BecauseYouLiked { items } => {
                dict.set_item("kind", "because_you_liked")?;
                let items: Vec<(String, f32)> = items
                    .iter()
                    .map(|&(item, share)| (self.external(item), share))
                    .collect();
                dict.set_item("items", items)?;
            }
            Reason::SharedPeople { item, roles, name } => {
                dict.set_item("kind", "shared_people")?;
                dict.set_item("item", self.external(*item))?;
                let roles: Vec<(&str, usize)> =
                    roles.iter().map(|&(role, n)| (role.as_str(), n)).collect();
                dict.set_item("roles", roles)?;
                dict.set_item("name", name.clone())?;
            }
            Reason::SharedGenres { item, genres } => {
                dict.set_item("kind", "shared_genres")?;
                dict.set_item("item", self.external(*item))?;
                dict.set_item("genres", genres.clone())?;
            }
            Reason::SimilarTo { item } => {
                dict.set_item("kind", "similar_to")?;
                dict.set_item("item", self.external(*item))?;
            }
            Reason::MatchesTaste { genre } => {
                dict.set_item("kind", "matches_taste")?;
                dict.set_item("genre", genre.clone())?;
            }
            Reason::Trending => dict.set_item("kind", "trending")?,
            Reason::PopularIn { genre } => {
                dict.set_item("kind", "popular_in")?;
                dict.set_item("genre", genre.clone())?;
            }
            Reason::Popular => dict.set_item("kind", "popular")?,
            Reason::NewArrival => dict.set_item("kind", "new_arrival")?,
            // A reason kind added to the core after these bindings: still reported, by name.
            other => {
                dict.set_item("kind", "other")?;
                dict.set_item("detail", format!("{other:?}"))?;
            }
        }
        Ok(dict)
    }
}

#[pymethods]
impl PyRecommender {
    /// Trains the hybrid from events `(user_id, item_id, feedback, timestamp)` and catalog rows
    /// `(item_id, title, year, genres, tags, people)`; the GIL is released while training.
    /// `als` is `(factors, regularization, alpha, iterations, seed)`; `policy` and `blend`
    /// override core defaults by name; `progress(iteration, iterations, seconds, loss)` is
    /// called after every ALS iteration (its first exception is raised after training);
    /// `embeddings` is `(item_ids, float32 rows, weight)`.
    #[staticmethod]
    #[pyo3(signature = (events, catalog, als, policy, blend, ratings, num_threads, progress=None, embeddings=None))]
    #[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments one to one
    fn fit(
        py: Python<'_>,
        events: Vec<EventRow>,
        catalog: Vec<CatalogRow>,
        als: AlsArgs,
        policy: Vec<(String, Option<f64>)>,
        blend: BlendArgs,
        ratings: Option<Vec<(String, f64)>>,
        num_threads: usize,
        progress: Option<Py<PyAny>>,
        embeddings: EmbeddingArgs<'_>,
    ) -> PyResult<Self> {
        let settings = FitSettings {
            als,
            policy,
            blend,
            ratings,
            num_threads,
            progress,
            embeddings: ItemEmbeddings::from_args(embeddings),
        };
        let model = settings.fit(py, || dataset_of(&events, &catalog))?;
        Ok(Self { model })
    }

    /// Trains the hybrid on a RecBole-format dataset `directory/name.{inter,item,kg,link}`
    /// read by the core's loader (e.g. MovieLens-100K); the GIL is released throughout. The
    /// settings are those of `fit`.
    #[staticmethod]
    #[pyo3(signature = (directory, name, als, policy, blend, ratings, num_threads, progress=None, embeddings=None))]
    #[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments one to one
    fn fit_recbole(
        py: Python<'_>,
        directory: std::path::PathBuf,
        name: &str,
        als: AlsArgs,
        policy: Vec<(String, Option<f64>)>,
        blend: BlendArgs,
        ratings: Option<Vec<(String, f64)>>,
        num_threads: usize,
        progress: Option<Py<PyAny>>,
        embeddings: EmbeddingArgs<'_>,
    ) -> PyResult<Self> {
        let settings = FitSettings {
            als,
            policy,
            blend,
            ratings,
            num_threads,
            progress,
            embeddings: ItemEmbeddings::from_args(embeddings),
        };
        let model = settings.fit(py, || load_recbole_dir(&directory, name))?;
        Ok(Self { model })
    }

    /// One list for `history` (`(item_id, feedback, timestamp)` events): `(results,
    /// unknown_ids)` with results `(item_id, score, reasons, explanation)`.
    #[pyo3(signature = (history, n, list, item, genre, genres, years, tags, people, exclude_seen, exclude_disliked, exclude, candidates, diversity, favorite_genres, favorite_people))]
    #[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments one to one
    fn recommend<'py>(
        &self,
        py: Python<'py>,
        history: Vec<HistoryRow>,
        n: usize,
        list: &str,
        item: Option<String>,
        genre: Option<String>,
        genres: Vec<String>,
        years: Option<(i32, i32)>,
        tags: Vec<String>,
        people: Vec<String>,
        exclude_seen: bool,
        exclude_disliked: bool,
        exclude: Vec<String>,
        candidates: Option<Vec<String>>,
        diversity: Option<f32>,
        favorite_genres: Vec<String>,
        favorite_people: Vec<String>,
    ) -> PyResult<(Vec<ResultRow<'py>>, Vec<String>)> {
        let events =
            history_of(&history, &favorite_genres, &favorite_people).map_err(PyRecsysError)?;
        let mut query = Query::new(list_of(list, item, genre).map_err(PyRecsysError)?)
            .n(n)
            .filters(Filters {
                genres,
                years,
                tags,
                people,
                exclude_seen,
                exclude_disliked,
                exclude,
                candidates,
            });
        if let Some(diversity) = diversity {
            query = query.diversity(diversity);
        }
        let recs = py
            .detach(|| self.model.recommend(&events, &query))
            .map_err(PyRecsysError)?;
        let mut rows = Vec::with_capacity(recs.items.len());
        for rec in &recs.items {
            let reasons = rec
                .reasons
                .iter()
                .map(|reason| self.reason_dict(py, reason))
                .collect::<PyResult<Vec<_>>>()?;
            rows.push((
                rec.item_id.clone(),
                rec.score,
                reasons,
                rec.explanation.clone(),
            ));
        }
        Ok((rows, recs.unknown_ids))
    }

    /// Predicted ratings of the history's user for `items` (the history's ratings folded into
    /// the explicit model), as a `float32` array; the GIL is released.
    fn predict_ratings<'py>(
        &self,
        py: Python<'py>,
        history: Vec<HistoryRow>,
        items: Vec<String>,
    ) -> PyResult<Bound<'py, PyArray1<f32>>> {
        let events = history_of(&history, &[], &[]).map_err(PyRecsysError)?;
        let predictions = py
            .detach(|| self.model.predict_ratings(&events, &items))
            .map_err(PyRecsysError)?;
        Ok(PyArray1::from_vec(py, predictions))
    }

    /// Whether the recommender predicts ratings (trained on explicit ratings).
    #[getter]
    fn has_ratings(&self) -> bool {
        self.model.has_ratings()
    }

    /// The `(min, max)` range of predicted ratings, or None without a rating model.
    #[getter]
    fn rating_range(&self) -> Option<(f32, f32)> {
        self.model.rating_model().map(|m| m.rating_range())
    }

    /// For You top-`k` lists of the users with relevant `test` events, built from their
    /// `train` events, scored by the core's metrics: a dict with `precision`, `recall`,
    /// `ndcg`, `map`, `hit_rate`, `coverage` and `n_users`. The GIL is released.
    #[pyo3(signature = (train, test, k, relevant_threshold, num_threads))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        train: Vec<EventRow>,
        test: Vec<EventRow>,
        k: usize,
        relevant_threshold: f32,
        num_threads: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let model = &self.model;
        let report = detached(py, num_threads, || {
            evaluate_for_you(model, &train, &test, k, relevant_threshold)
        })?
        .map_err(PyRecsysError)?;
        let out = PyDict::new(py);
        out.set_item("precision", report.precision)?;
        out.set_item("recall", report.recall)?;
        out.set_item("ndcg", report.ndcg)?;
        out.set_item("map", report.map)?;
        out.set_item("hit_rate", report.hit_rate)?;
        out.set_item("coverage", report.coverage)?;
        out.set_item("n_users", report.n_users)?;
        Ok(out)
    }

    /// Number of items the recommender knows.
    #[getter]
    fn n_items(&self) -> usize {
        self.model.items().len()
    }

    /// Decodes an artifact made by `to_bytes`.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> CoreResult<Self> {
        Ok(Self {
            model: Recommender::from_bytes(data)?,
        })
    }

    /// The recommender as a versioned, checksummed artifact (kind `"recommender"`).
    fn to_bytes<'py>(&self, py: Python<'py>) -> CoreResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.model.to_bytes()?))
    }

    /// Writes the artifact to `path` atomically.
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> CoreResult<()> {
        Ok(py.detach(|| self.model.save(&path))?)
    }

    /// Reads an artifact written by `save`.
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> CoreResult<Self> {
        let model = py.detach(|| Recommender::load(&path))?;
        Ok(Self { model })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let bytes = slf.borrow().to_bytes(py)?;
        let constructor = slf.get_type().getattr("from_bytes")?;
        PyTuple::new(py, [constructor, PyTuple::new(py, [bytes])?.into_any()])
    }
}
