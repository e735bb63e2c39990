//! Saved artifacts from earlier builds keep loading, or are refused clearly.
//!
//! `tests/fixtures/artifacts/` holds small artifacts written by this file's [`write_fixtures`]
//! from a tiny deterministic dataset ([`fixture_dataset`]), one set per format version:
//! `recommender-v{N}.recsys` and `als-v{N}.recsys`. Regenerate the current version's files
//! (only when [`artifact::FORMAT_VERSION`] was bumped, never to make a failing test pass) with
//!
//! ```text
//! RECSYS_WRITE_FIXTURES=1 cargo test --release -p recsys-core --test artifact_fixtures \
//!     -- --ignored write_fixtures
//! ```
//!
//! The current version's fixtures must decode and re-encode byte for byte: a change of any
//! model's serialised fields that forgot to bump the format version fails here.

use std::path::PathBuf;

use recsys_core::artifact::{self, Artifact};
use recsys_core::data::{Dataset, Feedback};
use recsys_core::models::als::{AlsConfig, AlsModel};
use recsys_core::models::knn::ItemKnnConfig;
use recsys_core::models::mf::MfConfig;
use recsys_core::recommender::{Recommender, RecommenderBuilder};

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/artifacts")
}

/// Twelve users, eight films in two taste groups (even / odd), ratings on a 1–5 scale, genres.
fn fixture_dataset() -> Dataset {
    let mut ds = Dataset::new();
    let films = [
        ("f0", "Alien (1979)", "Sci-Fi"),
        ("f1", "Fargo (1996)", "Crime"),
        ("f2", "Aliens (1986)", "Sci-Fi"),
        ("f3", "Heat (1995)", "Crime"),
        ("f4", "Solaris (1972)", "Sci-Fi"),
        ("f5", "Se7en (1995)", "Crime"),
        ("f6", "Gattaca (1997)", "Sci-Fi"),
        ("f7", "Ronin (1998)", "Crime"),
    ];
    for (id, title, genre) in films {
        let (_, info) = ds.item_info_mut(id);
        info.title = Some(title.to_string());
        info.add_genre(genre);
    }
    for user in 0..12u32 {
        for item in 0..8u32 {
            let hash = (user * 31 + item * 17) % 7;
            let rating = if item % 2 == user % 2 && hash < 4 {
                5.0 - (hash % 2) as f32
            } else if hash == 6 {
                1.0
            } else {
                continue;
            };
            let timestamp = i64::from(user * 8 + item);
            ds.add_event(
                &format!("u{user}"),
                &format!("f{item}"),
                Feedback::Rating(rating),
                timestamp,
            )
            .unwrap();
        }
    }
    ds
}

fn fixture_recommender() -> Recommender {
    RecommenderBuilder::new()
        .als(
            AlsConfig::new()
                .factors(3)
                .regularization(0.5)
                .iterations(5)
                .seed(7),
        )
        .knn(Some(ItemKnnConfig::new().neighbors(3)))
        .ratings(Some(MfConfig::new().factors(2).epochs(5).seed(7)))
        .fit(&fixture_dataset())
        .unwrap()
}

fn fixture_als() -> AlsModel {
    let ds = fixture_dataset();
    let matrix = ds.interactions(&Default::default()).unwrap();
    AlsConfig::new()
        .factors(3)
        .regularization(0.5)
        .iterations(5)
        .seed(7)
        .fit(&matrix)
        .unwrap()
}

/// Writes the current format version's fixtures (see the module docs); does nothing unless
/// `RECSYS_WRITE_FIXTURES=1`.
#[test]
#[ignore = "writes fixtures; run with RECSYS_WRITE_FIXTURES=1"]
fn write_fixtures() {
    if std::env::var("RECSYS_WRITE_FIXTURES").as_deref() != Ok("1") {
        eprintln!("set RECSYS_WRITE_FIXTURES=1 to write the fixtures");
        return;
    }
    let dir = fixtures_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let version = artifact::FORMAT_VERSION;
    let recommender = fixture_recommender().to_bytes().unwrap();
    std::fs::write(dir.join(format!("recommender-v{version}.recsys")), &recommender).unwrap();
    let als = fixture_als().to_bytes().unwrap();
    std::fs::write(dir.join(format!("als-v{version}.recsys")), &als).unwrap();
    eprintln!(
        "wrote version {version} fixtures: recommender {} bytes, ALS {} bytes",
        recommender.len(),
        als.len()
    );
}
