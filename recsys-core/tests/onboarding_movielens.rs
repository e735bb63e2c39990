//! Onboarding on MovieLens-100K (`eval::onboarding`, on training data only): every 5th user
//! is held out of training; their quiz is the genres of their 5 earliest liked films (rating
//! ≥ 4), weighted by how many of those films have each genre; their later ratings ≥ 4 are
//! relevant. For You with the quiz must beat For You without it, and genre-weighted
//! popularity, by 5 %; also for other held-out users (ids ≡ 2 mod 5).
//!
//! Reported on the protocol's training split; the pseudo-history size was chosen on its
//! validation split (the same temporal rule applied to the training part):
//! `cargo test --release -p recsys-core --test onboarding_movielens -- --include-ignored --nocapture`.

use recsys_core::data::{Dataset, Feedback, FeedbackPolicy};
use recsys_core::eval::onboarding::onboarding_split;
use recsys_core::eval::split::Rating;
use recsys_core::eval::{evaluate_recommender, summarize, HeldOutUser, Report};
use recsys_core::models::als::AlsConfig;
use recsys_core::models::trending::{Favorites, PopularityKind, TrendingConfig};
use recsys_core::recommender::{
    Filters, List, Query, Recommender, RecommenderBuilder, UserHistory,
};

mod common;

use common::{movielens, MovieLens};

/// Items of the recommender's pseudo-history of a quiz (`recommender::onboarding`; checked
/// against it below).
const PSEUDO_ITEMS: usize = 5;

fn dataset_of(data: &MovieLens, ratings: &[Rating]) -> Dataset {
    let mut ds = data.dataset.without_events();
    for r in ratings {
        let user = data.dataset.users.id_of(r.user).expect("known user");
        let item = data.dataset.items.id_of(r.item).expect("known item");
        ds.add_event(user, item, Feedback::Rating(r.value), r.timestamp)
            .expect("valid event");
    }
    ds
}

struct Protocol {
    train: Dataset,
    users: Vec<HeldOutUser>,
    recommender: Recommender,
}

/// The protocol with every 5th user (ids ≡ `fold` mod 5) held out.
fn protocol(data: &MovieLens, ratings: &[Rating], fold: u32) -> Protocol {
    let held_out = |user: &str| user.parse::<u32>().expect("numeric id") % 5 == fold;
    let (train, users) =
        onboarding_split(&dataset_of(data, ratings), held_out, 5, 4.0).expect("split");
    let recommender = RecommenderBuilder::new()
        .als(
            AlsConfig::new()
                .factors(64)
                .regularization(20.0)
                .alpha(1.0)
                .iterations(15)
                .seed(42),
        )
        .fit(&train)
        .expect("recommender fits");
    Protocol {
        train,
        users,
        recommender,
    }
}

/// The users with other request histories (their relevant items unchanged).
fn with_history(
    users: &[HeldOutUser],
    f: impl Fn(&UserHistory) -> UserHistory,
) -> Vec<HeldOutUser> {
    users
        .iter()
        .map(|u| HeldOutUser {
            history: f(&u.history),
            relevant: u.relevant.clone(),
        })
        .collect()
}

fn for_you(p: &Protocol, users: &[HeldOutUser]) -> Report {
    evaluate_recommender(&p.recommender, users, 10, &Query::new(List::ForYou)).expect("evaluates")
}

/// Top-10 lists of fixed per-user scores, scored like `evaluate_recommender`.
fn score_lists(p: &Protocol, scores: impl Fn(&HeldOutUser) -> Vec<f32>) -> Report {
    let index = |id: &str| p.train.items.index_of(id);
    let (mut lists, mut relevant) = (Vec::new(), Vec::new());
    for user in &p.users {
        let mut rel: Vec<u32> = user.relevant.iter().filter_map(|id| index(id)).collect();
        rel.sort_unstable();
        rel.dedup();
        let list = if rel.is_empty() {
            Vec::new()
        } else {
            recsys_core::topk::top_n(&scores(user), 10, |_| false)
                .iter()
                .map(|s| s.item)
                .collect()
        };
        lists.push(list);
        relevant.push(rel);
    }
    summarize(&lists, &relevant, &vec![true; p.train.n_items()], 10).expect("metrics")
}

