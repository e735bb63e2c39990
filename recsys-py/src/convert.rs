//! numpy ⇄ core conversions: index and value arrays of either width, CSR parts, top-N lists.

use ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use recsys_core::data::Interactions;
use recsys_core::topk::Scored;
use recsys_core::{Error, Result};

/// A 1-d integer array as numpy hands it over: `int32` or `int64`.
#[derive(FromPyObject)]
pub enum Indices<'py> {
    /// 32-bit indices (scipy's default).
    Narrow(PyReadonlyArray1<'py, i32>),
    /// 64-bit indices (large matrices, `np.arange`).
    Wide(PyReadonlyArray1<'py, i64>),
}

impl Indices<'_> {
    /// The indices as `u32`, each below `bound`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for a negative index or one at or above `bound`.
    pub fn to_u32(&self, what: &'static str, bound: usize) -> Result<Vec<u32>> {
        let check = |i: i64| -> Result<u32> {
            match u32::try_from(i) {
                Ok(v) if (v as usize) < bound => Ok(v),
                _ => Err(Error::IndexOutOfRange {
                    what,
                    index: if i < 0 { usize::MAX } else { i as usize },
                    len: bound,
                }),
            }
        };
        match self {
            Indices::Narrow(a) => a.as_array().iter().map(|&i| check(i64::from(i))).collect(),
            Indices::Wide(a) => a.as_array().iter().map(|&i| check(i)).collect(),
        }
    }

    /// The indices as `usize` offsets (CSR `indptr`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a negative offset.
    pub fn to_offsets(&self) -> Result<Vec<usize>> {
        let check = |i: i64| usize::try_from(i).map_err(|_| Error::invalid("indptr", "negative"));
        match self {
            Indices::Narrow(a) => a.as_array().iter().map(|&i| check(i64::from(i))).collect(),
            Indices::Wide(a) => a.as_array().iter().map(|&i| check(i)).collect(),
        }
    }
}

/// A 1-d float array: `float32` (kept) or `float64` (narrowed).
#[derive(FromPyObject)]
pub enum Values<'py> {
    /// Single precision.
    Single(PyReadonlyArray1<'py, f32>),
    /// Double precision.
    Double(PyReadonlyArray1<'py, f64>),
}

impl Values<'_> {
    /// The values as `f32`.
    pub fn to_f32(&self) -> Vec<f32> {
        match self {
            Values::Single(a) => a.as_array().to_vec(),
            Values::Double(a) => a.as_array().iter().map(|&v| v as f32).collect(),
        }
    }
}

/// The parts of a scipy CSR matrix.
#[derive(FromPyObject)]
pub struct Csr<'py> {
    /// Row offsets.
    pub indptr: Indices<'py>,
    /// Column indices.
    pub indices: Indices<'py>,
    /// Values.
    pub data: Values<'py>,
    /// `(rows, columns)`.
    pub shape: (usize, usize),
}

impl Csr<'_> {
    /// The matrix as core [`Interactions`] (rows sorted, duplicates summed, zeros dropped).
    ///
    /// # Errors
    /// Those of [`Interactions::from_csr`] and of the index conversions.
    pub fn to_interactions(&self) -> Result<Interactions> {
        let (rows, columns) = self.shape;
        let indptr = self.indptr.to_offsets()?;
        let indices = self.indices.to_u32("column", columns)?;
        Interactions::from_csr(rows, columns, &indptr, &indices, &self.data.to_f32())
    }
}

/// A top-N list: `(ids int32, scores float32)`, 1-d.
pub type List<'py> = (Bound<'py, PyArray1<i32>>, Bound<'py, PyArray1<f32>>);

/// Top-N lists: `(ids int32, scores float32)`, `rows × width`.
pub type Lists<'py> = (Bound<'py, PyArray2<i32>>, Bound<'py, PyArray2<f32>>);

/// One top-N list as `(ids int32, scores float32)`.
pub fn list_to_numpy<'py>(py: Python<'py>, list: &[Scored]) -> List<'py> {
    let ids: Vec<i32> = list.iter().map(|s| s.item as i32).collect();
    let scores: Vec<f32> = list.iter().map(|s| s.score).collect();
    (PyArray1::from_vec(py, ids), PyArray1::from_vec(py, scores))
}

/// Many top-N lists as two `rows × width` arrays; short rows are padded with id `-1` and score
/// `-inf`.
pub fn lists_to_numpy<'py>(
    py: Python<'py>,
    lists: &[Vec<Scored>],
    width: usize,
) -> PyResult<Lists<'py>> {
    let mut ids = vec![-1i32; lists.len() * width];
    let mut scores = vec![f32::NEG_INFINITY; lists.len() * width];
    for (r, list) in lists.iter().enumerate() {
        for (c, s) in list.iter().take(width).enumerate() {
            ids[r * width + c] = s.item as i32;
            scores[r * width + c] = s.score;
        }
    }
    let shape = (lists.len(), width);
    let ids = Array2::from_shape_vec(shape, ids).map_err(shape_error)?;
    let scores = Array2::from_shape_vec(shape, scores).map_err(shape_error)?;
    Ok((ids.into_pyarray(py), scores.into_pyarray(py)))
}

fn shape_error(err: ndarray::ShapeError) -> PyErr {
    PyValueError::new_err(err.to_string())
}
