//! The one JSON shape every consumer reads (Python dicts, the browser's JS objects, the
//! example server's API): a full `Recommendations` response of every list, compared with the
//! committed `fixtures/golden/recommendations.json`. A change to the shape shows up here as a
//! diff to review; after an intended change regenerate the file with
//!
//! ```text
//! RECSYS_UPDATE_GOLDEN=1 cargo test --release -p recsys-core --test golden_json
//! ```
//!
//! Numbers are rounded to 3 decimals before comparing: the test is about the shape and the
//! ranking, not the last bits of a float.

use std::path::PathBuf;

use recsys_core::prelude::*;
use serde_json::Value;

fn recommender() -> Recommender {
    let mut ds = Dataset::new();
    let movies = [
        ("m1", "Alien", 1979, "Sci-Fi", "p:scott"),
        ("m2", "Aliens", 1986, "Sci-Fi", "p:cameron"),
        ("m3", "Blade Runner", 1982, "Sci-Fi", "p:scott"),
        ("m4", "Heat", 1995, "Crime", "p:mann"),
        ("m5", "Fargo", 1996, "Crime", "p:coen"),
        ("m6", "Thief", 1981, "Crime", "p:mann"),
    ];
    for (id, title, year, genre, director) in movies {
        ds.item(id)
            .title(title)
            .year(year)
            .genre(genre)
            .credit(director, None, Role::Director);
    }
    ds.item("m3").tag("cyberpunk");
    let events = [
        ("ann", "m1", 5.0),
        ("ann", "m2", 4.0),
        ("ann", "m3", 5.0),
        ("bob", "m1", 4.0),
        ("bob", "m3", 5.0),
        ("bob", "m4", 2.0),
        ("cat", "m4", 5.0),
        ("cat", "m5", 4.0),
        ("cat", "m6", 5.0),
        ("dan", "m4", 4.0),
        ("dan", "m6", 4.0),
        ("dan", "m2", 3.0),
    ];
    for (position, (user, item, stars)) in events.into_iter().enumerate() {
        ds.add_event(user, item, Feedback::Rating(stars), position as i64)
            .expect("valid event");
    }
    RecommenderBuilder::new()
        .als(
            AlsConfig::new()
                .factors(3)
                .regularization(0.5)
                .iterations(10)
                .seed(7),
        )
        .fit(&ds)
        .expect("fits")
}

fn rounded(value: Value) -> Value {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if !n.is_i64() && !n.is_u64() => {
                serde_json::json!((f * 1000.0).round() / 1000.0)
            }
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(rounded).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, rounded(v))).collect())
        }
        other => other,
    }
}

#[test]
fn every_list_serialises_to_the_committed_shape() {
    let rec = recommender();
    // The request as a client sends it: JSON, with defaults for everything left out.
    let history: UserHistory = serde_json::from_str(
        r#"{"events": [
              {"item_id": "m1", "feedback": {"kind": "rating", "value": 5}, "timestamp": 1},
              {"item_id": "m4", "feedback": "dislike", "timestamp": 2},
              {"item_id": "unknown-movie", "feedback": "like"}
           ],
           "favorite_genres": ["Sci-Fi"]}"#,
    )
    .expect("history JSON");
    let queries = [
        r#"{"list": "for_you", "n": 3, "explain": true, "detail": true}"#,
        r#"{"list": {"kind": "because_you_liked", "item_id": "m1"}, "n": 2, "explain": true}"#,
        r#"{"list": "trending", "n": 2, "filters": {"min_year": 1980, "exclude": ["m6"]}}"#,
        r#"{"list": {"kind": "by_genre", "genre": "crime"}, "n": 2, "explain": true}"#,
        r#"{"list": {"kind": "similar_to", "item_id": "m3"}, "n": 2, "explain": true}"#,
    ];
    let mut responses = serde_json::Map::new();
    for text in queries {
        let query: Query = serde_json::from_str(text).expect("query JSON");
        let mut answer = rec.recommend(&history, &query).expect("answer");
        // The fingerprint changes with every build of the model: compare it apart.
        assert_eq!(answer.model, rec.fingerprint());
        answer.model = "<fingerprint>".into();
        responses.insert(
            text.to_string(),
            serde_json::to_value(&answer).expect("serialises"),
        );
    }
    let why = rec.explain_item(&history, "m5").expect("explain");
    responses.insert(
        "explain_item m5".into(),
        serde_json::to_value(&why).unwrap(),
    );
    let item = rec.item("m3").expect("known");
    responses.insert("item m3".into(), serde_json::to_value(&item).unwrap());
    let err = rec
        .recommend(&history, &Query::new(List::ForYou).n(5000))
        .unwrap_err();
    responses.insert(
        "error".into(),
        serde_json::json!({"code": err.code(), "kind": err.kind(), "message": err.to_string()}),
    );
    let got = rounded(Value::Object(responses));

    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/golden/recommendations.json");
    if std::env::var_os("RECSYS_UPDATE_GOLDEN").is_some() {
        let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
        std::fs::write(&path, text).expect("writes the golden file");
    }
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).expect("the golden file (see the module docs)"),
    )
    .expect("golden JSON parses");
    assert_eq!(
        got,
        expected,
        "the JSON shape changed; review the diff and regenerate (module docs):\n{}",
        serde_json::to_string_pretty(&got).unwrap()
    );
    // Results read back into the same types (what a Rust client of the server does).
    let first: Recommendations =
        serde_json::from_value(expected[queries[0]].clone()).expect("reads back");
    assert_eq!(first.items.len(), 3);
}