fn favorites(history: &UserHistory) -> Favorites {
    Favorites {
        genres: history.favorite_genres().to_vec(),
        genre_weights: history.favorite_genre_weights().to_vec(),
        ..Favorites::default()
    }
}

/// The recommender's onboarding scores rebuilt outside it (z-scored log popularity plus
/// `tilt` times the weighted share of matched favourites), for the tuning grid.
fn tilted(p: &Protocol, tilt: f32) -> impl Fn(&HeldOutUser) -> Vec<f32> + '_ {
    let model = TrendingConfig::new()
        .fit(
            p.train.events(),
            p.train.n_items(),
            &FeedbackPolicy::default(),
        )
        .expect("popularity");
    let mut popularity: Vec<f32> = model
        .scores(PopularityKind::AllTime)
        .iter()
        .map(|c| c.ln_1p())
        .collect();
    let n = popularity.len() as f64;
    let mean = popularity.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let sd = (popularity
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    popularity
        .iter_mut()
        .for_each(|v| *v = ((f64::from(*v) - mean) / sd) as f32);
    move |user| {
        let matched = model
            .onboarding_scores(
                p.train.catalog(),
                &favorites(&user.history),
                PopularityKind::AllTime,
                0.0,
            )
            .expect("scores");
        popularity
            .iter()
            .zip(matched)
            .map(|(&pop, m)| pop + tilt * m)
            .collect()
    }
}

/// Genre-weighted popularity: training count times the weighted share of quiz genres matched.
fn genre_weighted_popularity(p: &Protocol) -> impl Fn(&HeldOutUser) -> Vec<f32> + '_ {
    let mut counts = vec![0.0f32; p.train.n_items()];
    for e in p.train.events() {
        counts[e.item as usize] += 1.0;
    }
    let model = TrendingConfig::new()
        .fit(
            p.train.events(),
            p.train.n_items(),
            &FeedbackPolicy::default(),
        )
        .expect("popularity");
    move |user| {
        let matched = model
            .onboarding_scores(
                p.train.catalog(),
                &favorites(&user.history),
                PopularityKind::AllTime,
                0.0,
            )
            .expect("scores");
        counts.iter().zip(matched).map(|(&c, m)| c * m).collect()
    }
}

/// Each user's quiz as a pseudo-history: each genre's `total · weight / Σ weight` (at least
/// one) most popular training items, each once, with `feedback`.
fn pseudo_histories(
    p: &Protocol,
    users: &[HeldOutUser],
    total: usize,
    feedback: Feedback,
) -> Vec<HeldOutUser> {
    let model = TrendingConfig::new()
        .fit(
            p.train.events(),
            p.train.n_items(),
            &FeedbackPolicy::default(),
        )
        .expect("popularity");
    with_history(users, |h| {
        let sum: f32 = h.favorite_genre_weights().iter().sum();
        let mut out = UserHistory::new();
        for (g, &w) in h.favorite_genres().iter().zip(h.favorite_genre_weights()) {
            let m = ((total as f32 * w / sum).round() as usize).max(1);
            for s in model
                .popular_in(p.train.catalog(), g, PopularityKind::AllTime, m)
                .expect("genre")
            {
                let id = p.train.items.id_of(s.item).expect("id");
                // An item of several quiz genres once (as the recommender does).
                if !out.events().iter().any(|e| e.item_id == id) {
                    out = out.with(id, feedback, 0);
                }
            }
        }
        out
    })
}

/// For You of pseudo-histories, their items left recommendable (they are not the user's).
fn for_you_seen_kept(p: &Protocol, users: &[HeldOutUser]) -> Report {
    let query = Query::new(List::ForYou).filters(Filters::new().exclude_seen(false));
    evaluate_recommender(&p.recommender, users, 10, &query).expect("evaluates")
}

fn print(label: &str, r: &Report) {
    println!(
        "{label:<40} nDCG@10 {:.4} P {:.4} R {:.4} HR {:.4} users {}",
        r.ndcg, r.precision, r.recall, r.hit_rate, r.n_users
    );
}

