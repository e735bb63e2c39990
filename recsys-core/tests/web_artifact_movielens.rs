//! Compacted recommender artifacts (`Recommender::compact`, the browser's web artifact) on the
//! real MovieLens-100K: for each option, the artifact's size and the For You nDCG@10 on the
//! protocol split of `recommender_movielens.rs` (per-user temporal, last 20 %, relevant = test
//! rating ≥ 4), against the full model. Print the table with
//! `cargo test --release -p recsys-core --test web_artifact_movielens -- --nocapture`.

use recsys_core::artifact::{self, Artifact, FloatEncoding};
use recsys_core::data::Feedback;
use recsys_core::eval::{evaluate_recommender, held_out_users, ExternalEvent};
use recsys_core::recommender::{ArtifactOptions, List, Query, Recommender, RecommenderBuilder};

mod common;

#[test]
fn web_artifacts_are_small_and_keep_the_ranking_quality() {
    let data = common::movielens();
    let split = data.split(&data.ratings);
    let id = |item: u32| data.dataset.items.id_of(item).expect("known item");
    let user = |u: u32| data.dataset.users.id_of(u).expect("known user");
    let events = |ratings: &[recsys_core::eval::split::Rating]| -> Vec<ExternalEvent<'_>> {
        ratings
            .iter()
            .map(|r| {
                (
                    user(r.user),
                    id(r.item),
                    Feedback::Rating(r.value),
                    r.timestamp,
                )
            })
            .collect()
    };
    let (train, test) = (events(&split.train), events(&split.test));
    let mut dataset = data.dataset.without_events();
    for &(u, i, feedback, t) in &train {
        dataset.add_event(u, i, feedback, t).expect("valid event");
    }
    let users = held_out_users(train.iter().copied(), test.iter().copied(), 4.0).expect("users");
    let full = RecommenderBuilder::new().fit(&dataset).expect("fits");
    let ndcg = |rec: &Recommender| {
        evaluate_recommender(rec, &users, 10, &Query::new(List::ForYou))
            .expect("evaluates")
            .ndcg
    };
    let full_artifact = full.to_bytes().expect("encodes");
    let full_bytes = full_artifact.len();
    let full_ndcg = ndcg(&full);
    println!(
        "{:<52} {:>9} {:>9} {:>8}",
        "option", "bytes", "gzip -9", "nDCG@10"
    );
    println!(
        "{:<52} {full_bytes:>9} {:>9} {full_ndcg:>8.4}",
        "full (f32, all neighbours)",
        gzipped_len(&full_artifact).map_or_else(|| "n/a".to_string(), |n| n.to_string()),
    );
    // (label, options, the largest nDCG loss allowed; None: printed for comparison only)
    let options = [
        (
            "request-only catalogue",
            ArtifactOptions::new().request_only_catalog(true),
            Some(0.0),
        ),
        (
            "f16",
            ArtifactOptions::new().floats(FloatEncoding::F16),
            Some(0.01),
        ),
        (
            "int8",
            ArtifactOptions::new().floats(FloatEncoding::Int8),
            Some(0.01),
        ),
        (
            "pruned (f32, 150 + 30 neighbours, 50 EASE weights)",
            ArtifactOptions::new()
                .item_neighbors(Some(ArtifactOptions::WEB_ITEM_NEIGHBORS))
                .content_neighbors(Some(ArtifactOptions::WEB_CONTENT_NEIGHBORS))
                .ease_weights(Some(ArtifactOptions::WEB_EASE_WEIGHTS)),
            Some(0.01),
        ),
        (
            "web (int8, 150 + 30 neighbours, 50 EASE weights)",
            ArtifactOptions::web(),
            Some(0.01),
        ),
        (
            "web, f16",
            ArtifactOptions::web().floats(FloatEncoding::F16),
            Some(0.01),
        ),
        (
            "web before (200 + 30 neighbours, 100 EASE weights)",
            ArtifactOptions::web()
                .item_neighbors(Some(200))
                .ease_weights(Some(100)),
            Some(0.01),
        ),
        (
            "web, 120 item-kNN, 30 EASE weights",
            ArtifactOptions::web()
                .item_neighbors(Some(120))
                .ease_weights(Some(30)),
            None,
        ),
    ];
    for (label, options, max_loss) in options {
        let compact = full.compact(&options).expect("compacts");
        let bytes = compact.to_bytes().expect("encodes");
        // What loads is what `compact` returned.
        let loaded = Recommender::from_bytes(&bytes).expect("loads");
        assert_eq!(loaded.fingerprint(), compact.fingerprint(), "{label}");
        assert_eq!(
            artifact::fingerprint(&bytes).unwrap(),
            compact.fingerprint()
        );
        let got = ndcg(&loaded);
        let loss = 1.0 - got / full_ndcg;
        println!(
            "{label:<52} {:>9} {:>9} {got:>8.4}  ({:+.2}% nDCG, {:.0}% of the bytes)",
            bytes.len(),
            gzipped_len(&bytes).map_or_else(|| "n/a".to_string(), |n| n.to_string()),
            -100.0 * loss,
            100.0 * bytes.len() as f64 / full_bytes as f64
        );
        assert!(bytes.len() < full_bytes, "{label}: {} bytes", bytes.len());
        if let Some(max_loss) = max_loss {
            assert!(
                loss <= max_loss,
                "{label}: nDCG {got} vs {full_ndcg} (loss {loss})"
            );
        }
    }
}

/// The length of `gzip -9` of `bytes`, when a `gzip` program runs here (printed only).
fn gzipped_len(bytes: &[u8]) -> Option<usize> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("gzip")
        .arg("-9c")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    output.status.success().then_some(output.stdout.len())
}
