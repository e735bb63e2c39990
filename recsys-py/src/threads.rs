//! `num_threads` as in `implicit`: 0 = rayon's global pool (all cores), otherwise a pool of that
//! size (capped to the machine's cores), built once per size and reused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use rayon::ThreadPool;

fn pools() -> &'static Mutex<HashMap<usize, Arc<ThreadPool>>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<ThreadPool>>>> = OnceLock::new();
    POOLS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The most threads a pool gets: the machine's cores. More would only time-slice the same
/// cores, and an absurd request (10**9) must not try to spawn that many threads.
fn max_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Runs `work` with the GIL released, on `num_threads` threads (0 = all cores; more than the
/// machine's cores are capped to them).
pub fn detached<T, F>(py: Python<'_>, num_threads: usize, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    let num_threads = num_threads.min(max_threads());
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
