//! `recsys._recsys.AlsModel`: the core [`AlsModel`] behind `recsys.als.AlternatingLeastSquares`.
//!
//! Each method converts its arguments, makes one core call (with the GIL released when the call
//! can take long) and converts the result back; argument juggling in `implicit`'s style (scalar
//! or array ids, `items=` vs `filter_items=`) happens in the Python class.

use std::sync::Arc;

use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use recsys_core::artifact::{self, Artifact};
use recsys_core::models::als::{AlsConfig, AlsModel, Side, Solver, UserWeights};
use recsys_core::models::{History, TopN};
use recsys_core::Error;

use crate::convert::{list_to_numpy, lists_to_numpy, Csr, Indices, List, Lists};
use crate::error::CoreResult;
use crate::threads::detached;

/// What `recsys.als.AlternatingLeastSquares.save` writes: the class's constructor settings (a
/// JSON object, read by the Python class) and the model when fitted, as one checksummed
/// artifact of kind [`SavedAls::KIND`]. The model inside is the core's own, so
/// `SavedAls.model` is what a plain `als` artifact holds.
#[derive(serde::Deserialize)]
struct SavedAls {
    settings: String,
    model: Option<AlsModel>,
}

/// [`SavedAls`] for writing, borrowing the model (same serde layout).
#[derive(serde::Serialize)]
struct SavedAlsRef<'a> {
    settings: &'a str,
    model: Option<&'a AlsModel>,
}

impl SavedAls {
    const KIND: &'static str = "als-python";

    /// Decodes either kind of file: a Python save (settings and maybe a model) or a core
    /// `als` artifact (no settings).
    fn decode(bytes: &[u8]) -> Result<(Option<String>, Option<AlsModel>), Error> {
        if artifact::inspect(bytes)?.kind == AlsModel::KIND {
            return Ok((None, Some(AlsModel::from_bytes(bytes)?)));
        }
        let saved: SavedAls = artifact::from_bytes(Self::KIND, bytes)?;
        if let Some(model) = &saved.model {
            model.check_invariants()?;
        }
        Ok((Some(saved.settings), saved.model))
    }

    fn encode(settings: &str, model: Option<&AlsModel>) -> Result<Vec<u8>, Error> {
        if let Some(model) = model {
            model.check_invariants()?;
        }
        artifact::to_bytes(Self::KIND, &SavedAlsRef { settings, model })
    }
}

/// What a saved file holds: the settings (None for a core `als` artifact) and the model.
type Saved = (Option<String>, Option<PyAlsModel>);

fn saved_to_python((settings, model): (Option<String>, Option<AlsModel>)) -> Saved {
    (
        settings,
        model.map(|model| PyAlsModel {
            model: Arc::new(model),
        }),
    )
}

/// Checks ALS settings as `AlsModel.fit` would (factors, regularization, alpha, solver), for
/// `iterations=0`, which never calls the core's fit.
#[pyfunction]
pub fn als_check_settings(
    factors: usize,
    regularization: f32,
    alpha: f32,
    cg_steps: usize,
) -> CoreResult<()> {
    let solver = match cg_steps {
        0 => Solver::Cholesky,
        steps => Solver::ConjugateGradient { steps },
    };
    Ok(AlsConfig::new()
        .factors(factors)
        .regularization(regularization)
        .alpha(alpha)
        .solver(solver)
        .validate()?)
}

/// `AlternatingLeastSquares.save`'s bytes: `settings` (JSON) and `model` (None: unfitted).
#[pyfunction]
#[pyo3(signature = (settings, model=None))]
pub fn als_to_bytes<'py>(
    py: Python<'py>,
    settings: &str,
    model: Option<PyRef<'py, PyAlsModel>>,
) -> CoreResult<Bound<'py, PyBytes>> {
    let bytes = SavedAls::encode(settings, model.as_deref().map(|m| &*m.model))?;
    Ok(PyBytes::new(py, &bytes))
}

