//! Request-time rating fold-in on MovieLens-100K: users held out of training, folded in from
//! their first k ratings, the rest predicted. With the history the RMSE must never be above the
//! RMSE without it (the item baseline `μ + b_i`).
//!
//! Test: train on users 1–750, predict users 751–943. The prior was chosen on validation data
//! that never touches users 751–943: train on users 1–600, predict users 601–750
//! (`cargo test --release -p recsys-core --test rating_fold_in_movielens -- --ignored --nocapture`).

use recsys_core::eval::fold_in::{fold_in_errors, FoldInReport};
use recsys_core::eval::Rating;
use recsys_core::models::mf::{FoldInPrior, MfConfig, MfModel};

mod common;

use common::{movielens, MovieLens};

const KS: [usize; 5] = [1, 3, 5, 10, 20];

/// Ratings of users with raw id ≤ `last`: (training users `< first_held_out`, held-out users).
fn users_split(data: &MovieLens, first_held_out: u32, last: u32) -> (Vec<Rating>, Vec<Rating>) {
    let raw = |r: &Rating| -> u32 {
        data.dataset
            .users
            .id_of(r.user)
            .and_then(|id| id.parse().ok())
            .expect("MovieLens user ids are numbers")
    };
    let (mut train, mut held_out) = (Vec::new(), Vec::new());
    for r in &data.ratings {
        match raw(r) {
            u if u < first_held_out => train.push(*r),
            u if u <= last => held_out.push(*r),
            _ => {}
        }
    }
    (train, held_out)
}

fn fit(data: &MovieLens, train: &[Rating]) -> MfModel {
    let triplets: Vec<(u32, u32, f32)> = train.iter().map(|r| (r.user, r.item, r.value)).collect();
    MfConfig::new()
        .fit(&triplets, data.n_users(), data.n_items())
        .expect("fit")
        .into_item_side()
}

fn errors(model: &MfModel, held_out: &[Rating], prior: FoldInPrior) -> Vec<FoldInReport> {
    fold_in_errors(held_out, &KS, |history, items| {
        let user = model.fold_in_with_prior(history, prior)?;
        items
            .iter()
            .map(|&i| model.predict_folded(&user, i))
            .collect()
    })
    .expect("protocol runs")
}

fn print(label: &str, reports: &[FoldInReport]) {
    for r in reports {
        println!(
            "{label:>14} k={:>2} users={} ratings={}: RMSE with history {:.4}, without {:.4}",
            r.k, r.n_users, r.with_history.n, r.with_history.rmse, r.without_history.rmse
        );
    }
}

#[test]
fn folded_in_ratings_are_never_worse_than_no_history() {
    let data = movielens();
    let (train, held_out) = users_split(&data, 751, 943);
    let model = fit(&data, &train);
    print("no prior", &errors(&model, &held_out, FoldInPrior::NONE));
    let reports = errors(&model, &held_out, FoldInPrior::default());
    print("default prior", &reports);
    assert_eq!(reports[0].n_users, 193);
    for r in &reports {
        assert!(
            r.with_history.rmse <= r.without_history.rmse,
            "k = {}: {} with the history, {} without",
            r.k,
            r.with_history.rmse,
            r.without_history.rmse
        );
    }
    // Twenty ratings must help clearly.
    let last = reports.last().expect("k = 20");
    assert!(
        last.with_history.rmse < last.without_history.rmse - 0.02,
        "{last:?}"
    );
}

/// The grid the default prior was chosen from, on validation users only.
#[test]
#[ignore = "tuning grid (about a minute)"]
fn prior_grid_on_validation_users() {
    let data = movielens();
    let (train, held_out) = users_split(&data, 601, 750);
    let model = fit(&data, &train);
    let mut best = (f64::INFINITY, FoldInPrior::NONE);
    for bias in [0.0, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0] {
        for factors in [0.0, 2.0, 5.0, 10.0, 15.0, 25.0, 50.0, 100.0] {
            let prior = FoldInPrior::new(bias, factors);
            let reports = errors(&model, &held_out, prior);
            let mean = reports.iter().map(|r| r.with_history.rmse).sum::<f64>() / KS.len() as f64;
            let worst = reports
                .iter()
                .map(|r| r.with_history.rmse - r.without_history.rmse)
                .fold(f64::NEG_INFINITY, f64::max);
            let per_k: Vec<String> = reports
                .iter()
                .map(|r| format!("{:.4}", r.with_history.rmse))
                .collect();
            println!(
                "bias {bias:>5} factors {factors:>5}: mean {mean:.4} worst gap {worst:+.4} [{}]",
                per_k.join(" ")
            );
            if mean < best.0 {
                best = (mean, prior);
            }
        }
    }
    let baseline: Vec<String> = errors(&model, &held_out, FoldInPrior::NONE)
        .iter()
        .map(|r| format!("{:.4}", r.without_history.rmse))
        .collect();
    println!("no history [{}]", baseline.join(" "));
    println!("best {best:?}");
}
