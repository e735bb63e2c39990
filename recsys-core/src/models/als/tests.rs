use super::model::AlsModelData;
use super::solve::{gram, solve_rows, Problem, SparseRows};
use super::*;
use crate::data::Interactions;
use crate::models::{History, TopN};
use crate::rng::SplitMix64;
use crate::Error;
use proptest::prelude::*;

/// A random sparse matrix with signed values (about 1 in 8 negative), every user and item
/// touched at least once.
fn random_matrix(users: usize, items: usize, per_user: usize, seed: u64) -> Interactions {
    let mut rng = SplitMix64::new(seed);
    let mut triplets = Vec::new();
    for u in 0..users {
        triplets.push((u as u32, (u % items) as u32, 1.0));
        for _ in 0..per_user {
            let item = rng.below(items) as u32;
            let magnitude = 1.0 + (rng.below(4) as f32);
            let value = if rng.below(8) == 0 {
                -magnitude
            } else {
                magnitude
            };
            triplets.push((u as u32, item, value));
        }
    }
    for i in 0..items {
        triplets.push(((i % users) as u32, i as u32, 1.0));
    }
    Interactions::from_triplets(users, items, &triplets).unwrap()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn conjugate_gradient_converges_to_the_exact_solution() {
    let m = random_matrix(40, 30, 6, 1);
    let k = 8;
    let mut rng = SplitMix64::new(3);
    let items: Vec<f32> = (0..30 * k).map(|_| rng.next_f32() - 0.5).collect();
    let g = gram(&items, k, 0.1);
    let problem = |solver| Problem {
        rows: SparseRows::of(&m),
        fixed: &items,
        gram: &g,
        k,
        alpha: 2.0,
        solver,
        by_fixed: None,
    };
    let mut exact = vec![0.0f32; 40 * k];
    solve_rows(&problem(Solver::Cholesky), &mut exact).unwrap();
    let mut cg = vec![0.0f32; 40 * k];
    solve_rows(&problem(Solver::ConjugateGradient { steps: 40 }), &mut cg).unwrap();
    assert!(
        max_abs_diff(&exact, &cg) < 1e-3,
        "{}",
        max_abs_diff(&exact, &cg)
    );
}

#[test]
fn streamed_right_hand_side_matches_the_gathered_one() {
    let m = random_matrix(70, 50, 6, 12);
    let transposed = m.transpose();
    let k = 16;
    let mut rng = SplitMix64::new(13);
    let fixed: Vec<f32> = (0..70 * k).map(|_| rng.next_f32() - 0.5).collect();
    let g = gram(&fixed, k, 0.05);
    let start: Vec<f32> = (0..50 * k).map(|_| rng.next_f32() * 0.1).collect();
    let solve = |by_fixed| {
        let mut x = start.clone();
        solve_rows(
            &Problem {
                rows: SparseRows::of(&transposed),
                fixed: &fixed,
                gram: &g,
                k,
                alpha: 1.5,
                solver: Solver::ConjugateGradient { steps: 3 },
                by_fixed,
            },
            &mut x,
        )
        .unwrap();
        x
    };
    let gathered = solve(None);
    let streamed = solve(Some(SparseRows::of(&m)));
    assert!(max_abs_diff(&gathered, &streamed) < 1e-4);
}

#[test]
fn exact_solution_satisfies_the_normal_equations() {
    // Check A_u x_u = b_u directly from the definition, including negative entries.
    let m = random_matrix(5, 7, 4, 2);
    let k = 3;
    let alpha = 1.5;
    let lambda = 0.3;
    let mut rng = SplitMix64::new(4);
    let y: Vec<f32> = (0..7 * k).map(|_| rng.next_f32() - 0.5).collect();
    let g = gram(&y, k, lambda);
    let mut x = vec![0.0f32; 5 * k];
    solve_rows(
        &Problem {
            rows: SparseRows::of(&m),
            fixed: &y,
            gram: &g,
            k,
            alpha,
            solver: Solver::Cholesky,
            by_fixed: None,
        },
        &mut x,
    )
    .unwrap();
    for u in 0..5 {
        let (items, values) = m.row(u);
        let xu = &x[u * k..(u + 1) * k];
        for a in 0..k {
            // (A x)_a with A = Σ_all_items c y yᵀ + λI, c = 1 off the row.
            let mut ax = f64::from(lambda) * f64::from(xu[a]);
            let mut b = 0.0f64;
            for i in 0..7u32 {
                let yi = &y[i as usize * k..(i as usize + 1) * k];
                let (c, p) = match items.binary_search(&i) {
                    Ok(pos) => {
                        let v = values[pos];
                        (alpha * v.abs(), if v > 0.0 { 1.0 } else { 0.0 })
                    }
                    Err(_) => (1.0, 0.0),
                };
                let dot: f32 = yi.iter().zip(xu).map(|(s, t)| s * t).sum();
                ax += f64::from(c * yi[a] * dot);
                b += f64::from(c * p * yi[a]);
            }
            assert!((ax - b).abs() < 1e-4, "user {u} dim {a}: {ax} vs {b}");
        }
    }
}

#[test]
fn checkerboard_recommends_the_withheld_diagonal_item() {
    // 4 blocks of 5 users × 5 items; user r of block b saw every item of its block but one.
    let (blocks, size) = (4u32, 5u32);
    let mut triplets = Vec::new();
    for b in 0..blocks {
        for r in 0..size {
            for c in 0..size {
                if r != c {
                    triplets.push((b * size + r, b * size + c, 1.0));
                }
            }
        }
    }
    let n = (blocks * size) as usize;
    let m = Interactions::from_triplets(n, n, &triplets).unwrap();
    for solver in [Solver::Cholesky, Solver::ConjugateGradient { steps: 3 }] {
        let model = AlsConfig::new()
            .factors(8)
            .regularization(0.01)
            .iterations(20)
            .solver(solver)
            .fit(&m)
            .unwrap();
        let all_users: Vec<u32> = (0..n as u32).collect();
        let batch = model.recommend_batch(&all_users, &m, 1, true).unwrap();
        for user in 0..n as u32 {
            let (items, values) = m.row(user as usize);
            let history = History::new(items, values);
            let single = model.recommend(Some(user), history, &TopN::new(1)).unwrap();
            assert_eq!(
                single[0].item, user,
                "{solver:?}: user {user} got {single:?}"
            );
            assert_eq!(batch[user as usize][0].item, user);
            let folded = model.recommend(None, history, &TopN::new(1)).unwrap();
            assert_eq!(folded[0].item, user);
        }
    }
}

#[test]
fn fold_in_of_a_training_user_matches_its_trained_factors() {
    let m = random_matrix(60, 40, 5, 5);
    let model = AlsConfig::new()
        .factors(6)
        .regularization(0.05)
        .alpha(2.0)
        .iterations(60)
        .solver(Solver::Cholesky)
        .fit(&m)
        .unwrap();
    // The last half-sweep solved items, so re-solve users once to make the check exact.
    let mut settled = model.clone();
    let users: Vec<u32> = (0..60).collect();
    settled.partial_fit_users(&users, &m).unwrap();
    for u in 0..60u32 {
        let (items, values) = m.row(u as usize);
        let folded = settled
            .recalculate_user(History::new(items, values))
            .unwrap();
        assert!(max_abs_diff(&folded, settled.user_vector(u).unwrap()) < 1e-5);
        // And after enough iterations the trained factors are (nearly) a fixed point.
        let trained = model.user_vector(u).unwrap();
        let scale = trained.iter().map(|v| v.abs()).fold(0.0, f32::max);
        let gap = max_abs_diff(&folded, trained);
        assert!(gap < 0.02 * scale, "user {u}: gap {gap}, scale {scale}");
    }
}

#[test]
fn partial_fit_of_all_users_reproduces_an_exact_half_sweep() {
    let m = random_matrix(50, 30, 4, 6);
    let config = AlsConfig::new()
        .factors(5)
        .iterations(2)
        .solver(Solver::Cholesky);
    let model = config.fit(&m).unwrap();
    let mut refit = model.clone();
    let users: Vec<u32> = (0..50).collect();
    refit.partial_fit_users(&users, &m).unwrap();

    let item_gram = gram(&model.item_factors, model.k, model.regularization);
    let mut half_sweep = model.user_factors.clone();
    solve_rows(
        &Problem {
            rows: SparseRows::of(&m),
            fixed: &model.item_factors,
            gram: &item_gram,
            k: model.k,
            alpha: model.alpha,
            solver: Solver::Cholesky,
            by_fixed: None,
        },
        &mut half_sweep,
    )
    .unwrap();
    assert_eq!(refit.user_factors, half_sweep);
    assert_eq!(refit.item_factors, model.item_factors);

    // Items symmetrically, against the new user factors.
    let transposed = m.transpose();
    let items: Vec<u32> = (0..30).collect();
    refit.partial_fit_items(&items, &transposed).unwrap();
    let user_gram = gram(&refit.user_factors, model.k, model.regularization);
    let mut item_sweep = model.item_factors.clone();
    solve_rows(
        &Problem {
            rows: SparseRows::of(&transposed),
            fixed: &refit.user_factors,
            gram: &user_gram,
            k: model.k,
            alpha: model.alpha,
            solver: Solver::Cholesky,
            by_fixed: None,
        },
        &mut item_sweep,
    )
    .unwrap();
    assert_eq!(refit.item_factors, item_sweep);
}

#[test]
fn partial_fit_grows_and_validates() {
    let m = random_matrix(10, 8, 3, 7);
    let mut model = AlsConfig::new().factors(4).fit(&m).unwrap();
    let rows = Interactions::from_triplets(2, 8, &[(0, 1, 1.0), (1, 2, 2.0)]).unwrap();
    model.partial_fit_users(&[3, 12], &rows).unwrap();
    assert_eq!(model.n_users(), 13);
    assert!(model.user_vector(11).unwrap().iter().all(|&v| v == 0.0));
    assert!(model.user_vector(12).unwrap().iter().any(|&v| v != 0.0));
    assert!(matches!(
        model.partial_fit_users(&[1], &rows),
        Err(Error::DimensionMismatch { .. })
    ));
    let too_wide = Interactions::from_triplets(1, 9, &[(0, 8, 1.0)]).unwrap();
    assert!(matches!(
        model.partial_fit_users(&[1], &too_wide),
        Err(Error::DimensionMismatch { .. })
    ));
    let item_rows = Interactions::from_triplets(1, 13, &[(0, 12, 1.0)]).unwrap();
    model.partial_fit_items(&[8], &item_rows).unwrap();
    assert_eq!(model.n_items(), 9);
}

#[test]
fn invalid_input_is_an_error_not_a_panic() {
    let m = random_matrix(10, 8, 3, 8);
    assert!(matches!(
        AlsConfig::new().factors(0).fit(&m),
        Err(Error::InvalidParameter {
            name: "factors",
            ..
        })
    ));
    assert!(AlsConfig::new()
        .regularization(f32::NAN)
        .validate()
        .is_err());
    assert!(AlsConfig::new().alpha(0.0).validate().is_err());
    assert!(AlsConfig::new().iterations(0).validate().is_err());
    assert!(AlsConfig::new().iterations(10_001).validate().is_err());
    assert!(AlsConfig::new().iterations(10_000).validate().is_ok());
    assert!(AlsConfig::new()
        .solver(Solver::ConjugateGradient { steps: 0 })
        .validate()
        .is_err());
    assert!(matches!(
        AlsConfig::new().fit(&Interactions::empty(3, 3).unwrap()),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        AlsConfig::new().alpha(f32::MAX).fit(&m),
        Err(Error::NonFinite { .. })
    ));

    let model = AlsConfig::new().factors(4).iterations(2).fit(&m).unwrap();
    let none = History::default();
    assert!(matches!(
        model.recommend(Some(10), none, &TopN::new(3)),
        Err(Error::IndexOutOfRange { what: "user", .. })
    ));
    assert!(matches!(
        model.recommend(None, History::new(&[8], &[1.0]), &TopN::new(3)),
        Err(Error::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        model.recommend(None, History::new(&[1], &[f32::NAN]), &TopN::new(3)),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        model.recalculate_user(History::new(&[1, 2], &[1.0])),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut query = TopN::new(3);
    query.candidates = Some(&[99]);
    assert!(model.recommend(Some(0), none, &query).is_err());
    assert!(model.similar_items(8, 3, None).is_err());
    assert!(model.similar_items(0, 3, Some(&[8])).is_err());
    assert!(model.similar_users(10, 3).is_err());
    assert!(model
        .recommend_batch(&[10], &Interactions::empty(1, 8).unwrap(), 3, true)
        .is_err());
    assert!(model
        .recommend_batch(&[0, 1], &Interactions::empty(1, 8).unwrap(), 3, true)
        .is_err());
    // An empty history folds in to zeros; scores stay finite.
    let recs = model.recommend(None, none, &TopN::new(3)).unwrap();
    assert!(recs.iter().all(|s| s.score == 0.0));
}

#[test]
fn zero_regularization_singular_system_fails_cleanly() {
    // Two users, one item, k = 4: A = yyᵀ·c is rank one without λ.
    let m = Interactions::from_triplets(2, 1, &[(0, 0, 1.0), (1, 0, 2.0)]).unwrap();
    let result = AlsConfig::new()
        .factors(4)
        .regularization(0.0)
        .solver(Solver::Cholesky)
        .fit(&m);
    assert!(matches!(result, Err(Error::FitFailed { .. })), "{result:?}");
    // CG never divides by zero: it either fits finite factors or reports a failure.
    if let Ok(model) = AlsConfig::new().factors(4).regularization(0.0).fit(&m) {
        assert!(model.user_factors().iter().all(|v| v.is_finite()));
    }
}

#[test]
fn similar_items_is_cosine_and_puts_the_item_first() {
    let m = random_matrix(30, 12, 4, 9);
    let model = AlsConfig::new().factors(5).iterations(4).fit(&m).unwrap();
    let similar = model.similar_items(3, 12, None).unwrap();
    assert_eq!(similar.len(), 12);
    assert_eq!(similar[0].item, 3);
    assert!((similar[0].score - 1.0).abs() < 1e-5);
    let y = model.item_factors();
    for s in &similar {
        let (a, b) = (y.row(3), y.row(s.item as usize));
        let cosine = a.dot(&b) / (a.dot(&a).sqrt() * b.dot(&b).sqrt());
        assert!((cosine - s.score).abs() < 1e-5);
    }
    let restricted = model.similar_items(3, 5, Some(&[1, 7])).unwrap();
    let mut got: Vec<u32> = restricted.iter().map(|s| s.item).collect();
    got.sort_unstable();
    assert_eq!(got, vec![1, 7]);
    assert_eq!(model.similar_users(4, 1).unwrap()[0].item, 4);
}

#[test]
fn serde_round_trip_rebuilds_the_caches_and_rejects_bad_shapes() {
    let m = random_matrix(20, 10, 3, 10);
    let model = AlsConfig::new().factors(3).iterations(3).fit(&m).unwrap();
    let config = bincode::config::standard();
    let bytes = bincode::serde::encode_to_vec(&model, config).unwrap();
    let (back, _): (AlsModel, usize) = bincode::serde::decode_from_slice(&bytes, config).unwrap();
    assert_eq!(back, model);

    let mut data = AlsModelData::from(model);
    data.user_factors.pop();
    assert!(matches!(
        AlsModel::try_from(data),
        Err(Error::CorruptArtifact { .. })
    ));
}

#[test]
fn model_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<AlsModel>();
    assert_send_sync::<AlsConfig>();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn fold_in_reproduces_exact_user_solves(
        users in 2usize..30,
        items in 2usize..25,
        per_user in 1usize..6,
        seed in 0u64..1000,
        alpha in 0.5f32..4.0,
        steps in 1usize..8,
    ) {
        let m = random_matrix(users, items, per_user, seed);
        // Any training run (CG here), then one exact user half-sweep by partial fit: fold-in
        // must give exactly those factors, and partial fit must equal a direct half-sweep.
        let config = AlsConfig::new()
            .factors(5)
            .regularization(0.1)
            .alpha(alpha)
            .iterations(3)
            .seed(seed)
            .solver(Solver::ConjugateGradient { steps });
        let mut model = config.fit(&m).unwrap();
        let item_gram = gram(&model.item_factors, model.k, model.regularization);
        let mut half_sweep = model.user_factors.clone();
        solve_rows(
            &Problem {
                rows: SparseRows::of(&m),
                fixed: &model.item_factors,
                gram: &item_gram,
                k: model.k,
                alpha: model.alpha,
                solver: Solver::Cholesky,
                by_fixed: None,
            },
            &mut half_sweep,
        )
        .unwrap();
        let all: Vec<u32> = (0..users as u32).collect();
        model.partial_fit_users(&all, &m).unwrap();
        prop_assert_eq!(&model.user_factors, &half_sweep);
        for u in 0..users {
            let (seen, values) = m.row(u);
            let folded = model.recalculate_user(History::new(seen, values)).unwrap();
            prop_assert_eq!(folded.as_slice(), model.user_vector(u as u32).unwrap());
        }
    }

    #[test]
    fn same_seed_same_model_and_finite_filtered_scores(
        users in 2usize..25,
        items in 2usize..20,
        per_user in 1usize..6,
        data_seed in 0u64..1000,
        model_seed in 0u64..1000,
        n in 0usize..8,
        cholesky in any::<bool>(),
    ) {
        let m = random_matrix(users, items, per_user, data_seed);
        let solver = if cholesky { Solver::Cholesky } else { Solver::default() };
        let config = AlsConfig::new().factors(4).iterations(3).seed(model_seed).solver(solver);
        let a = config.fit(&m).unwrap();
        let b = config.fit(&m).unwrap();
        prop_assert_eq!(&a, &b);

        let all: Vec<u32> = (0..users as u32).collect();
        let batch = a.recommend_batch(&all, &m, n, true).unwrap();
        for (u, batch_row) in batch.iter().enumerate() {
            let (seen, values) = m.row(u);
            let history = History::new(seen, values);
            let single = a.recommend(Some(u as u32), history, &TopN::new(n)).unwrap();
            prop_assert!(single.len() <= n);
            prop_assert_eq!(single.len(), batch_row.len());
            for (s, t) in single.iter().zip(batch_row) {
                prop_assert!(s.score.is_finite() && t.score.is_finite());
                prop_assert!(!history.contains(s.item) && !history.contains(t.item));
                prop_assert!((s.score - t.score).abs() < 1e-4);
            }
            let mut query = TopN::new(n);
            query.exclude = &[0, 1];
            for s in a.recommend(None, history, &query).unwrap() {
                prop_assert!(s.score.is_finite());
                prop_assert!(s.item > 1 && !history.contains(s.item));
            }
        }
    }
}

#[test]
fn result_does_not_depend_on_the_parallelism() {
    use std::num::NonZeroUsize;
    let m = random_matrix(300, 200, 8, 11);
    let threads = |n: usize| Parallelism::Threads(NonZeroUsize::new(n).unwrap());
    for solver in [Solver::default(), Solver::Cholesky] {
        let config = AlsConfig::new().factors(16).iterations(3).solver(solver);
        let fit_with = |p: Parallelism| config.clone().parallelism(p).fit(&m).unwrap();
        let one = fit_with(Parallelism::Sequential);
        assert_eq!(one, fit_with(threads(3)));
        assert_eq!(one, fit_with(Parallelism::Global));
        assert_eq!(
            one.loss(&m).unwrap(),
            crate::par::install(threads(2), || one.loss(&m).unwrap())
        );
        let users: Vec<u32> = (0..300).collect();
        let recs = |p: Parallelism| {
            crate::par::install(p, || one.recommend_batch(&users, &m, 5, true).unwrap())
        };
        assert_eq!(recs(Parallelism::Sequential), recs(threads(2)));
    }
}
