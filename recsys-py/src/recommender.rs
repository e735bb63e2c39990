//! The hybrid recommender (`recsys.Recommender`): events and catalog rows in, lists with
//! reasons out. Conversion only: settings, lists and queries are parsed through the core's
//! serde shapes (`pythonize`), results are converted from them; every decision is the core's.

use numpy::{PyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use pythonize::{pythonize, Depythonizer};
use recsys_core::artifact::Artifact;
use recsys_core::data::loaders::recbole::load_recbole_dir;
use recsys_core::data::{Dataset, Feedback, FeedbackPolicy, Role};
use recsys_core::eval::{evaluate_recommender, held_out_users, ExternalEvent};
use recsys_core::models::als::AlsConfig;
use recsys_core::models::mf::MfConfig;
use recsys_core::recommender::{
    BlendConfig, List, Query, Recommender, RecommenderBuilder, UserHistory,
};
use recsys_core::Error;
use serde::de::DeserializeOwned;
use serde::Deserialize;

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
/// One history event: `(item_id, feedback, timestamp)`.
type HistoryRow = (String, FeedbackArg, i64);
/// One result: `(item_id, score, reasons, explanation)`, reasons in the core's serde shape.
type ResultRow<'py> = (String, f32, Bound<'py, PyAny>, String);

/// `value` (a dict, a str, ...) read as the core's serde shape of `T`; an error names the
/// argument `what` and the path of the offending key.
fn parse<T: DeserializeOwned>(what: &'static str, value: &Bound<'_, PyAny>) -> Result<T, Error> {
    let mut input = Depythonizer::from_object(value);
    serde_path_to_error::deserialize(&mut input).map_err(|err| {
        let path = err.path().to_string();
        let err = err.into_inner();
        match path.as_str() {
            "." => Error::invalid(what, err),
            path => Error::invalid(what, format!("{path}: {err}")),
        }
    })
}

/// Settings `value` (None: the core's defaults) read by name as `T`.
fn settings<T: DeserializeOwned + Default>(
    what: &'static str,
    value: Option<&Bound<'_, PyAny>>,
) -> Result<T, Error> {
    value.map_or_else(|| Ok(T::default()), |value| parse(what, value))
}

/// A role name (ASCII case-insensitive) as the core's [`Role`].
fn role_of(name: &str) -> Result<Role, Error> {
    let name = name.to_ascii_lowercase();
    Role::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(&name))
        .map_err(|err| Error::invalid("role", err))
}

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
        let credits = people
            .iter()
            .map(|(person, name, role)| {
                if person.is_empty() {
                    return Err(Error::EmptyInput {
                        what: format!("person id in the people of catalog item {item:?}"),
                    });
                }
                Ok((person.as_str(), name.as_deref(), role_of(role)?))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let mut editor = dataset.item(item);
        if let Some(title) = title {
            editor = editor.title(title);
        }
        if let Some(year) = year {
            editor = editor.year(*year);
        }
        editor = genres
            .iter()
            .fold(editor, |editor, genre| editor.genre(genre));
        editor = tags.iter().fold(editor, |editor, tag| editor.tag(tag));
        credits
            .into_iter()
            .fold(editor, |editor, (person, name, role)| {
                editor.credit(person, name, role)
            });
    }
    Ok(dataset)
}

/// Caller-supplied dense item embeddings: `(item ids, float32 rows, weight)`.
type EmbeddingArgs<'py> = Option<(Vec<String>, PyReadonlyArray2<'py, f32>, f32)>;

/// Everything `fit` takes besides the data, parsed.
struct FitSettings {
    als: AlsConfig,
    policy: FeedbackPolicy,
    blend: BlendConfig,
    /// `None`: no rating model.
    ratings: Option<MfConfig>,
    num_threads: usize,
    embeddings: Option<(Vec<String>, ndarray::Array2<f32>, f32)>,
}