/// Writes [`als_to_bytes`]'s bytes to `path` atomically.
#[pyfunction]
#[pyo3(signature = (path, settings, model=None))]
pub fn als_save(
    py: Python<'_>,
    path: std::path::PathBuf,
    settings: &str,
    model: Option<PyRef<'_, PyAlsModel>>,
) -> CoreResult<()> {
    let model = model.as_deref().map(|m| Arc::clone(&m.model));
    py.detach(|| {
        let bytes = SavedAls::encode(settings, model.as_deref())?;
        artifact::write_atomic(&path, &bytes)
    })?;
    Ok(())
}

/// `(settings JSON or None, model or None)` from the bytes of `als_to_bytes` or of a core
/// `als` artifact.
#[pyfunction]
pub fn als_from_bytes(data: &[u8]) -> CoreResult<Saved> {
    Ok(saved_to_python(SavedAls::decode(data)?))
}

/// [`als_from_bytes`] of the file at `path`.
#[pyfunction]
pub fn als_load(py: Python<'_>, path: std::path::PathBuf) -> CoreResult<Saved> {
    let decoded = py.detach(|| {
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        SavedAls::decode(&bytes)
    })?;
    Ok(saved_to_python(decoded))
}

/// What `explain` returns: score, top contributions, user weights.
type Explained<'py> = (f64, Vec<(u32, f64)>, Bound<'py, PyArray2<f64>>);

/// A trained implicit-feedback ALS model (see `recsys.als.AlternatingLeastSquares`).
#[pyclass(module = "recsys._recsys", name = "AlsModel")]
///
/// The model sits behind an [`Arc`] so the factor getters can hand out numpy views of it
/// without copying: each view keeps a [`FactorsOwner`] sharing the model alive, and the methods
/// that change factors (`partial_fit_*`) go through [`Arc::make_mut`], which copies the model
/// first whenever a view still shares it. A view therefore never sees its memory move or change.
pub struct PyAlsModel {
    model: Arc<AlsModel>,
}

/// The owner (numpy `base`) of factor views: a model that is never mutated again.
#[pyclass(module = "recsys._recsys", frozen)]
pub struct FactorsOwner {
    model: Arc<AlsModel>,
}

/// A Python-facing id: negative ids are out of range (not "from the end" as numpy would read).
fn index(value: i64, what: &'static str, len: usize) -> Result<u32, Error> {
    match u32::try_from(value) {
        Ok(v) if (v as usize) < len => Ok(v),
        _ => Err(Error::IndexOutOfRange {
            what,
            index: usize::try_from(value).unwrap_or(usize::MAX),
            len,
        }),
    }
}

fn side_of(name: &str) -> Result<Side, Error> {
    match name {
        "users" => Ok(Side::Users),
        "items" => Ok(Side::Items),
        other => Err(Error::invalid(
            "side",
            format!("expected 'users' or 'items', got {other:?}"),
        )),
    }
}

/// Optional exclusion / candidate lists, checked against `len`.
fn id_list(ids: Option<&Indices<'_>>, what: &'static str, len: usize) -> CoreResult<Vec<u32>> {
    Ok(match ids {
        Some(ids) => ids.to_u32(what, len)?,
        None => Vec::new(),
    })
}

impl PyAlsModel {
    fn rows_of(&self, side: Side) -> usize {
        match side {
            Side::Users => self.model.n_users(),
            Side::Items => self.model.n_items(),
        }
    }
}

impl PyAlsModel {
    /// A read-only numpy view of one side's factors, borrowing the model's memory.
    #[allow(unsafe_code)] // rust-numpy's zero-copy view of Rust memory; see SAFETY below
    fn factors_view<'py>(
        &self,
        py: Python<'py>,
        side: Side,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let owner = Bound::new(
            py,
            FactorsOwner {
                model: Arc::clone(&self.model),
            },
        )?;
        let model = &owner.get().model;
        let factors = match side {
            Side::Users => model.user_factors(),
            Side::Items => model.item_factors(),
        };
        // SAFETY: the view's memory belongs to the model `owner` shares, and `owner` becomes
        // the array's base, so the memory lives as long as the array. No one mutates that
        // model again: the only mutations go through `Arc::make_mut`, which copies a shared
        // model. The array is made read-only before Python sees it.
        let array = unsafe { PyArray2::borrow_from_array(&factors, owner.clone().into_any()) };
        array.getattr("flags")?.setattr("writeable", false)?;
        Ok(array)
    }
}

