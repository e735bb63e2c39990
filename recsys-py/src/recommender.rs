//! The hybrid recommender (`recsys.Recommender`): events and catalog rows in, lists with
//! reasons out. Conversion only: settings, lists and queries are parsed through the core's
//! serde shapes (`pythonize`), results are converted from them; every decision is the core's.

use numpy::{PyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyIndexError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};
use pythonize::{pythonize, Depythonizer};
use recsys_core::artifact::Artifact;
use recsys_core::data::loaders::recbole::load_recbole_dir;
use recsys_core::data::{Dataset, Feedback, FeedbackPolicy, Role};
use recsys_core::eval::{evaluate_recommender, held_out_users, ExternalEvent};
use recsys_core::models::als::AlsConfig;
use recsys_core::models::mf::MfConfig;
use recsys_core::recommender::{
    BlendConfig, FitProgress, List, Query, Recommendation, Recommender, RecommenderBuilder,
    UserHistory,
};
use recsys_core::Error;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{CoreResult, PyRecsysError};
use crate::progress::{relay, stage_relay, CallbackFailure};
use crate::threads::detached;
use crate::vocabulary::{prepare, sort_reported, Unknown, Vocabulary};

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
/// ALS item factors trained elsewhere (e.g. Spark): `(item ids, float32 rows)`.
type ItemFactorArgs<'py> = Option<(Vec<String>, PyReadonlyArray2<'py, f32>)>;

/// Everything `fit` takes besides the data, parsed.
struct FitSettings {
    als: AlsConfig,
    policy: FeedbackPolicy,
    blend: BlendConfig,
    /// `None`: no rating model.
    ratings: Option<MfConfig>,
    num_threads: usize,
    embeddings: Option<(Vec<String>, ndarray::Array2<f32>, f32)>,
    als_item_factors: Option<(Vec<String>, ndarray::Array2<f32>)>,
}

