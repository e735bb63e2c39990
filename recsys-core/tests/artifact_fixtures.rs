//! Saved artifacts from earlier builds keep loading (version 3 recommenders without EASE), or are
//! refused clearly (version 2).
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
use recsys_core::models::ease::EaseConfig;
use recsys_core::models::knn::ItemKnnConfig;
use recsys_core::models::mf::MfConfig;
use recsys_core::models::{History, TopN};
use recsys_core::recommender::{
    BlendConfig, List, Query, Recommender, RecommenderBuilder, UserHistory,
};
use recsys_core::Error;

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
        ds.item(id).title(title).genre(genre);
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
        .ease(Some(EaseConfig::new().lambda(2.0).neighbors(Some(4))))
        .blend(BlendConfig::new().ease(1.0))
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
    std::fs::write(
        dir.join(format!("recommender-v{version}.recsys")),
        &recommender,
    )
    .unwrap();
    let als = fixture_als().to_bytes().unwrap();
    std::fs::write(dir.join(format!("als-v{version}.recsys")), &als).unwrap();
    eprintln!(
        "wrote version {version} fixtures: recommender {} bytes, ALS {} bytes",
        recommender.len(),
        als.len()
    );
}

fn read_fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn version_2_artifacts_are_refused_with_a_clear_error() {
    for name in ["recommender-v2.recsys", "als-v2.recsys"] {
        let bytes = read_fixture(name);
        let err = if name.starts_with("als") {
            AlsModel::from_bytes(&bytes).unwrap_err()
        } else {
            Recommender::from_bytes(&bytes).unwrap_err()
        };
        assert!(
            matches!(
                err,
                Error::UnsupportedVersion {
                    found: 2,
                    supported: artifact::FORMAT_VERSION
                }
            ),
            "{name}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "unsupported artifact format version 2 (this build reads version {})",
                artifact::FORMAT_VERSION
            )
        );
        assert!(matches!(
            artifact::inspect(&bytes),
            Err(Error::UnsupportedVersion { found: 2, .. })
        ));
    }
}

/// What the current version's fixtures must still answer.
fn history() -> UserHistory {
    UserHistory::new()
        .with("f0", Feedback::Rating(5.0), 100)
        .with("f2", Feedback::Like, 101)
        .with("f1", Feedback::Rating(1.0), 102)
}

fn summary(recommender: &Recommender) -> Vec<(String, Vec<String>)> {
    let lists = [
        ("for-you", List::ForYou),
        ("trending", List::Trending),
        ("crime", List::by_genre("Crime")),
        ("similar-f4", List::similar_to("f4")),
    ];
    lists
        .into_iter()
        .map(|(name, list)| {
            let recs = recommender
                .recommend(&history(), &Query::new(list).n(3))
                .unwrap();
            let ids = recs.items.into_iter().map(|r| r.item_id).collect();
            (name.to_string(), ids)
        })
        .collect()
}

#[test]
fn version_3_fixtures_still_load_and_recommend_as_recorded() {
    // Version 3 recommenders have no EASE part: they load without one and answer as before.
    let bytes = read_fixture("recommender-v3.recsys");
    let recommender = Recommender::from_bytes(&bytes).unwrap();
    assert_eq!(
        recommender.blend().clone(),
        recommender.blend().clone().ease(0.0)
    );
    let expected = [
        ("for-you", ["f4", "f6", "f3"]),
        ("trending", ["f3", "f4", "f5"]),
        ("crime", ["f3", "f5", "f7"]),
        ("similar-f4", ["f6", "f3", "f7"]),
    ];
    let expected: Vec<(String, Vec<String>)> = expected
        .iter()
        .map(|(name, ids)| (name.to_string(), ids.map(str::to_string).to_vec()))
        .collect();
    assert_eq!(summary(&recommender), expected);
    assert_eq!(artifact::fingerprint(&bytes).unwrap(), "8500cbf6df61692a");
    // Saved again, it is a current-version file that loads as the same model.
    let again = Recommender::from_bytes(&recommender.to_bytes().unwrap()).unwrap();
    assert_eq!(again.fingerprint(), recommender.fingerprint());
    assert_eq!(summary(&again), expected);

    // The ALS shape did not change: the version 3 file loads and re-encodes to the same
    // payload (only the header's version and checksum differ).
    let bytes = read_fixture("als-v3.recsys");
    let als = AlsModel::from_bytes(&bytes).unwrap();
    let current = als.to_bytes().unwrap();
    assert_eq!(
        artifact::fingerprint(&current).unwrap(),
        artifact::fingerprint(&bytes).unwrap()
    );
    assert_eq!(artifact::inspect(&current).unwrap().format_version, 4);
    let recs = als
        .recommend(None, History::new(&[0, 2], &[5.0, 1.0]), &TopN::new(3))
        .unwrap();
    let items: Vec<u32> = recs.iter().map(|s| s.item).collect();
    assert_eq!(items, [4, 1, 3]);
    // A type without an older-shape reader refuses an older version rather than misread it.
    assert!(matches!(
        artifact::from_bytes::<AlsModel>("als", &bytes),
        Err(Error::UnsupportedVersion { found: 3, .. })
    ));
}

#[test]
fn version_4_fixtures_load_recommend_and_re_encode_identically() {
    assert_eq!(
        artifact::FORMAT_VERSION,
        4,
        "a new format version needs its own fixtures and this test for them"
    );
    let bytes = read_fixture("recommender-v4.recsys");
    let recommender = Recommender::from_bytes(&bytes).unwrap();
    // Same serialised shape: re-encoding gives the file back, byte for byte.
    assert_eq!(recommender.to_bytes().unwrap(), bytes);
    assert!(recommender.blend().clone() == fixture_recommender().blend().clone());
    let expected = EXPECTED_V4;
    let expected: Vec<(String, Vec<String>)> = expected
        .iter()
        .map(|(name, ids)| (name.to_string(), ids.map(str::to_string).to_vec()))
        .collect();
    assert_eq!(summary(&recommender), expected);
    // The fingerprint is a function of the payload bytes: stable across builds and platforms.
    assert_eq!(recommender.fingerprint(), FINGERPRINT_V4);
    assert_eq!(artifact::fingerprint(&bytes).unwrap(), FINGERPRINT_V4);

    let bytes = read_fixture("als-v4.recsys");
    let als = AlsModel::from_bytes(&bytes).unwrap();
    assert_eq!(als.to_bytes().unwrap(), bytes);
    assert_eq!((als.n_users(), als.n_items(), als.factors()), (12, 8, 3));
    let recs = als
        .recommend(None, History::new(&[0, 2], &[5.0, 1.0]), &TopN::new(3))
        .unwrap();
    let items: Vec<u32> = recs.iter().map(|s| s.item).collect();
    assert_eq!(items, [4, 1, 3]);
    for (got, want) in recs.iter().zip([0.607_617_7, 0.293_721, 0.235_498_5]) {
        assert!((got.score - want).abs() < 1e-4, "{} vs {want}", got.score);
    }
}

/// What `recommender-v4.recsys` answers (recorded when the file was written).
const EXPECTED_V4: [(&str, [&str; 3]); 4] = [
    ("for-you", ["f4", "f6", "f3"]),
    ("trending", ["f3", "f4", "f5"]),
    ("crime", ["f3", "f5", "f7"]),
    ("similar-f4", ["f6", "f3", "f7"]),
];
const FINGERPRINT_V4: &str = "2f79b2fa7f12f0c6";