impl FitSettings {
    /// The settings as Python hands them over: ALS arguments, the policy, blend and rating
    /// model settings by name (dicts; a blend may be a preset name; `ratings` None: no rating
    /// model), the embeddings.
    fn parse(
        als: AlsArgs,
        policy: Option<&Bound<'_, PyAny>>,
        blend: Option<&Bound<'_, PyAny>>,
        ratings: Option<&Bound<'_, PyAny>>,
        num_threads: usize,
        embeddings: EmbeddingArgs<'_>,
    ) -> Result<Self, Error> {
        let (factors, regularization, alpha, iterations, seed) = als;
        let policy: FeedbackPolicy = settings("policy", policy)?;
        policy.validate()?;
        let ratings = match ratings {
            Some(value) => {
                let config: MfConfig = parse("ratings", value)?;
                config.validate()?;
                Some(config)
            }
            None => None,
        };
        Ok(Self {
            als: AlsConfig::new()
                .factors(factors)
                .regularization(regularization)
                .alpha(alpha)
                .iterations(iterations)
                .seed(seed),
            policy,
            blend: settings("blend", blend)?,
            ratings,
            num_threads,
            embeddings: embeddings
                .map(|(ids, rows, weight)| (ids, rows.as_array().to_owned(), weight)),
        })
    }

    /// Loads the dataset and trains on it with the GIL released, relaying ALS progress to
    /// `progress`, then re-raises the progress callable's first exception.
    fn fit(
        self,
        py: Python<'_>,
        progress: Option<Py<PyAny>>,
        load: impl FnOnce() -> Result<Dataset, Error> + Send,
    ) -> PyResult<Recommender> {
        let (als, failure): (AlsConfig, CallbackFailure) = relay(self.als, progress);
        let mut builder = RecommenderBuilder::new()
            .als(als)
            .policy(self.policy)
            .blend(self.blend)
            .ratings(self.ratings);
        if let Some((ids, rows, weight)) = self.embeddings {
            builder = builder.item_embeddings_by_id(ids, rows, weight);
        }
        let model = detached(py, self.num_threads, move || {
            load().and_then(|data| builder.fit(&data))
        })?
        .map_err(PyRecsysError)?;
        failure.raise()?;
        Ok(model)
    }
}

/// A request history as the core's [`UserHistory`].
fn history_of(
    history: &[HistoryRow],
    favorite_genres: &[(String, f32)],
    favorite_people: &[(String, f32)],
) -> Result<UserHistory, Error> {
    let mut events = UserHistory::new();
    for (item, feedback, timestamp) in history {
        events.push(item, feedback.to_feedback()?, *timestamp);
    }
    for (genre, weight) in favorite_genres {
        events = events.with_weighted_favorite_genre(genre, *weight);
    }
    for (person, weight) in favorite_people {
        events = events.with_weighted_favorite_person(person, *weight);
    }
    Ok(events)
}

/// Training or test rows as the core's external-id events; errors name `what` and the row.
fn external_events<'a>(
    what: &'static str,
    rows: &'a [EventRow],
) -> Result<Vec<ExternalEvent<'a>>, Error> {
    rows.iter()
        .enumerate()
        .map(|(row, (user, item, feedback, timestamp))| {
            let feedback = feedback
                .to_feedback()
                .map_err(|err| Error::invalid(what, format!("row {row}: {err}")))?;
            Ok((user.as_str(), item.as_str(), feedback, *timestamp))
        })
        .collect()
}

/// A trained hybrid recommender of the Rust core (see `recsys.recommender.Recommender`).
#[pyclass(module = "recsys._recsys", name = "RecommenderModel")]
pub struct PyRecommender {
    model: Recommender,
}

