//! What all-MiniLM-L6-v2 item embeddings (feature `embeddings`) add to the hybrid on
//! MovieLens-100K, with and without them, at equal ALS settings: the protocol's per-user
//! temporal split (all users; the 71 items seen only in test are the cold items) and cold
//! users (every fifth user left out of training, their first 5 ratings as the history, the
//! rest rated ≥ 4 relevant). Items are embedded from `embed::item_text` (ML-100K: title,
//! year and genres; its people have no names).
//!
//! `scripts/fetch-minilm.sh && cargo test --release -p recsys-core --features embeddings
//! --test embeddings_movielens -- --ignored --nocapture` (a measurement, not a check: it
//! prints the figures the README cites).
#![cfg(feature = "embeddings")]

use std::path::PathBuf;

use ndarray::Array2;
use recsys_core::artifact::hub::Hub;
use recsys_core::data::{Dataset, Feedback};
use recsys_core::embed::TextEmbedder;
use recsys_core::eval::split::Rating;
use recsys_core::eval::{evaluate_recommender, held_out_users, ExternalEvent, Report};
use recsys_core::models::als::AlsConfig;
use recsys_core::recommender::{List, Query, Recommender, RecommenderBuilder};

mod common;

fn embedder() -> TextEmbedder {
    let dir = std::env::var_os("RECSYS_HF_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/hf-hub"));
    let hub = Hub::with_cache_dir(dir, Some("http://127.0.0.1:9")).expect("hub client");
    TextEmbedder::from_hub_client(&hub, "sentence-transformers/all-MiniLM-L6-v2", "main")
        .expect("run scripts/fetch-minilm.sh first")
}

fn events<'a>(data: &'a common::MovieLens, ratings: &[Rating]) -> Vec<ExternalEvent<'a>> {
    ratings
        .iter()
        .map(|r| {
            (
                data.dataset.users.id_of(r.user).unwrap(),
                data.dataset.items.id_of(r.item).unwrap(),
                Feedback::Rating(r.value),
                r.timestamp,
            )
        })
        .collect()
}

/// The full catalogue (same item order) with only `ratings` as events.
fn dataset_of(data: &common::MovieLens, ratings: &[Rating]) -> Dataset {
    let mut ds = data.dataset.without_events();
    for (user, item, feedback, time) in events(data, ratings) {
        ds.add_event(user, item, feedback, time).unwrap();
    }
    ds
}

fn fit(ds: &Dataset, embeddings: Option<&Array2<f32>>, weight: f32) -> Recommender {
    let mut builder = RecommenderBuilder::new().als(
        AlsConfig::new()
            .factors(64)
            .regularization(20.0)
            .iterations(15)
            .seed(42),
    );
    if let Some(vectors) = embeddings {
        builder = builder.item_embeddings(vectors.clone(), weight);
    }
    builder.fit(ds).expect("fits")
}

fn print(label: &str, r: &Report) {
    println!(
        "{label:<40} nDCG@10 {:.4} P {:.4} R {:.4} HR {:.4} cov {:.4} users {}",
        r.ndcg, r.precision, r.recall, r.hit_rate, r.coverage, r.n_users
    );
}

#[test]
#[ignore = "a measurement (about a minute): run with --ignored --nocapture"]
fn minilm_embeddings_with_and_without() {
    let data = common::movielens();
    let started = std::time::Instant::now();
    let vectors = embedder()
        .embed_catalog(data.dataset.catalog())
        .expect("embeds");
    println!(
        "embedded {} items in {:.1?}",
        vectors.nrows(),
        started.elapsed()
    );
    let query = Query::new(List::ForYou);

    // The public split: all users, warm and cold items.
    let split = data.split(&data.ratings);
    let train = dataset_of(&data, &split.train);
    let users =
        held_out_users(events(&data, &split.train), events(&data, &split.test), 4.0).unwrap();
    let train_items: std::collections::HashSet<&str> =
        events(&data, &split.train).iter().map(|e| e.1).collect();
    let cold_items: std::collections::HashSet<String> = events(&data, &split.test)
        .iter()
        .map(|e| e.1.to_string())
        .filter(|i| !train_items.contains(i.as_str()))
        .collect();
    for (label, embeddings, weight) in [
        ("temporal split, without", None, 0.0),
        ("temporal split, MiniLM weight 0.3", Some(&vectors), 0.3),
        ("temporal split, MiniLM weight 0.5", Some(&vectors), 0.5),
    ] {
        let rec = fit(&train, embeddings, weight);
        print(
            label,
            &evaluate_recommender(&rec, &users, 10, &query).unwrap(),
        );
        // Cold items: how often a list shows one, and how often that is a relevant one.
        let (mut shown, mut hits) = (0usize, 0usize);
        for user in &users {
            let recs = rec.recommend(&user.history, &query.clone().n(10)).unwrap();
            for item in recs
                .items
                .iter()
                .filter(|r| cold_items.contains(&r.item_id))
            {
                shown += 1;
                hits += usize::from(user.relevant.contains(&item.item_id));
            }
        }
        println!("{:<40} cold items shown {shown}, relevant {hits}", "");
    }

    // Cold users: every fifth user out of training; first 5 ratings in, the rest held out.
    let is_cold = |user: u32| user % 5 == 0;
    let warm: Vec<Rating> = data
        .ratings
        .iter()
        .filter(|r| !is_cold(r.user))
        .cloned()
        .collect();
    let mut cold: Vec<Rating> = data
        .ratings
        .iter()
        .filter(|r| is_cold(r.user))
        .cloned()
        .collect();
    cold.sort_by_key(|r| (r.user, r.timestamp, r.item));
    let (mut given, mut held) = (Vec::new(), Vec::new());
    let mut seen = std::collections::HashMap::new();
    for r in cold {
        let n = seen.entry(r.user).or_insert(0usize);
        if *n < 5 {
            given.push(r);
        } else {
            held.push(r);
        }
        *n += 1;
    }
    let warm_ds = dataset_of(&data, &warm);
    let cold_users = held_out_users(events(&data, &given), events(&data, &held), 4.0).unwrap();
    for (label, embeddings, weight) in [
        ("cold users, without", None, 0.0),
        ("cold users, MiniLM weight 0.3", Some(&vectors), 0.3),
        ("cold users, MiniLM weight 0.5", Some(&vectors), 0.5),
    ] {
        let rec = fit(&warm_ds, embeddings, weight);
        print(
            label,
            &evaluate_recommender(&rec, &cold_users, 10, &query).unwrap(),
        );
    }
}
