//! The hybrid recommender (`recsys.Recommender`): events and catalog rows in, lists with
//! reasons out. Conversion only; every decision is the core's `recommender` module.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};
use recsys_core::artifact::Artifact;
use recsys_core::data::loaders::recbole::load_recbole_dir;
use recsys_core::data::{Dataset, Feedback};
use recsys_core::explain::Reason;
use recsys_core::models::als::AlsConfig;
use recsys_core::recommender::{
    Filters, List, Query, Recommender, RecommenderBuilder, UserHistory,
};
use recsys_core::Error;

use crate::error::{CoreResult, PyRecsysError};
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
/// One catalog row: `(item_id, title, year, genres, tags)`.
type CatalogRow = (
    String,
    Option<String>,
    Option<i32>,
    Vec<String>,
    Vec<String>,
);
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
    for (item, title, year, genres, tags) in catalog {
        if item.is_empty() {
            return Err(Error::EmptyInput {
                what: "catalog item_id".into(),
            });
        }
        let (_, info) = dataset.item_info_mut(item);
        info.title = title.clone();
        info.year = *year;
        for genre in genres {
            info.add_genre(genre);
        }
        for tag in tags {
            info.add_tag(tag);
        }
    }
    Ok(dataset)
}

/// The core's builder with these ALS settings and every other default.
fn builder_of(
    factors: usize,
    regularization: f32,
    alpha: f32,
    iterations: usize,
    seed: u64,
) -> RecommenderBuilder {
    RecommenderBuilder::new().als(
        AlsConfig::new()
            .factors(factors)
            .regularization(regularization)
            .alpha(alpha)
            .iterations(iterations)
            .seed(seed),
    )
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
    /// `(item_id, title, year, genres, tags)`; the GIL is released while training.
    #[staticmethod]
    #[pyo3(signature = (events, catalog, factors, regularization, alpha, iterations, seed, num_threads))]
    #[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments one to one
    fn fit(
        py: Python<'_>,
        events: Vec<EventRow>,
        catalog: Vec<CatalogRow>,
        factors: usize,
        regularization: f32,
        alpha: f32,
        iterations: usize,
        seed: u64,
        num_threads: usize,
    ) -> PyResult<Self> {
        let builder = builder_of(factors, regularization, alpha, iterations, seed);
        let model = detached(py, num_threads, || {
            dataset_of(&events, &catalog).and_then(|dataset| builder.fit(&dataset))
        })?
        .map_err(PyRecsysError)?;
        Ok(Self { model })
    }

    /// Trains the hybrid on a RecBole-format dataset `directory/name.{inter,item,kg,link}`
    /// read by the core's loader (e.g. MovieLens-100K); the GIL is released throughout.
    #[staticmethod]
    #[pyo3(signature = (directory, name, factors, regularization, alpha, iterations, seed, num_threads))]
    #[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments one to one
    fn fit_recbole(
        py: Python<'_>,
        directory: std::path::PathBuf,
        name: &str,
        factors: usize,
        regularization: f32,
        alpha: f32,
        iterations: usize,
        seed: u64,
        num_threads: usize,
    ) -> PyResult<Self> {
        let builder = builder_of(factors, regularization, alpha, iterations, seed);
        let model = detached(py, num_threads, || {
            load_recbole_dir(&directory, name).and_then(|dataset| builder.fit(&dataset))
        })?
        .map_err(PyRecsysError)?;
        Ok(Self { model })
    }

    /// One list for `history` (`(item_id, feedback, timestamp)` events): `(results,
    /// unknown_ids)` with results `(item_id, score, reasons, explanation)`.
    #[pyo3(signature = (history, n, list, item, genre, genres, years, tags, exclude_seen, exclude_disliked, exclude, candidates, diversity))]
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
        exclude_seen: bool,
        exclude_disliked: bool,
        exclude: Vec<String>,
        candidates: Option<Vec<String>>,
        diversity: Option<f32>,
    ) -> PyResult<(Vec<ResultRow<'py>>, Vec<String>)> {
        let mut events = UserHistory::new();
        for (item, feedback, timestamp) in &history {
            // An invalid feedback value (a NaN rating) is the core's to report, not to raise:
            // a NaN rating is passed on as such.
            let feedback = match feedback {
                FeedbackArg::Rating(value) => Feedback::Rating(*value as f32),
                FeedbackArg::Kind(_) => feedback.to_feedback().map_err(PyRecsysError)?,
            };
            events.push(item, feedback, *timestamp);
        }
        let mut query = Query::new(list_of(list, item, genre).map_err(PyRecsysError)?)
            .n(n)
            .filters(Filters {
                genres,
                years,
                tags,
                exclude_seen,
                exclude_disliked,
                exclude,
                candidates,
                ..Filters::default()
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
