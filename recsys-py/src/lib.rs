//! Python bindings for recsys: the extension module `recsys._recsys` behind the `recsys`
//! package (built with maturin from `recsys-py/pyproject.toml`).
//!
//! The bindings hold no algorithms: every function converts its arguments, calls the core once
//! and converts the result back. The Python half of the package (`python/recsys/`) offers the
//! `implicit`-compatible API on top.

use pyo3::prelude::*;

mod als;
mod convert;
mod ease;
mod error;
mod eval;
mod hub;
mod progress;
mod recommender;
mod threads;
mod vocabulary;

/// The extension module.
#[pymodule]
fn _recsys(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "ARTIFACT_FORMAT_VERSION",
        recsys_core::artifact::FORMAT_VERSION,
    )?;
    m.add_class::<als::PyAlsModel>()?;
    m.add_class::<ease::PyEaseModel>()?;
    m.add_class::<recommender::PyRecommender>()?;
    m.add_class::<recommender::PyHistory>()?;
    m.add_class::<recommender::PyResults>()?;
    m.add_function(wrap_pyfunction!(als::als_check_settings, m)?)?;
    m.add_function(wrap_pyfunction!(als::als_to_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(als::als_save, m)?)?;
    m.add_function(wrap_pyfunction!(als::als_from_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(als::als_load, m)?)?;
    m.add_function(wrap_pyfunction!(hub::hub_download, m)?)?;
    m.add_function(wrap_pyfunction!(hub::artifact_info, m)?)?;
    m.add_function(wrap_pyfunction!(eval::ranking_metrics_at_k, m)?)?;
    m.add_function(wrap_pyfunction!(eval::split_entries, m)?)?;
    m.add_function(wrap_pyfunction!(eval::leave_k_out_positions, m)?)?;
    Ok(())
}
