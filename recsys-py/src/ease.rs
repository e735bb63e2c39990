//! `recsys._recsys.EaseModel`: the core [`EaseModel`] behind `recsys.ease.EASE`.
//!
//! Each method converts its arguments, makes one core call (with the GIL released when the call
//! can take long) and converts the result back; `implicit`-style argument juggling happens in
//! the Python class.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use recsys_core::artifact::Artifact;
use recsys_core::models::ease::{EaseConfig, EaseInput, EaseModel, Overflow};
use recsys_core::models::{recommend, History, ItemScorer, TopN};
use recsys_core::Error;

use crate::convert::{list_to_numpy, lists_to_numpy, Csr, Indices, List, Lists};
use crate::error::CoreResult;
use crate::threads::detached;

/// A fitted EASE model (see `recsys.ease.EASE`).
#[pyclass(module = "recsys._recsys", name = "EaseModel", frozen)]
pub struct PyEaseModel {
    model: EaseModel,
}

/// Optional exclusion list, checked against `len`.
fn id_list(ids: Option<&Indices<'_>>, what: &'static str, len: usize) -> CoreResult<Vec<u32>> {
    Ok(match ids {
        Some(ids) => ids.to_u32(what, len)?,
        None => Vec::new(),
    })
}

#[pymethods]
impl PyEaseModel {
    /// Fits `B` on `user_items` (CSR parts). `neighbors = None` keeps every weight.
    #[staticmethod]
    #[pyo3(signature = (user_items, regularization, binary, max_items, most_popular, neighbors, num_threads))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        user_items: Csr<'_>,
        regularization: f32,
        binary: bool,
        max_items: usize,
        most_popular: bool,
        neighbors: Option<usize>,
        num_threads: usize,
    ) -> PyResult<Self> {
        let matrix = user_items
            .to_interactions()
            .map_err(crate::error::PyRecsysError)?;
        let config = EaseConfig::new()
            .lambda(regularization)
            .input(if binary {
                EaseInput::Binary
            } else {
                EaseInput::Values
            })
            .max_items(max_items)
            .overflow(if most_popular {
                Overflow::MostPopular
            } else {
                Overflow::Refuse
            })
            .neighbors(neighbors);
        let model = detached(py, num_threads, || config.fit(&matrix))?
            .map_err(crate::error::PyRecsysError)?;
        Ok(Self { model })
    }

    /// Decodes an artifact made by `to_bytes`.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> CoreResult<Self> {
        Ok(Self {
            model: EaseModel::from_bytes(data)?,
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
        let model = py.detach(|| EaseModel::load(&path))?;
        Ok(Self { model })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let bytes = slf.get().to_bytes(py)?;
        let constructor = slf.get_type().getattr("from_bytes")?;
        PyTuple::new(py, [constructor, PyTuple::new(py, [bytes])?.into_any()])
    }

    /// Items of the model.
    #[getter]
    fn n_items(&self) -> usize {
        self.model.n_items()
    }

    /// Ridge penalty λ.
    #[getter]
    fn regularization(&self) -> f32 {
        self.model.config().get_lambda()
    }

    /// Whether `X` was binary.
    #[getter]
    fn binary(&self) -> bool {
        self.model.config().get_input() == EaseInput::Binary
    }

    /// Stored weights.
    #[getter]
    fn nnz(&self) -> usize {
        self.model.nnz()
    }

    /// `B[source][target]` (None for an unmodelled or unknown item).
    fn weight(&self, source: u32, target: u32) -> Option<f32> {
        self.model.weight(source, target)
    }

    /// Top-`n` for one history (a 1-row CSR).
    #[pyo3(signature = (user_items, n, exclude_seen, exclude=None, candidates=None))]
    fn recommend<'py>(
        &self,
        py: Python<'py>,
        user_items: Csr<'py>,
        n: usize,
        exclude_seen: bool,
        exclude: Option<Indices<'py>>,
        candidates: Option<Indices<'py>>,
    ) -> CoreResult<List<'py>> {
        let n_items = self.model.n_items();
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
        let list = recommend(&self.model, None, History::new(items, values), &query)?;
        Ok(list_to_numpy(py, &list))
    }

    /// Top-`n` for every row of `user_items`, as `rows × width` arrays padded with id -1 /
    /// score -inf.
    #[pyo3(signature = (user_items, n, exclude_seen, exclude=None, candidates=None, num_threads=0))]
    #[allow(clippy::too_many_arguments)]
    fn recommend_many<'py>(
        &self,
        py: Python<'py>,
        user_items: Csr<'py>,
        n: usize,
        exclude_seen: bool,
        exclude: Option<Indices<'py>>,
        candidates: Option<Indices<'py>>,
        num_threads: usize,
    ) -> PyResult<Lists<'py>> {
        let n_items = self.model.n_items();
        let prepared = (|| -> CoreResult<_> {
            let matrix = user_items.to_interactions()?;
            let exclude = id_list(exclude.as_ref(), "filtered item", n_items)?;
            let candidates = candidates
                .map(|c| c.to_u32("candidate item", n_items))
                .transpose()?;
            Ok((matrix, exclude, candidates))
        })();
        let (matrix, exclude, candidates) = prepared?;
        let width = n.min(candidates.as_ref().map_or(n_items, Vec::len));
        let query = TopN {
            n,
            exclude_seen,
            exclude: &exclude,
            candidates: candidates.as_deref(),
        };
        let lists = detached(py, num_threads, || {
            self.model.recommend_many(&matrix, &query)
        })?
        .map_err(crate::error::PyRecsysError)?;
        lists_to_numpy(py, &lists, width)
    }

    /// The `n` items `item` votes for most (largest weights `B[item][·]`).
    fn similar_items<'py>(&self, py: Python<'py>, item: i64, n: usize) -> CoreResult<List<'py>> {
        let n_items = self.model.n_items();
        let item = u32::try_from(item)
            .ok()
            .filter(|&i| (i as usize) < n_items)
            .ok_or(Error::IndexOutOfRange {
                what: "item",
                index: usize::try_from(item).unwrap_or(usize::MAX),
                len: n_items,
            })?;
        let list = self.model.similar_items(item, n)?;
        Ok(list_to_numpy(py, &list))
    }
}
