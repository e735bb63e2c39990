//! The native core's answers to `fixtures/requests.json`, kept in `fixtures/expected.json`
//! for the wasm tests (`tests/web.rs`) to compare the browser build against.
//!
//! Each call is answered the way the bindings answer it: the JSON read by serde_json into the
//! core's types (a list method's options plus its list make the query), one core call, the
//! result's serde form, or the error's code, kind and message. After an intended change of
//! the core's answers regenerate the file with
//!
//! ```text
//! RECSYS_UPDATE_GOLDEN=1 cargo test --release -p recsys-wasm --test native
//! ```

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::PathBuf;

use recsys_core::artifact::Artifact;
use recsys_core::recommender::{List, Query, Recommender, UserHistory};
use recsys_core::{Error, Result};
use serde_json::{json, Map, Value};

fn read<T: serde::de::DeserializeOwned>(what: &'static str, value: &Value) -> Result<T> {
    let value = if value.is_null() {
        json!({})
    } else {
        value.clone()
    };
    serde_json::from_value(value).map_err(|err| Error::invalid(what, err))
}

/// A list method's query: `options` (a number is `n`) with the method's list.
fn list_query(list: List, options: Option<&Value>) -> Result<Query> {
    let mut map = match options {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(n @ Value::Number(_)) => Map::from_iter([("n".to_string(), n.clone())]),
        Some(other) => panic!("no such options in the fixtures: {other}"),
    };
    if map.contains_key("list") {
        return Err(Error::invalid(
            "options",
            "the method names the list: use `recommend(history, {list, ...})` for another one",
        ));
    }
    map.insert("list".into(), serde_json::to_value(&list).unwrap());
    read("options", &Value::Object(map))
}

fn answer(rec: &Recommender, call: &common::Call) -> Result<Value> {
    let args = &call.args;
    let history = || read::<UserHistory>("history", &args[0]);
    let text = |i: usize| args[i].as_str().expect("a string argument").to_string();
    let recommend = |query: Query| {
        let answer = rec.recommend(&history()?, &query)?;
        Ok(serde_json::to_value(answer).unwrap())
    };
    match call.method.as_str() {
        "recommend" => recommend(read("query", &args[1])?),
        "forYou" => recommend(list_query(List::ForYou, args.get(1))?),
        "trending" => recommend(list_query(List::Trending, args.get(1))?),
        "becauseYouLiked" => recommend(list_query(List::because_you_liked(&text(1)), args.get(2))?),
        "similarTo" => recommend(list_query(List::similar_to(&text(1)), args.get(2))?),
        "byGenre" => recommend(list_query(List::by_genre(&text(1)), args.get(2))?),
        "explainItem" => {
            Ok(serde_json::to_value(rec.explain_item(&history()?, &text(1))?).unwrap())
        }
        "predictRating" => Ok(json!(rec.predict_rating(&history()?, &text(1))?)),
        "item" => Ok(serde_json::to_value(rec.item(&text(0))).unwrap()),
        "searchTitles" => {
            let limit = args[1].as_u64().expect("limit") as usize;
            Ok(serde_json::to_value(rec.search_titles(&text(0), limit)).unwrap())
        }
        other => panic!("unknown method {other}"),
    }
}

#[test]
fn expected_answers_are_committed() {
    let rec = Recommender::from_bytes(common::ARTIFACT).expect("the fixture loads");
    let mut calls = Map::new();
    for call in common::calls() {
        let value = match answer(&rec, &call) {
            Ok(value) => value,
            Err(err) => json!({"error": {
                "code": err.code(),
                "kind": err.kind(),
                "message": err.to_string(),
            }}),
        };
        calls.insert(call.name.clone(), value);
    }
    let got = json!({
        "fingerprint": rec.fingerprint(),
        "n_items": rec.n_items(),
        "has_ratings": rec.has_ratings(),
        "genres": rec.genres(),
        "calls": calls,
    });
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/expected.json");
    if std::env::var_os("RECSYS_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
    }
    let expected: Value = serde_json::from_str(common::EXPECTED).expect("expected.json parses");
    // Within 1e-4: other CPUs take other SIMD paths through the same arithmetic.
    if let Err(difference) = common::close(&got, &expected, "") {
        panic!(
            "the core's answers changed at {difference}; review and regenerate (module docs):\n{}",
            serde_json::to_string_pretty(&got).unwrap()
        );
    }
}
