//! Explicit parallelism: how many threads training may use, and the one place that talks to
//! rayon.
//!
//! Every parallel loop of the crate goes through the helpers below, which run on rayon's
//! current pool with the `parallel` feature and sequentially without it (WASM). A fit wraps its
//! work in [`install`], so `Parallelism::Threads(1)` keeps a retrain on one core while a server
//! answers requests on the others. Results never depend on the setting: the helpers split work
//! into fixed pieces whose results are combined in a fixed order.

use std::num::NonZeroUsize;

use serde::{Deserialize, Serialize};

/// How many threads a fit may use.
///
/// Results do not depend on it; only the time they take does. Without the `parallel` feature
/// (e.g. WASM) every setting runs sequentially on the calling thread.
///
/// ```
/// use std::num::NonZeroUsize;
/// use recsys_core::Parallelism;
/// assert_eq!(Parallelism::default(), Parallelism::Global);
/// let one_core = Parallelism::Threads(NonZeroUsize::MIN);
/// assert_eq!(one_core.threads(), Some(1));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parallelism {
    /// On the calling thread only.
    Sequential,
    /// On a dedicated pool of this many threads, created for the fit.
    Threads(NonZeroUsize),
    /// On rayon's global pool (all cores unless configured otherwise), or the pool the caller
    /// runs in (the default).
    #[default]
    Global,
}

impl Parallelism {
    /// The thread count of a dedicated pool (`Sequential` is 1), `None` for `Global`.
    pub fn threads(self) -> Option<usize> {
        match self {
            Parallelism::Sequential => Some(1),
            Parallelism::Threads(n) => Some(n.get()),
            Parallelism::Global => None,
        }
    }
}

/// Runs `work` with the given parallelism: on a dedicated pool of the requested size, or on the
/// current pool for [`Parallelism::Global`]. Falls back to the current pool if a pool cannot be
/// created (results do not depend on it).
#[cfg(feature = "parallel")]
pub(crate) fn install<R: Send>(parallelism: Parallelism, work: impl FnOnce() -> R + Send) -> R {
    let Some(threads) = parallelism.threads() else {
        return work();
    };
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

/// Runs `work` on the calling thread (built without the `parallel` feature).
#[cfg(not(feature = "parallel"))]
pub(crate) fn install<R>(_parallelism: Parallelism, work: impl FnOnce() -> R) -> R {
    work()
}

/// Threads of the pool the current work runs on (1 without the `parallel` feature).
pub(crate) fn current_threads() -> usize {
    #[cfg(feature = "parallel")]
    {
        rayon::current_num_threads().max(1)
    }
    #[cfg(not(feature = "parallel"))]
    {
        1
    }
}

/// `f(chunk index, chunk)` for the `chunk_len`-long chunks of `data`, stopping at the first
/// error (which one, when several chunks fail in parallel, is unspecified).
pub(crate) fn try_for_each_chunk<T: Send, E: Send>(
    data: &mut [T],
    chunk_len: usize,
    f: impl Fn(usize, &mut [T]) -> Result<(), E> + Sync + Send,
) -> Result<(), E> {
    let chunk_len = chunk_len.max(1);
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        data.par_chunks_mut(chunk_len)
            .enumerate()
            .try_for_each(|(i, chunk)| f(i, chunk))
    }
    #[cfg(not(feature = "parallel"))]
    {
        data.chunks_mut(chunk_len)
            .enumerate()
            .try_for_each(|(i, chunk)| f(i, chunk))
    }
}

/// `f(chunk index, chunk)` for the `chunk_len`-long chunks of `data`.
pub(crate) fn for_each_chunk<T: Send>(
    data: &mut [T],
    chunk_len: usize,
    f: impl Fn(usize, &mut [T]) + Sync + Send,
) {
    let _ = try_for_each_chunk::<T, ()>(data, chunk_len, |i, chunk| {
        f(i, chunk);
        Ok(())
    });
}

/// `f` of every item of `items`, consumed (e.g. disjoint `&mut` pieces), in any order.
pub(crate) fn for_each<T: Send>(items: Vec<T>, f: impl Fn(T) + Sync + Send) {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.into_par_iter().for_each(f);
    }
    #[cfg(not(feature = "parallel"))]
    items.into_iter().for_each(f);
}

/// `[f(0), f(1), …, f(n − 1)]`, in order.
pub(crate) fn map<R: Send>(n: usize, f: impl Fn(usize) -> R + Sync + Send) -> Vec<R> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        (0..n).into_par_iter().map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        (0..n).map(f).collect()
    }
}

/// [`map`] with a per-thread scratch value from `init` (reused across the indices one thread
/// handles; `f` must leave it as it found it, or not depend on its contents).
pub(crate) fn map_init<S, R: Send>(
    n: usize,
    init: impl Fn() -> S + Sync + Send,
    f: impl Fn(&mut S, usize) -> R + Sync + Send,
) -> Vec<R> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        (0..n).into_par_iter().map_init(init, f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        let mut scratch = init();
        (0..n).map(|i| f(&mut scratch, i)).collect()
    }
}

/// `[f(chunk) for the chunk_len-long chunks of data]`, in order.
pub(crate) fn map_chunks<T: Sync, R: Send>(
    data: &[T],
    chunk_len: usize,
    f: impl Fn(&[T]) -> R + Sync + Send,
) -> Vec<R> {
    let chunk_len = chunk_len.max(1);
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        data.par_chunks(chunk_len).map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        data.chunks(chunk_len).map(f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_keep_order_and_honour_the_pool_size() {
        for parallelism in [
            Parallelism::Sequential,
            Parallelism::Threads(NonZeroUsize::new(3).unwrap()),
            Parallelism::Global,
        ] {
            let (squares, threads) =
                install(parallelism, || (map(10, |i| i * i), current_threads()));
            assert_eq!(squares, (0..10).map(|i| i * i).collect::<Vec<_>>());
            if cfg!(feature = "parallel") {
                if let Some(n) = parallelism.threads() {
                    assert_eq!(threads, n);
                }
            }
            let mut data = vec![0usize; 10];
            install(parallelism, || {
                for_each_chunk(&mut data, 3, |i, chunk| chunk.fill(i))
            });
            assert_eq!(data, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
            let sums = map_chunks(&data, 4, |c| c.iter().sum::<usize>());
            assert_eq!(sums, [1, 6, 5]);
        }
    }
}