#[pymethods]
impl PyRecommender {
    /// Trains the hybrid from events `(user_id, item_id, feedback, timestamp)` and catalog rows
    /// `(item_id, title, year, genres, tags, people)`; the GIL is released while training.
    /// `als` is `(factors, regularization, alpha, iterations, seed)`; `policy`, `blend` and
    /// `ratings` are the core's settings by name (dicts; None: defaults, or no rating model for
    /// `ratings`); `progress(iteration, iterations, seconds, loss)` is called after every ALS
    /// iteration (its first exception is raised after training); `embeddings` is
    /// `(item_ids, float32 rows, weight)`.
    #[staticmethod]
    #[pyo3(signature = (events, catalog, als, policy, blend, ratings, num_threads, progress=None, embeddings=None))]
    #[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments one to one
    fn fit(
        py: Python<'_>,
        events: Vec<EventRow>,
        catalog: Vec<CatalogRow>,
        als: AlsArgs,
        policy: Option<Bound<'_, PyAny>>,
        blend: Option<Bound<'_, PyAny>>,
        ratings: Option<Bound<'_, PyAny>>,
        num_threads: usize,
        progress: Option<Py<PyAny>>,
        embeddings: EmbeddingArgs<'_>,
    ) -> PyResult<Self> {
        let settings = FitSettings::parse(
            als,
            policy.as_ref(),
            blend.as_ref(),
            ratings.as_ref(),
            num_threads,
            embeddings,
        )
        .map_err(PyRecsysError)?;
        let model = settings.fit(py, progress, || dataset_of(&events, &catalog))?;
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
        policy: Option<Bound<'_, PyAny>>,
        blend: Option<Bound<'_, PyAny>>,
        ratings: Option<Bound<'_, PyAny>>,
        num_threads: usize,
        progress: Option<Py<PyAny>>,
        embeddings: EmbeddingArgs<'_>,
    ) -> PyResult<Self> {
        let settings = FitSettings::parse(
            als,
            policy.as_ref(),
            blend.as_ref(),
            ratings.as_ref(),
            num_threads,
            embeddings,
        )
        .map_err(PyRecsysError)?;
        let model = settings.fit(py, progress, || load_recbole_dir(&directory, name))?;
        Ok(Self { model })
    }

    /// One list for `history` (`(item_id, feedback, timestamp)` events) and `query` (a dict
    /// of the core's `Query` shape: `list`, `n`, `filters`, `diversity`): `(results,
    /// unknown_ids)` with results `(item_id, score, reasons, explanation)`, reasons as the
    /// core's serde shape.
    #[pyo3(signature = (history, query, favorite_genres, favorite_people))]
    fn recommend<'py>(
        &self,
        py: Python<'py>,
        history: Vec<HistoryRow>,
        query: Bound<'py, PyAny>,
        favorite_genres: Vec<(String, f32)>,
        favorite_people: Vec<(String, f32)>,
    ) -> PyResult<(Vec<ResultRow<'py>>, Vec<String>)> {
        let events =
            history_of(&history, &favorite_genres, &favorite_people).map_err(PyRecsysError)?;
        let query: Query = parse("query", &query).map_err(PyRecsysError)?;
        let query = query.explain(true);
        let recs = py
            .detach(|| self.model.recommend(&events, &query))
            .map_err(PyRecsysError)?;
        let rows = recs
            .items
            .into_iter()
            .map(|rec| {
                let reasons = pythonize(py, &rec.reasons)?;
                let explanation = rec.explanation.clone().unwrap_or_else(|| rec.sentence());
                Ok((rec.item_id, rec.score, reasons, explanation))
            })
            .collect::<PyResult<Vec<_>>>()?;
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
        self.model.rating_range()
    }

    /// For You top-`k` lists of the users with relevant `test` events, built from their
    /// `train` events, scored by the core's `evaluate_recommender`: a dict with `k`,
    /// `precision`, `recall`, `ndcg`, `map`, `hit_rate`, `coverage` and `n_users`. The GIL is
    /// released.
    #[pyo3(signature = (train, test, k, relevant_threshold, num_threads))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        train: Vec<EventRow>,
        test: Vec<EventRow>,
        k: usize,
        relevant_threshold: f32,
        num_threads: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let model = &self.model;
        let report = detached(py, num_threads, || {
            let train = external_events("train_events", &train)?;
            let test = external_events("test_events", &test)?;
            let users = held_out_users(train, test, relevant_threshold)?;
            evaluate_recommender(model, &users, k, &Query::new(List::ForYou))
        })?
        .map_err(PyRecsysError)?;
        Ok(pythonize(py, &report)?)
    }

    /// Number of items the recommender knows.
    #[getter]
    fn n_items(&self) -> usize {
        self.model.n_items()
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
