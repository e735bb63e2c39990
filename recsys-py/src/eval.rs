//! Evaluation helpers behind `recsys.evaluation`.

use numpy::{PyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use recsys_core::eval::at_k::ranking_metrics_at_k as core_ranking_metrics;
use recsys_core::eval::holdout::leave_k_out_positions as core_leave_k_out;
use recsys_core::eval::split::random_split;
use recsys_core::Error;

use crate::convert::{Csr, Indices};
use crate::error::CoreResult;

/// Top-K id matrix of any integer width; negative ids are misses (padding).
#[derive(FromPyObject)]
pub enum IdMatrix<'py> {
    /// `int32` ids (recsys and implicit return these).
    Narrow(PyReadonlyArray2<'py, i32>),
    /// `int64` ids.
    Wide(PyReadonlyArray2<'py, i64>),
}

impl IdMatrix<'_> {
    fn lists(&self) -> Vec<Vec<u32>> {
        fn keep<T: Copy + TryInto<u32>>(row: ndarray::ArrayView1<'_, T>) -> Vec<u32> {
            // Negative (padding) ids can never be relevant: they become misses.
            row.iter()
                .map(|&v| v.try_into().unwrap_or(u32::MAX))
                .collect()
        }
        match self {
            IdMatrix::Narrow(a) => a.as_array().rows().into_iter().map(keep).collect(),
            IdMatrix::Wide(a) => a.as_array().rows().into_iter().map(keep).collect(),
        }
    }
}

/// `implicit`'s ranking metrics of the top-`k` lists `ids` (row `r` ↔ `users[r]`) against
/// the held-out matrix `test`: a dict with `precision`, `map`, `ndcg`, `auc`.
#[pyfunction]
pub fn ranking_metrics_at_k<'py>(
    py: Python<'py>,
    users: Indices<'py>,
    ids: IdMatrix<'py>,
    test: Csr<'py>,
    k: usize,
) -> CoreResult<Bound<'py, PyDict>> {
    let test = test.to_interactions()?;
    let users = users.to_u32("user", test.n_users())?;
    let lists = ids.lists();
    let metrics = py.detach(|| core_ranking_metrics(&users, &lists, &test, k))?;
    let out = PyDict::new(py);
    let set = |key: &str, value: f64| {
        out.set_item(key, value)
            .map_err(|e| Error::invalid("result", e))
    };
    set("precision", metrics.precision)?;
    set("map", metrics.map)?;
    set("ndcg", metrics.ndcg)?;
    set("auc", metrics.auc)?;
    Ok(out)
}

/// `(train, test)` entry positions.
type Positions<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>);

/// Splits entry positions `0..n` at random: `(train, test)` index arrays, exactly
/// `round(test_fraction · n)` in test, each in ascending order.
#[pyfunction]
pub fn split_entries<'py>(
    py: Python<'py>,
    n: usize,
    test_fraction: f64,
    seed: u64,
) -> CoreResult<Positions<'py>> {
    let positions: Vec<i64> = (0..n as i64).collect();
    let split = py.detach(|| random_split(&positions, test_fraction, seed))?;
    Ok((
        PyArray1::from_vec(py, split.train),
        PyArray1::from_vec(py, split.test),
    ))
}

/// Test positions (CSR order) of `implicit`'s leave-`k`-out split of the rows in `indptr`.
#[pyfunction]
pub fn leave_k_out_positions<'py>(
    py: Python<'py>,
    indptr: Indices<'py>,
    k: usize,
    train_only_size: f64,
    seed: u64,
) -> CoreResult<Bound<'py, PyArray1<i64>>> {
    let indptr = indptr.to_offsets()?;
    let test = py.detach(|| core_leave_k_out(&indptr, k, train_only_size, seed))?;
    Ok(PyArray1::from_vec(
        py,
        test.into_iter().map(|p| p as i64).collect(),
    ))
}