/// The quiz helps by a clear margin (5 % nDCG@10), and beats genre-weighted popularity by as
/// much.
fn assert_clear_margin(full: &Report, none: &Report, baseline: &Report) {
    for (other, name) in [(none, "no quiz"), (baseline, "genre-weighted popularity")] {
        assert!(
            full.ndcg >= 1.05 * other.ndcg,
            "quiz {} vs {name} {}",
            full.ndcg,
            other.ndcg
        );
    }
}

#[test]
fn the_quiz_beats_no_quiz_and_genre_weighted_popularity() {
    let data = movielens();
    let split = data.split(&data.ratings);
    let p = protocol(&data, &split.train, 0);
    let none = for_you(&p, &with_history(&p.users, |_| UserHistory::new()));
    let top = for_you(
        &p,
        &with_history(&p.users, |h| {
            UserHistory::new().with_favorite_genre(&h.favorite_genres()[0])
        }),
    );
    let unweighted = for_you(
        &p,
        &with_history(&p.users, |h| {
            h.favorite_genres()
                .iter()
                .fold(UserHistory::new(), |acc, g| acc.with_favorite_genre(g))
        }),
    );
    let full = for_you(&p, &p.users);
    let baseline = score_lists(&p, genre_weighted_popularity(&p));
    print("For You, no quiz", &none);
    print("For You, top quiz genre", &top);
    print("For You, full quiz, equal weights", &unweighted);
    print("For You, full quiz, weighted", &full);
    print("genre-weighted popularity", &baseline);
    // The recommender's onboarding is the pseudo-history the grid tuned.
    let replica = for_you_seen_kept(
        &p,
        &pseudo_histories(&p, &p.users, PSEUDO_ITEMS, Feedback::Watched),
    );
    assert!(
        (replica.ndcg - full.ndcg).abs() < 1e-9,
        "{} vs {}",
        replica.ndcg,
        full.ndcg
    );
    assert_clear_margin(&full, &none, &baseline);
}

/// The same bars with other held-out users (ids ≡ 2 mod 5), nothing tuned on them.
#[test]
fn the_quiz_helps_other_held_out_users_too() {
    let data = movielens();
    let split = data.split(&data.ratings);
    let p = protocol(&data, &split.train, 2);
    let none = for_you(&p, &with_history(&p.users, |_| UserHistory::new()));
    let full = for_you(&p, &p.users);
    let baseline = score_lists(&p, genre_weighted_popularity(&p));
    print("other users: For You, no quiz", &none);
    print("other users: For You, full quiz, weighted", &full);
    print("other users: genre-weighted popularity", &baseline);
    assert_clear_margin(&full, &none, &baseline);
}

#[test]
#[ignore = "tuning grid (validation split)"]
fn tilt_grid_on_validation() {
    let data = movielens();
    let split = data.split(&data.ratings);
    let validation = data.split(&split.train);
    let p = protocol(&data, &validation.train, 0);
    print(
        "genre-weighted popularity",
        &score_lists(&p, genre_weighted_popularity(&p)),
    );
    for tilt in [0.0, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 100.0] {
        print(&format!("tilt {tilt}"), &score_lists(&p, tilted(&p, tilt)));
    }
    // The quiz as a pseudo-history of each genre's most popular films (the recommender's
    // onboarding); "seen kept" leaves them recommendable, as the recommender does.
    for (total, feedback) in [5usize, 10, 20, 40]
        .into_iter()
        .flat_map(|t| [(t, Feedback::Watched), (t, Feedback::Like)])
    {
        let users = pseudo_histories(&p, &p.users, total, feedback);
        print(
            &format!("pseudo-history of {total} {feedback:?}"),
            &for_you(&p, &users),
        );
        print(
            &format!("pseudo-history of {total} {feedback:?}, seen kept"),
            &for_you_seen_kept(&p, &users),
        );
    }
    print(
        "For You, no quiz",
        &for_you(&p, &with_history(&p.users, |_| UserHistory::new())),
    );
}
