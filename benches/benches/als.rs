//! Implicit ALS: fit (per iteration), fold-in, single-user and batch recommendation.
//!
//! Data: 20,000 users × 10,000 items, ≈ 500,000 interactions (power-law, planted rank 16),
//! k = 64, CG with 3 steps. The fit runs on three confidence shapes: the repeat counts at
//! alpha = 1 (mostly unit confidences, which CG skips), alpha = 2 (no unit confidence), and
//! log-scaled counts `1 + 2·ln(1 + count)` at alpha = 1 (every confidence above 1). `cargo bench -p recsys-benches --bench als`; the whole run takes
//! about two minutes. Threads: `RAYON_NUM_THREADS` (default: all cores).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use recsys_benches::synthetic_interactions;
use recsys_core::data::Interactions;
use recsys_core::models::als::{AlsConfig, Solver};
use recsys_core::models::{History, TopN};

const USERS: usize = 20_000;
const ITEMS: usize = 10_000;
const NNZ: usize = 500_000;

/// The same matrix with every value `v` replaced by `1 + 2·ln(1 + v)`.
fn log_scaled(matrix: &Interactions) -> Interactions {
    let data: Vec<f32> = matrix
        .data()
        .iter()
        .map(|&v| 1.0 + 2.0 * v.ln_1p())
        .collect();
    Interactions::from_csr(
        matrix.n_users(),
        matrix.n_items(),
        matrix.indptr(),
        matrix.indices(),
        &data,
    )
    .expect("same shape as a valid matrix")
}

fn als(c: &mut Criterion) {
    let matrix = synthetic_interactions(USERS, ITEMS, NNZ, 42);
    let nnz = matrix.nnz() as u64;

    let mut fit = c.benchmark_group("als_fit_one_iteration");
    fit.sample_size(10);
    fit.throughput(Throughput::Elements(nnz));
    for (name, solver) in [
        ("cg3", Solver::ConjugateGradient { steps: 3 }),
        ("cholesky", Solver::Cholesky),
    ] {
        let config = AlsConfig::new().factors(64).iterations(1).solver(solver);
        fit.bench_function(BenchmarkId::new("k64", name), |b| {
            b.iter(|| config.fit(black_box(&matrix)).map(|m| m.n_users()))
        });
    }
    // Real confidences: no entry has c = 1, so every one costs CG work.
    let logs = log_scaled(&matrix);
    for (name, alpha, data) in [("cg3_alpha2", 2.0, &matrix), ("cg3_log_counts", 1.0, &logs)] {
        let config = AlsConfig::new().factors(64).iterations(1).alpha(alpha);
        fit.bench_function(BenchmarkId::new("k64", name), |b| {
            b.iter(|| config.fit(black_box(data)).map(|m| m.n_users()))
        });
    }
    fit.finish();

    let model = AlsConfig::new()
        .factors(64)
        .iterations(5)
        .fit(&matrix)
        .expect("fit on generated data");
    // A user with a typical history length (the median of the first 1,000 users).
    let mut lengths: Vec<(usize, usize)> = (0..1000).map(|u| (matrix.row(u).0.len(), u)).collect();
    lengths.sort_unstable();
    let user = lengths[500].1;
    let (items, values) = matrix.row(user);
    let history = History::new(items, values);

    let mut single = c.benchmark_group("als_single_user");
    single.throughput(Throughput::Elements(1));
    single.bench_function("fold_in", |b| {
        b.iter(|| model.recalculate_user(black_box(history)))
    });
    single.bench_function("recommend_cached_top10", |b| {
        b.iter(|| model.recommend(Some(user as u32), black_box(history), &TopN::new(10)))
    });
    single.bench_function("recommend_fold_in_top10", |b| {
        b.iter(|| model.recommend(None, black_box(history), &TopN::new(10)))
    });
    single.finish();

    let mut batch = c.benchmark_group("als_recommend_batch_top10");
    batch.sample_size(10);
    batch.throughput(Throughput::Elements(USERS as u64));
    let users: Vec<u32> = (0..USERS as u32).collect();
    batch.bench_function("all_users_exclude_seen", |b| {
        b.iter(|| model.recommend_batch(black_box(&users), &matrix, 10, true))
    });
    batch.finish();
}

criterion_group!(benches, als);
criterion_main!(benches);