#[pymethods]
impl PyAlsModel {
    /// Trains a model; `progress(iteration, iterations, seconds, loss)` is called after each
    /// iteration (`loss` is None unless `track_loss`). `cg_steps = 0` selects the exact
    /// Cholesky solver.
    #[staticmethod]
    #[pyo3(signature = (user_items, factors, regularization, alpha, iterations, cg_steps, seed, num_threads, progress=None, track_loss=false))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        user_items: Csr<'_>,
        factors: usize,
        regularization: f32,
        alpha: f32,
        iterations: usize,
        cg_steps: usize,
        seed: u64,
        num_threads: usize,
        progress: Option<Py<PyAny>>,
        track_loss: bool,
    ) -> PyResult<Self> {
        let matrix = user_items
            .to_interactions()
            .map_err(crate::error::PyRecsysError)?;
        let solver = match cg_steps {
            0 => Solver::Cholesky,
            steps => Solver::ConjugateGradient { steps },
        };
        let config = AlsConfig::new()
            .factors(factors)
            .regularization(regularization)
            .alpha(alpha)
            .iterations(iterations)
            .solver(solver)
            .seed(seed)
            .track_loss(track_loss && progress.is_some());
        let (config, failure) = crate::progress::relay(config, progress);
        let model = detached(py, num_threads, || config.fit(&matrix))?
            .map_err(crate::error::PyRecsysError)?;
        failure.raise()?;
        Ok(Self {
            model: Arc::new(model),
        })
    }

    /// A model from factor matrices (`float32`, `n × k`).
    #[staticmethod]
    fn from_factors(
        user_factors: PyReadonlyArray2<'_, f32>,
        item_factors: PyReadonlyArray2<'_, f32>,
        regularization: f32,
        alpha: f32,
    ) -> CoreResult<Self> {
        let model = AlsModel::from_factors(
            regularization,
            alpha,
            user_factors.as_array(),
            item_factors.as_array(),
        )?;
        Ok(Self {
            model: Arc::new(model),
        })
    }

    /// Decodes an artifact made by `to_bytes`.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> CoreResult<Self> {
        Ok(Self {
            model: Arc::new(AlsModel::from_bytes(data)?),
        })
    }

    /// The model as a versioned, checksummed artifact.
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
        let model = py.detach(|| AlsModel::load(&path))?;
        Ok(Self {
            model: Arc::new(model),
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let bytes = slf.borrow().to_bytes(py)?;
        let constructor = slf.get_type().getattr("from_bytes")?;
        PyTuple::new(py, [constructor, PyTuple::new(py, [bytes])?.into_any()])
    }

    /// Latent dimensions.
    #[getter]
    fn factors(&self) -> usize {
        self.model.factors()
    }

    /// Users with factors.
    #[getter]
    fn n_users(&self) -> usize {
        self.model.n_users()
    }

    /// Items with factors.
    #[getter]
    fn n_items(&self) -> usize {
        self.model.n_items()
    }

    /// Ridge penalty λ.
    #[getter]
    fn regularization(&self) -> f32 {
        self.model.regularization()
    }

    /// Confidence multiplier.
    #[getter]
    fn alpha(&self) -> f32 {
        self.model.alpha()
    }

    /// The user factors (`n_users × k`, `float32`): a read-only view of the model's memory,
    /// no copy. It keeps showing these factors after `partial_fit_users` (which then copies).
    #[getter]
    fn user_factors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        self.factors_view(py, Side::Users)
    }

    /// The item factors (`n_items × k`, `float32`): a read-only view, as `user_factors`.
    #[getter]
    fn item_factors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        self.factors_view(py, Side::Items)
    }

    /// Top-`n` for one user from `user_items` (a 1-row CSR: the user's history). `user = None`
    /// folds the history in instead of using the cached factors.
    #[pyo3(signature = (user, user_items, n, exclude_seen, exclude=None, candidates=None))]
    #[allow(clippy::too_many_arguments)]
    fn recommend<'py>(
        &self,
        py: Python<'py>,
        user: Option<i64>,
        user_items: Csr<'py>,
        n: usize,
        exclude_seen: bool,
        exclude: Option<Indices<'py>>,
        candidates: Option<Indices<'py>>,
    ) -> CoreResult<List<'py>> {
        let n_items = self.model.n_items();
        let user = user
            .map(|u| index(u, "user", self.model.n_users()))
            .transpose()?;
        let history = user_items.to_interactions()?;
        if history.n_users() != 1 {
            return Err(Error::DimensionMismatch {
                context: "user_items rows for one user".into(),
                expected: 1,
                got: history.n_users(),
            }
            .into());
        }
        let exclude = id_list(exclude.as_ref(), "filtered item", n_items)?;
        let candidates = candidates
            .map(|c| c.to_u32("candidate item", n_items))
            .transpose()?;
        let query = TopN {
            n,
            exclude_seen,
            exclude: &exclude,
            candidates: candidates.as_deref(),
        };
        let (items, values) = history.row(0);
        let list = self
            .model
            .recommend(user, History::new(items, values), &query)?;
        Ok(list_to_numpy(py, &list))
    }

    /// Top-`n` for many users (row `r` of `user_items` ↔ `users[r]`), as `rows × width`
    /// arrays padded with id -1 / score -inf.
    #[pyo3(signature = (users, user_items, n, exclude_seen, exclude=None, candidates=None, recalculate=false, num_threads=0))]
    #[allow(clippy::too_many_arguments)]
    fn recommend_many<'py>(
        &self,
        py: Python<'py>,
        users: Indices<'py>,
        user_items: Csr<'py>,
        n: usize,
        exclude_seen: bool,
        exclude: Option<Indices<'py>>,
        candidates: Option<Indices<'py>>,
        recalculate: bool,
        num_threads: usize,
    ) -> PyResult<Lists<'py>> {
        let n_items = self.model.n_items();
        let user_bound = if recalculate {
            u32::MAX as usize
        } else {
            self.model.n_users()
        };
        let prepared = (|| -> CoreResult<_> {
            let users = users.to_u32("user", user_bound)?;
            let matrix = user_items.to_interactions()?;
            let exclude = id_list(exclude.as_ref(), "filtered item", n_items)?;
            let candidates = candidates
                .map(|c| c.to_u32("candidate item", n_items))
                .transpose()?;
            Ok((users, matrix, exclude, candidates))
        })();
        let (users, matrix, exclude, candidates) = prepared?;
        let width = n.min(candidates.as_ref().map_or(n_items, Vec::len));
        let query = TopN {
            n,
            exclude_seen,
            exclude: &exclude,
            candidates: candidates.as_deref(),
        };
        let lists = detached(py, num_threads, || {
            self.model
                .recommend_many(&users, &matrix, &query, recalculate)
        })?
        .map_err(crate::error::PyRecsysError)?;
        lists_to_numpy(py, &lists, width)
    }

    /// The training objective on `user_items` (normalised as `implicit`'s `calculate_loss`).
    #[pyo3(signature = (user_items, num_threads=0))]
    fn loss(&self, py: Python<'_>, user_items: Csr<'_>, num_threads: usize) -> PyResult<f64> {
        let matrix = user_items
            .to_interactions()
            .map_err(crate::error::PyRecsysError)?;
        Ok(detached(py, num_threads, || self.model.loss(&matrix))?
            .map_err(crate::error::PyRecsysError)?)
    }

    /// Folds in each row of `user_items` (users × items): `rows × k` factors.
    fn recalculate_users<'py>(
        &self,
        py: Python<'py>,
        user_items: Csr<'py>,
    ) -> CoreResult<Bound<'py, PyArray2<f32>>> {
        self.fold_in(py, user_items, Side::Items)
    }

    /// Folds in each row of `item_users` (items × users): `rows × k` factors.
    fn recalculate_items<'py>(
        &self,
        py: Python<'py>,
        item_users: Csr<'py>,
    ) -> CoreResult<Bound<'py, PyArray2<f32>>> {
        self.fold_in(py, item_users, Side::Users)
    }

    /// Re-solves the factors of `users` from their rows in `user_items`, growing the model for
    /// new ids.
    fn partial_fit_users(
        &mut self,
        py: Python<'_>,
        users: Indices<'_>,
        user_items: Csr<'_>,
    ) -> CoreResult<()> {
        let users = users.to_u32("user", u32::MAX as usize)?;
        let rows = user_items.to_interactions()?;
        let model = Arc::make_mut(&mut self.model);
        Ok(py.detach(|| model.partial_fit_users(&users, &rows))?)
    }

    /// Re-solves the factors of `items` from their rows in `item_users`, growing the model for
    /// new ids.
    fn partial_fit_items(
        &mut self,
        py: Python<'_>,
        items: Indices<'_>,
        item_users: Csr<'_>,
    ) -> CoreResult<()> {
        let items = items.to_u32("item", u32::MAX as usize)?;
        let rows = item_users.to_interactions()?;
        let model = Arc::make_mut(&mut self.model);
        Ok(py.detach(|| model.partial_fit_items(&items, &rows))?)
    }

    /// Cosine neighbours on `side` ("users" or "items") of row `index`, or of `vector` when
    /// given.
    #[pyo3(signature = (side, index, vector, n, exclude=None, candidates=None))]
    #[allow(clippy::too_many_arguments)]
    fn similar<'py>(
        &self,
        py: Python<'py>,
        side: &str,
        index: Option<i64>,
        vector: Option<PyReadonlyArray1<'py, f32>>,
        n: usize,
        exclude: Option<Indices<'py>>,
        candidates: Option<Indices<'py>>,
    ) -> CoreResult<List<'py>> {
        let side = side_of(side)?;
        let rows = self.rows_of(side);
        let exclude = id_list(exclude.as_ref(), "filtered id", rows)?;
        let candidates = candidates
            .map(|c| c.to_u32("candidate id", rows))
            .transpose()?;
        let query = TopN {
            n,
            exclude_seen: false,
            exclude: &exclude,
            candidates: candidates.as_deref(),
        };
        let list = match (index, vector) {
            (_, Some(vector)) => {
                let vector = vector.as_array().to_vec();
                self.model.similar_to_vector(side, &vector, &query)?
            }
            (Some(index), None) => {
                let what = if side == Side::Users { "user" } else { "item" };
                let index = self::index(index, what, rows)?;
                self.model.similar(side, index, &query)?
            }
            (None, None) => return Err(Error::invalid("index", "give an index or a vector").into()),
        };
        Ok(list_to_numpy(py, &list))
    }

    /// Cosine neighbours of many rows (`indices`) or vectors (`vectors`, `rows × k`), as
    /// `rows × width` arrays padded with -1 / -inf.
    #[pyo3(signature = (side, indices, vectors, n, exclude=None, candidates=None))]
    #[allow(clippy::too_many_arguments)]
    fn similar_many<'py>(
        &self,
        py: Python<'py>,
        side: &str,
        indices: Option<Indices<'py>>,
        vectors: Option<PyReadonlyArray2<'py, f32>>,
        n: usize,
        exclude: Option<Indices<'py>>,
        candidates: Option<Indices<'py>>,
    ) -> PyResult<Lists<'py>> {
        let prepared = (|| -> CoreResult<_> {
            let side = side_of(side)?;
            let rows = self.rows_of(side);
            let what = if side == Side::Users { "user" } else { "item" };
            let exclude = id_list(exclude.as_ref(), "filtered id", rows)?;
            let candidates = candidates
                .map(|c| c.to_u32("candidate id", rows))
                .transpose()?;
            let queries: Vec<Vec<f32>> = match (&indices, &vectors) {
                (_, Some(vectors)) => vectors
                    .as_array()
                    .rows()
                    .into_iter()
                    .map(|r| r.to_vec())
                    .collect(),
                (Some(indices), None) => {
                    let k = self.model.factors();
                    let factors = match side {
                        Side::Users => self.model.user_factors(),
                        Side::Items => self.model.item_factors(),
                    };
                    indices
                        .to_u32(what, rows)?
                        .iter()
                        .map(|&i| factors.row(i as usize).iter().take(k).copied().collect())
                        .collect()
                }
                (None, None) => {
                    return Err(Error::invalid("indices", "give indices or vectors").into())
                }
            };
            Ok((side, rows, exclude, candidates, queries))
        })();
        let (side, rows, exclude, candidates, queries) = prepared?;
        let width = n.min(candidates.as_ref().map_or(rows, Vec::len));
        let query = TopN {
            n,
            exclude_seen: false,
            exclude: &exclude,
            candidates: candidates.as_deref(),
        };
        let lists = py
            .detach(|| {
                queries
                    .iter()
                    .map(|v| self.model.similar_to_vector(side, v, &query))
                    .collect::<Result<Vec<_>, Error>>()
            })
            .map_err(crate::error::PyRecsysError)?;
        lists_to_numpy(py, &lists, width)
    }

    /// `(score, [(item, contribution)], weights)` for `item` and the history in `user_items`
    /// (1 row); `weights` from an earlier call for the same history skips rebuilding them.
    #[pyo3(signature = (user_items, item, n, weights=None))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        user_items: Csr<'py>,
        item: i64,
        n: usize,
        weights: Option<PyReadonlyArray2<'py, f64>>,
    ) -> CoreResult<Explained<'py>> {
        let item = index(item, "item", self.model.n_items())?;
        let history = user_items.to_interactions()?;
        if history.n_users() != 1 {
            return Err(Error::DimensionMismatch {
                context: "user_items rows for one user".into(),
                expected: 1,
                got: history.n_users(),
            }
            .into());
        }
        let weights = weights
            .map(|w| {
                let w = w.as_array();
                if w.nrows() != w.ncols() {
                    return Err(Error::DimensionMismatch {
                        context: "user_weights (a square matrix)".into(),
                        expected: w.nrows(),
                        got: w.ncols(),
                    });
                }
                UserWeights::from_matrix(w.nrows(), w.iter().copied().collect())
            })
            .transpose()?;
        let (items, values) = history.row(0);
        let why = self
            .model
            .explain(History::new(items, values), item, n, weights.as_ref())?;
        let k = why.weights.k();
        let matrix = ndarray::Array2::from_shape_vec((k, k), why.weights.as_slice().to_vec())
            .map_err(|e| Error::invalid("user_weights", e))?;
        Ok((why.score, why.contributions, matrix.into_pyarray(py)))
    }
}

impl PyAlsModel {
    fn fold_in<'py>(
        &self,
        py: Python<'py>,
        rows: Csr<'py>,
        columns: Side,
    ) -> CoreResult<Bound<'py, PyArray2<f32>>> {
        let matrix = rows.to_interactions()?;
        let k = self.model.factors();
        let solved = py.detach(|| -> Result<Vec<f32>, Error> {
            let mut out = Vec::with_capacity(matrix.n_users() * k);
            for r in 0..matrix.n_users() {
                let (indices, values) = matrix.row(r);
                let history = History::new(indices, values);
                out.extend(match columns {
                    Side::Items => self.model.recalculate_user(history)?,
                    Side::Users => self.model.recalculate_item(history)?,
                });
            }
            Ok(out)
        })?;
        let array = ndarray::Array2::from_shape_vec((matrix.n_users(), k), solved)
            .map_err(|e| Error::invalid("factors", e))?;
        Ok(array.into_pyarray(py))
    }
}
