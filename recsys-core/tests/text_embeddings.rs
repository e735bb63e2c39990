//! Text embeddings (feature `embeddings`) equal sentence-transformers' vectors: the model is
//! all-MiniLM-L6-v2 from a local Hub cache laid out by `scripts/fetch-minilm.sh` (directory
//! `$RECSYS_HF_CACHE`, default `data/hf-hub`), loaded by repo id without any network; the
//! golden vectors were written by `scripts/minilm-golden.py` with sentence-transformers.
//!
//! `scripts/fetch-minilm.sh && cargo test --release -p recsys-core --features embeddings --test text_embeddings`
#![cfg(feature = "embeddings")]

use std::path::PathBuf;

use recsys_core::artifact::hub::Hub;
use recsys_core::artifact::Artifact;
use recsys_core::data::{Dataset, Feedback};
use recsys_core::embed::{item_texts, TextEmbedder};
use recsys_core::models::als::AlsConfig;
use recsys_core::recommender::{Recommender, RecommenderBuilder, UserHistory};
use serde_json::Value;

const REPO: &str = "sentence-transformers/all-MiniLM-L6-v2";

fn cache_dir() -> PathBuf {
    let dir = std::env::var_os("RECSYS_HF_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/hf-hub"));
    assert!(
        dir.join("models--sentence-transformers--all-MiniLM-L6-v2/refs/main")
            .is_file(),
        "{} holds no all-MiniLM-L6-v2: run scripts/fetch-minilm.sh first (or set RECSYS_HF_CACHE)",
        dir.display()
    );
    dir
}

fn embedder() -> TextEmbedder {
    // An unreachable endpoint: the model must come from the cache alone.
    let hub = Hub::with_cache_dir(cache_dir(), Some("http://127.0.0.1:9")).expect("hub client");
    TextEmbedder::from_hub_client(&hub, REPO, "main").expect("the cached model loads")
}

#[test]
fn vectors_equal_sentence_transformers() {
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/embeddings/minilm-golden.json"
        ))
        .expect("golden file"),
    )
    .expect("golden JSON");
    let texts: Vec<&str> = golden["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let embedder = embedder();
    assert_eq!(embedder.dim(), 384);
    // Batched (padded to the longest text) and one at a time give the same vectors.
    let batched = embedder.embed(&texts).expect("embeds");
    let mut worst = 0.0f64;
    for (row, expected) in golden["vectors"].as_array().unwrap().iter().enumerate() {
        let single = embedder.embed(&texts[row..=row]).expect("embeds");
        for (column, expected) in expected.as_array().unwrap().iter().enumerate() {
            let expected = expected.as_f64().unwrap();
            for got in [batched[[row, column]], single[[0, column]]] {
                worst = worst.max((f64::from(got) - expected).abs());
            }
        }
    }
    println!("largest difference from sentence-transformers: {worst:.2e}");
    assert!(worst < 1e-5, "largest difference {worst}");
}

#[test]
fn a_missing_or_broken_model_is_a_clear_error() {
    let empty = std::env::temp_dir().join("recsys-no-minilm");
    let hub = Hub::with_cache_dir(&empty, Some("http://127.0.0.1:9")).unwrap();
    let err = TextEmbedder::from_hub_client(&hub, "acme/no-such-model", "main").unwrap_err();
    assert!(err.to_string().contains("acme/no-such-model"), "{err}");
    let dir = std::env::temp_dir().join(format!("recsys-broken-minilm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["config.json", "tokenizer.json", "model.safetensors"] {
        std::fs::write(dir.join(file), b"{not json").unwrap();
    }
    let err = TextEmbedder::from_dir(&dir).unwrap_err();
    assert!(err.to_string().contains("config.json"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn item_vectors_are_stored_in_the_artifact_and_serve_without_the_model() {
    let mut ds = Dataset::new();
    for (user, item) in [
        ("a", "alien"),
        ("a", "aliens"),
        ("b", "alien"),
        ("b", "heat"),
        ("c", "fargo"),
        ("c", "heat"),
    ] {
        ds.add_event(user, item, Feedback::Like, 0).unwrap();
    }
    ds.item("alien")
        .title("Alien")
        .year(1979)
        .genre("Sci-Fi")
        .genre("Horror");
    ds.item("aliens")
        .title("Aliens")
        .year(1986)
        .genre("Sci-Fi")
        .genre("Action");
    ds.item("fargo").title("Fargo").year(1996).genre("Crime");
    ds.item("heat")
        .title("Heat")
        .year(1995)
        .genre("Crime")
        .genre("Action");
    ds.item("space-pirates")
        .title("Space Pirates")
        .genre("Sci-Fi");
    assert_eq!(
        item_texts(&ds.catalog())[0],
        "Alien (1979). Sci-Fi, Horror."
    );
    let vectors = embedder().embed_catalog(&ds.catalog()).unwrap();
    assert_eq!(vectors.dim(), (5, 384));
    let recommender = RecommenderBuilder::new()
        .als(AlsConfig::new().factors(2))
        .item_embeddings(vectors, 0.5)
        .fit(&ds)
        .unwrap();
    let loaded = Recommender::from_bytes(&recommender.to_bytes().unwrap()).unwrap();
    // Discovery embeds free words with the stored vectors: no transformer at serving time.
    let found = loaded.discover(&UserHistory::new(), "pirates", 3).unwrap();
    assert_eq!(found.items[0].item_id, "space-pirates");
}