impl FitSettings {
    /// The settings as Python hands them over: ALS arguments, the policy, blend and rating
    /// model settings by name (dicts; a blend may be a preset name; `ratings` None: no rating
    /// model), the embeddings, ALS item factors trained elsewhere.
    fn parse(
        als: AlsArgs,
        policy: Option<&Bound<'_, PyAny>>,
        blend: Option<&Bound<'_, PyAny>>,
        ratings: Option<&Bound<'_, PyAny>>,
        num_threads: usize,
        embeddings: EmbeddingArgs<'_>,
        als_item_factors: ItemFactorArgs<'_>,
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
            als_item_factors: als_item_factors.map(|(ids, rows)| (ids, rows.as_array().to_owned())),
        })
    }

    /// Loads the dataset and trains on it with the GIL released, relaying ALS progress to
    /// `progress` and finished stages to `stages`, then re-raises the first exception either
    /// callable raised.
    fn fit(
        self,
        py: Python<'_>,
        progress: Option<Py<PyAny>>,
        stages: Option<Py<PyAny>>,
        load: impl FnOnce() -> Result<Dataset, Error> + Send,
    ) -> PyResult<Recommender> {
        let (als, failure): (AlsConfig, CallbackFailure) = relay(self.als, progress);
        let mut on_stage = stage_relay(stages, &failure);
        let mut builder = RecommenderBuilder::new()
            .als(als)
            .policy(self.policy)
            .blend(self.blend)
            .ratings(self.ratings);
        if let Some((ids, rows, weight)) = self.embeddings {
            builder = builder.item_embeddings_by_id(ids, rows, weight);
        }
        if let Some((ids, rows)) = self.als_item_factors {
            builder = builder.als_item_factors_by_id(ids, rows);
        }
        let model = detached(py, self.num_threads, move || {
            load().and_then(|data| {
                builder.fit_with_progress(&data, &mut |p: FitProgress| on_stage(p))
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

/// Adds one history row to `events` without any Python-side conversion, when it is a 3-tuple
/// of an exact `str` item id, an exact `float`/`int` rating or `str` kind, and an exact `int`
/// timestamp; `false` (nothing added) for anything else (a list row, numpy scalars, an integral
/// float timestamp, a huge int, a lone surrogate...), which the caller converts in Python first
/// (`recsys.recommender._history_rows`), where it gets its checks and error messages. The ids
/// are copied once, into the history.
fn push_plain_event(events: &mut UserHistory, row: &Bound<'_, PyAny>) -> PyResult<bool> {
    let Ok(row) = row.cast_exact::<PyTuple>() else {
        return Ok(false);
    };
    if row.len() != 3 {
        return Ok(false);
    }
    let (item, feedback, timestamp) = (row.get_item(0)?, row.get_item(1)?, row.get_item(2)?);
    // UTF-8 bytes borrowed from Python (`to_cow` would copy them once more under abi3-py39).
    let Some(utf8) = item
        .cast_exact::<PyString>()
        .ok()
        .and_then(|id| id.encode_utf8().ok())
    else {
        return Ok(false);
    };
    let Ok(item) = std::str::from_utf8(utf8.as_bytes()) else {
        return Ok(false);
    };
    let feedback = if let Ok(kind) = feedback.cast_exact::<PyString>() {
        let Ok(kind) = kind.to_cow() else {
            return Ok(false);
        };
        Feedback::parse(&kind).map_err(PyRecsysError)?
    } else if feedback.is_exact_instance_of::<PyFloat>() || feedback.is_exact_instance_of::<PyInt>()
    {
        let Ok(value) = feedback.extract::<f64>() else {
            return Ok(false);
        };
        FeedbackArg::Rating(value)
            .to_feedback()
            .map_err(PyRecsysError)?
    } else {
        return Ok(false);
    };
    if !timestamp.is_exact_instance_of::<PyInt>() {
        return Ok(false);
    }
    let Ok(timestamp) = timestamp.extract::<i64>() else {
        return Ok(false);
    };
    events.push(item, feedback, timestamp);
    Ok(true)
}

/// A request history straight from Python: a `list` or `tuple` of plain rows (see
/// [`push_plain_event`]) with the favourites, or `None` when a row needs Python's conversion.
/// Feedback names are parsed by the core as usual (an unknown kind is an error).
fn plain_history(
    history: &Bound<'_, PyAny>,
    favorite_genres: &[(String, f32)],
    favorite_people: &[(String, f32)],
) -> PyResult<Option<UserHistory>> {
    let mut events = UserHistory::new();
    if let Ok(list) = history.cast_exact::<PyList>() {
        for row in list.iter() {
            if !push_plain_event(&mut events, &row)? {
                return Ok(None);
            }
        }
    } else if let Ok(tuple) = history.cast_exact::<PyTuple>() {
        for row in tuple.iter() {
            if !push_plain_event(&mut events, &row)? {
                return Ok(None);
            }
        }
    } else {
        return Ok(None);
    }
    for (genre, weight) in favorite_genres {
        events = events.with_weighted_favorite_genre(genre, *weight);
    }
    for (person, weight) in favorite_people {
        events = events.with_weighted_favorite_person(person, *weight);
    }
    Ok(Some(events))
}

/// A request history ready for the core (see `RecommenderModel.history`).
#[pyclass(module = "recsys._recsys", name = "History", frozen)]
pub struct PyHistory {
    events: UserHistory,
}

/// The answer to one request, kept in the core's form: Python reads the ids and scores at
/// once, and each item's reasons (as dicts) and sentence only when asked.
#[pyclass(module = "recsys._recsys", name = "Results", frozen)]
pub struct PyResults {
    items: Vec<Recommendation>,
    unknown: Unknown,
}

impl PyResults {
    fn get(&self, index: usize) -> PyResult<&Recommendation> {
        self.items.get(index).ok_or_else(|| {
            PyIndexError::new_err(format!(
                "result {index} out of range ({} items)",
                self.items.len()
            ))
        })
    }
}

#[pymethods]
impl PyResults {
    fn __len__(&self) -> usize {
        self.items.len()
    }

    /// The recommended item ids, best first.
    #[getter]
    fn item_ids(&self) -> Vec<String> {
        self.items.iter().map(|r| r.item_id.clone()).collect()
    }

    /// The scores, best first.
    #[getter]
    fn scores(&self) -> Vec<f32> {
        self.items.iter().map(|r| r.score).collect()
    }

    /// The items' catalogue titles (None where there is none), best first.
    #[getter]
    fn titles(&self) -> Vec<Option<String>> {
        self.items.iter().map(|r| r.title.clone()).collect()
    }

    /// Item ids of the history, candidates and exclusions the recommender did not know
    /// (sorted, deduplicated).
    #[getter]
    fn unknown_ids(&self) -> Vec<String> {
        self.unknown.ids.clone()
    }

    /// Genres of the filter and favourites that no item has (sorted, deduplicated).
    #[getter]
    fn unknown_genres(&self) -> Vec<String> {
        self.unknown.genres.clone()
    }

    /// Tags of the filter that no item has (sorted, deduplicated).
    #[getter]
    fn unknown_tags(&self) -> Vec<String> {
        self.unknown.tags.clone()
    }

    /// Person ids of the filter and favourites the catalogue does not credit (sorted,
    /// deduplicated).
    #[getter]
    fn unknown_people(&self) -> Vec<String> {
        self.unknown.people.clone()
    }

    /// The whole answer as Python objects in one call: an instance of `cls` (the
    /// `Recommendations` dataclass) holding `items`, one instance of `item_cls` per item (best
    /// first), and the unknown names and titles. Both are made without calling `__init__` (as
    /// `object.__new__`), their fields written to `__dict__`; each item has `item_id`, `score`,
    /// `_results` (these results) and `_index`: the lazy items of `recsys.recommender`, whose
    /// reasons and sentence are converted when read.
    fn recommendations<'py>(
        slf: &Bound<'py, Self>,
        cls: &Bound<'py, PyType>,
        item_cls: &Bound<'py, PyType>,
    ) -> PyResult<Bound<'py, PyAny>> {
        static NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let py = slf.py();
        let new = NEW
            .get_or_try_init(py, || {
                py.import(intern!(py, "builtins"))?
                    .getattr(intern!(py, "object"))?
                    .getattr(intern!(py, "__new__"))
                    .map(Bound::unbind)
            })?
            .bind(py);
        // An instance of `cls` made without `__init__`, and its `__dict__` to fill.
        let instance =
            |cls: &Bound<'py, PyType>| -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
                let object = new.call1((cls,))?;
                let fields = object
                    .getattr(intern!(py, "__dict__"))?
                    .cast_into::<PyDict>()?;
                Ok((object, fields))
            };
        let this = slf.get();
        let items = PyList::empty(py);
        for (index, rec) in this.items.iter().enumerate() {
            let (item, fields) = instance(item_cls)?;
            fields.set_item(intern!(py, "item_id"), &rec.item_id)?;
            fields.set_item(intern!(py, "score"), rec.score)?;
            fields.set_item(intern!(py, "_results"), slf)?;
            fields.set_item(intern!(py, "_index"), index)?;
            items.append(item)?;
        }
        let (answer, fields) = instance(cls)?;
        fields.set_item(intern!(py, "items"), items)?;
        fields.set_item(intern!(py, "unknown_ids"), &this.unknown.ids)?;
        fields.set_item(intern!(py, "unknown_genres"), &this.unknown.genres)?;
        fields.set_item(intern!(py, "unknown_tags"), &this.unknown.tags)?;
        fields.set_item(intern!(py, "unknown_people"), &this.unknown.people)?;
        fields.set_item(intern!(py, "titles"), this.titles())?;
        Ok(answer)
    }

    /// Item `index`'s reasons in the core's serde shape (a list of dicts).
    fn reasons<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyAny>> {
        Ok(pythonize(py, &self.get(index)?.reasons)?)
    }

    /// Item `index`'s reasons as one sentence.
    fn explanation(&self, index: usize) -> PyResult<String> {
        let rec = self.get(index)?;
        Ok(rec.explanation.clone().unwrap_or_else(|| rec.sentence()))
    }
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
    /// The model's genres, tags and people, built by the first request that needs them.
    vocabulary: std::sync::OnceLock<Vocabulary>,
}

impl PyRecommender {
    fn new(model: Recommender) -> Self {
        Self {
            model,
            vocabulary: std::sync::OnceLock::new(),
        }
    }

    fn vocabulary(&self) -> &Vocabulary {
        self.vocabulary.get_or_init(|| Vocabulary::of(&self.model))
    }
}

#[pymethods]
impl PyRecommender {
    /// Trains the hybrid from events `(user_id, item_id, feedback, timestamp)` and catalog rows
    /// `(item_id, title, year, genres, tags, people)`; the GIL is released while training.
    /// `als` is `(factors, regularization, alpha, iterations, seed)`; `policy`, `blend` and
    /// `ratings` are the core's settings by name (dicts; None: defaults, or no rating model for
    /// `ratings`); `progress(iteration, iterations, seconds, loss)` is called after every ALS
    /// iteration and `stages(stage, done, total)` after every stage of training (the first
    /// exception either raises is raised after training); `embeddings` is
    /// `(item_ids, float32 rows, weight)`; `als_item_factors` is `(item_ids, float32 rows)` of
    /// ALS item factors trained elsewhere (e.g. Spark), used instead of fitting ALS.
    #[staticmethod]
    #[pyo3(signature = (events, catalog, als, policy, blend, ratings, num_threads, progress=None, embeddings=None, stages=None, als_item_factors=None))]
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
        stages: Option<Py<PyAny>>,
        als_item_factors: ItemFactorArgs<'_>,
    ) -> PyResult<Self> {
        let settings = FitSettings::parse(
            als,
            policy.as_ref(),
            blend.as_ref(),
            ratings.as_ref(),
            num_threads,
            embeddings,
            als_item_factors,
        )
        .map_err(PyRecsysError)?;
        let model = settings.fit(py, progress, stages, || dataset_of(&events, &catalog))?;
        Ok(Self::new(model))
    }

    /// Trains the hybrid on a RecBole-format dataset `directory/name.{inter,item,kg,link}`
    /// read by the core's loader (e.g. MovieLens-100K); the GIL is released throughout. The
    /// settings are those of `fit`.
    #[staticmethod]
    #[pyo3(signature = (directory, name, als, policy, blend, ratings, num_threads, progress=None, embeddings=None, stages=None, als_item_factors=None))]
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
        stages: Option<Py<PyAny>>,
        als_item_factors: ItemFactorArgs<'_>,
    ) -> PyResult<Self> {
        let settings = FitSettings::parse(
            als,
            policy.as_ref(),
            blend.as_ref(),
            ratings.as_ref(),
            num_threads,
            embeddings,
            als_item_factors,
        )
        .map_err(PyRecsysError)?;
        let model = settings.fit(py, progress, stages, || load_recbole_dir(&directory, name))?;
        Ok(Self::new(model))
    }

    /// The request history of `rows` (a list or tuple of `(item_id, feedback, timestamp)`
    /// with a `str` id, a `float`/`int` rating or `str` kind and an `int` timestamp) and the
    /// favourites, or None when a row is of another shape or type (then convert the rows in
    /// Python and call again).
    #[staticmethod]
    fn history(
        rows: &Bound<'_, PyAny>,
        favorite_genres: Vec<(String, f32)>,
        favorite_people: Vec<(String, f32)>,
    ) -> PyResult<Option<PyHistory>> {
        Ok(plain_history(rows, &favorite_genres, &favorite_people)?
            .map(|events| PyHistory { events }))
    }

    /// One list for `history` (from `history`) and `query` (a dict of the core's `Query`
    /// shape: `list`, `n`, `filters`, `diversity`), answered with the GIL released. Sentences
    /// are rendered when read (`Results.explanation`). Unknown names are reported by kind
    /// (see `crate::vocabulary`).
    fn recommend(
        &self,
        py: Python<'_>,
        history: &PyHistory,
        query: Bound<'_, PyAny>,
    ) -> PyResult<PyResults> {
        let mut query: Query = parse("query", &query).map_err(PyRecsysError)?;
        let events = &history.events;
        let (recs, unknown) = py
            .detach(|| {
                let mut unknown = prepare(self.vocabulary(), &mut query, events, &self.model);
                let recs = self.model.recommend(events, &query)?;
                sort_reported(&mut unknown, recs.unknown_ids, &query, events);
                Ok::<_, Error>((recs.items, unknown))
            })
            .map_err(PyRecsysError)?;
        Ok(PyResults {
            items: recs,
            unknown,
        })
    }

    /// Items for a natural-language `query` (the core's `Recommender::discover`), answered
    /// with the GIL released: the results (like `recommend`'s) and the query as read (a dict:
    /// genres, years, people, like-titles, moods, words, …).
    fn discover<'py>(
        &self,
        py: Python<'py>,
        history: &PyHistory,
        query: &str,
        n: usize,
    ) -> PyResult<(PyResults, Bound<'py, PyAny>)> {
        let events = &history.events;
        let found = py
            .detach(|| self.model.discover(events, query, n))
            .map_err(PyRecsysError)?;
        let read = pythonize(py, &found.query)?;
        Ok((
            PyResults {
                items: found.items,
                unknown: Unknown {
                    ids: found.unknown_ids,
                    ..Unknown::default()
                },
            },
            read,
        ))
    }

    /// Benchmark support (not API): the request `recommend` would make for this history and
    /// query, answered `repeats` times by the core alone (no conversion either way, GIL
    /// released), returning each call's seconds. `scripts/bench_python.py` prints it beside the Python
    /// call. The query is timed as given (sentences only if it says `explain`).
    fn _bench_core(
        &self,
        py: Python<'_>,
        history: &PyHistory,
        query: Bound<'_, PyAny>,
        repeats: usize,
    ) -> PyResult<Vec<f64>> {
        let query: Query = parse("query", &query).map_err(PyRecsysError)?;
        let events = &history.events;
        py.detach(|| {
            (0..repeats)
                .map(|_| {
                    let start = std::time::Instant::now();
                    let recs = self.model.recommend(events, &query)?;
                    let seconds = start.elapsed().as_secs_f64();
                    std::hint::black_box(recs);
                    Ok(seconds)
                })
                .collect::<Result<Vec<f64>, Error>>()
        })
        .map_err(|err| PyRecsysError(err).into())
    }

    /// Predicted ratings of the history's user for `items` (the history's ratings folded into
    /// the explicit model), as a `float32` array, NaN for an item the recommender does not
    /// know; the GIL is released.
    fn predict_ratings<'py>(
        &self,
        py: Python<'py>,
        history: Vec<HistoryRow>,
        items: Vec<String>,
    ) -> PyResult<Bound<'py, PyArray1<f32>>> {
        let events = history_of(&history, &[], &[]).map_err(PyRecsysError)?;
        let predictions = py
            .detach(|| {
                let known: Vec<&str> = items
                    .iter()
                    .map(String::as_str)
                    .filter(|id| self.model.contains(id))
                    .collect();
                let mut known = self.model.predict_ratings(&events, &known)?.into_iter();
                Ok::<_, Error>(
                    items
                        .iter()
                        .map(|id| {
                            if self.model.contains(id) {
                                known.next().unwrap_or(f32::NAN)
                            } else {
                                f32::NAN
                            }
                        })
                        .collect::<Vec<f32>>(),
                )
            })
            .map_err(PyRecsysError)?;
        Ok(PyArray1::from_vec(py, predictions))
    }

    /// Whether `item_id` is an item of the recommender.
    fn contains(&self, item_id: &str) -> bool {
        self.model.contains(item_id)
    }

    /// Every item id, in the recommender's order.
    #[getter]
    fn item_ids(&self) -> Vec<String> {
        self.model.item_ids().map(str::to_string).collect()
    }

    /// Every genre of the catalogue, sorted.
    #[getter]
    fn genres(&self) -> Vec<String> {
        self.model
            .genres()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Every tag of the catalogue, sorted (one spelling per case-insensitive tag).
    #[getter]
    fn tags(&self) -> Vec<String> {
        self.model.tags().into_iter().map(str::to_string).collect()
    }

    /// Every person id of the catalogue.
    #[getter]
    fn person_ids(&self) -> Vec<String> {
        self.model.person_ids().map(str::to_string).collect()
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
        Ok(Self::new(Recommender::from_bytes(data)?))
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
        Ok(Self::new(model))
    }

    /// Reads `filename` of the Hub model repository `repo_id` at `revision` through the core's
    /// Hub client (cache, `HF_*` variables, errors: `recsys_core::artifact::hub`).
    #[staticmethod]
    #[pyo3(signature = (repo_id, revision, filename, token=None, local_files_only=false))]
    fn from_hub(
        py: Python<'_>,
        repo_id: &str,
        revision: &str,
        filename: &str,
        token: Option<String>,
        local_files_only: bool,
    ) -> CoreResult<Self> {
        let hub = crate::hub::client(token, local_files_only)?;
        let model = py.detach(|| hub.load::<Recommender>(repo_id, revision, filename))?;
        Ok(Self::new(model))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let bytes = slf.borrow().to_bytes(py)?;
        let constructor = slf.get_type().getattr("from_bytes")?;
        PyTuple::new(py, [constructor, PyTuple::new(py, [bytes])?.into_any()])
    }
}
