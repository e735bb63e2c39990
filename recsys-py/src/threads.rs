//! `num_threads` as in `implicit`: 0 = rayon's global pool (all cores), otherwise a pool of that
//! size, built once per size and reused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use rayon::ThreadPool;

fn pools() -> &'static Mutex<HashMap<usize, Arc<ThreadPool>>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<ThreadPool>>>> = OnceLock::new();
    POOLS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Runs `work` with the GIL released, on `num_threads` threads (0 = all cores).
pub fn detached<T, F>(py: Python<'_>, num_threads: usize, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    if num_threads == 0 {
        return Ok(py.detach(work));
    }
    let pool = {
        let mut pools = pools()
            .lock()
            .map_err(|_| PyRuntimeError::new_err("thread pool registry poisoned"))?;
        match pools.get(&num_threads) {
            Some(pool) => Arc::clone(pool),
            None => {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(num_threads)
                    .build()
                    .map_err(|e| PyRuntimeError::new_err(format!("cannot start threads: {e}")))?;
                let pool = Arc::new(pool);
                pools.insert(num_threads, Arc::clone(&pool));
                pool
            }
        }
    };
    Ok(py.detach(|| pool.install(work)))
}
