//! The hybrid recommender on MovieLens-100K (`scripts/fetch-movielens.sh` first): a full For You
//! request (fold-in, hybrid score, filters, top-10, reasons), Because You Liked, Similar To,
//! Trending, By Genre and an empty history with favourite genres (onboarding).
//! `cargo bench -p recsys-benches --bench recommender`.
//!
//! The history is a real user's whole rating history of median length.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use recsys_core::data::loaders::recbole::load_recbole_dir;
use recsys_core::data::Feedback;
use recsys_core::recommender::{Filters, List, Query, RecommenderBuilder, UserHistory};

fn recommender(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/ml-100k");
    let dataset = load_recbole_dir(&dir, "ml-100k")
        .unwrap_or_else(|e| panic!("{e}: run scripts/fetch-movielens.sh first"));
    let recommender = RecommenderBuilder::new()
        .fit(&dataset)
        .expect("recommender fits");

    // Every user's history; take the user of median history length.
    let mut histories = vec![UserHistory::new(); dataset.n_users()];
    for e in dataset.events() {
        let item = dataset.items.id_of(e.item).expect("known item");
        histories[e.user as usize].push(item, e.feedback, e.timestamp);
    }
    let mut by_length: Vec<(usize, usize)> = histories
        .iter()
        .enumerate()
        .map(|(u, h)| (h.events().len(), u))
        .collect();
    by_length.sort_unstable();
    let (length, user) = by_length[by_length.len() / 2];
    let history = &histories[user];
    let liked = history
        .events()
        .iter()
        .find(|e| matches!(e.feedback, Feedback::Rating(r) if r >= 5.0))
        .map(|e| e.item_id.clone())
        .expect("the user liked something");
    println!("history of {length} ratings");

    let mut group = c.benchmark_group("recommender_ml100k");
    let for_you = Query::new(List::ForYou);
    group.bench_function("for_you_top10_with_reasons", |b| {
        b.iter(|| recommender.recommend(black_box(history), &for_you))
    });
    let with_sentences = Query::new(List::ForYou).explain(true);
    group.bench_function("for_you_top10_with_sentences", |b| {
        b.iter(|| recommender.recommend(black_box(history), &with_sentences))
    });
    let filtered = Query::new(List::ForYou).filters(
        Filters::new()
            .genre("Comedy")
            .genre("Drama")
            .years(1980, 1998),
    );
    group.bench_function("for_you_filtered", |b| {
        b.iter(|| recommender.recommend(black_box(history), &filtered))
    });
    let diverse = Query::new(List::ForYou).diversity(0.3);
    group.bench_function("for_you_mmr_0.3", |b| {
        b.iter(|| recommender.recommend(black_box(history), &diverse))
    });
    let because = Query::new(List::because_you_liked(&liked));
    group.bench_function("because_you_liked", |b| {
        b.iter(|| recommender.recommend(black_box(history), &because))
    });
    let similar = Query::new(List::similar_to(&liked));
    let anonymous = UserHistory::new();
    group.bench_function("similar_to", |b| {
        b.iter(|| recommender.recommend(black_box(&anonymous), &similar))
    });
    let trending = Query::new(List::Trending);
    group.bench_function("trending", |b| {
        b.iter(|| recommender.recommend(black_box(history), &trending))
    });
    let favorites = UserHistory::new()
        .with_favorite_genre("Film-Noir")
        .with_favorite_genre("Sci-Fi");
    group.bench_function("favorites_only", |b| {
        b.iter(|| recommender.recommend(black_box(&favorites), &for_you))
    });
    let by_genre = Query::new(List::by_genre("Film-Noir"));
    group.bench_function("by_genre", |b| {
        b.iter(|| recommender.recommend(black_box(history), &by_genre))
    });
    group.finish();
}

criterion_group!(benches, recommender);
criterion_main!(benches);
