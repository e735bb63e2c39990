//! The bindings under wasm-bindgen-test, in node and in headless Chromium:
//!
//! ```text
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!     cargo test --release --target wasm32-unknown-unknown -p recsys-wasm
//! # the same with CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_BROWSER=1
//! ```
//!
//! Every call of `fixtures/requests.json` made through the JS-facing methods with JS objects
//! equals the native core's answer in `fixtures/expected.json` (floats within 1e-4) and, for
//! the lists, the core's answer computed in this same wasm build exactly; bad input of every
//! kind throws a `RecsysError` with the core's code and leaves the handle usable.

#![cfg(target_arch = "wasm32")]

mod common;

use js_sys::{Array, Reflect, JSON};
use recsys_core::artifact::Artifact;
use recsys_core::recommender::{self as core, Query, Recommendations, UserHistory};
use recsys_wasm::Recommender;
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// A JS value from JSON text (`JSON.parse`), as a page would build it.
fn js(value: &Value) -> JsValue {
    JSON::parse(&value.to_string()).expect("valid JSON")
}

/// A JS value as JSON (`JSON.stringify`); `undefined` is `null`.
fn json_of(value: &JsValue) -> Value {
    if value.is_undefined() {
        return Value::Null;
    }
    let text: String = JSON::stringify(value).expect("stringifies").into();
    serde_json::from_str(&text).expect("parses")
}

fn recommender() -> Recommender {
    Recommender::from_bytes(common::ARTIFACT).expect("the fixture loads")
}

/// Calls one method of the JS-facing API.
fn call(rec: &Recommender, call: &common::Call) -> Result<JsValue, JsValue> {
    let a = &call.args;
    let text = |i: usize| a[i].as_str().expect("a string argument").to_string();
    let options = |i: usize| a.get(i).map(js);
    match call.method.as_str() {
        "recommend" => rec.recommend(js(&a[0]), js(&a[1])),
        "forYou" => rec.for_you(js(&a[0]), options(1)),
        "trending" => rec.trending(js(&a[0]), options(1)),
        "becauseYouLiked" => rec.because_you_liked(js(&a[0]), &text(1), options(2)),
        "similarTo" => rec.similar_to(js(&a[0]), &text(1), options(2)),
        "byGenre" => rec.by_genre(js(&a[0]), &text(1), options(2)),
        "explainItem" => rec.explain_item(js(&a[0]), &text(1)),
        "predictRating" => rec.predict_rating(js(&a[0]), &text(1)).map(JsValue::from),
        "item" => rec.item(&text(0)),
        "searchTitles" => rec.search_titles(&text(0), a[1].as_u64().map(|n| n as u32)),
        other => panic!("unknown method {other}"),
    }
}

/// The error's `{code, kind, message}`, checking it is a JS `Error` named `RecsysError`.
fn error_json(err: &JsValue) -> Value {
    let error: &js_sys::Error = err.dyn_ref().expect("a JS Error");
    assert_eq!(String::from(error.name()), "RecsysError");
    let field = |name: &str| {
        Reflect::get(err, &name.into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    json!({"code": field("code"), "kind": field("kind"), "message": String::from(error.message())})
}

#[wasm_bindgen_test]
fn every_call_equals_the_native_core() {
    let rec = recommender();
    let expected: Value = serde_json::from_str(common::EXPECTED).expect("expected.json");
    assert_eq!(rec.fingerprint(), expected["fingerprint"]);
    assert_eq!(json!(rec.n_items()), expected["n_items"]);
    assert_eq!(json!(rec.has_ratings()), expected["has_ratings"]);
    assert_eq!(json!(rec.genres()), expected["genres"]);
    let calls = common::calls();
    assert_eq!(calls.len(), expected["calls"].as_object().unwrap().len());
    for c in &calls {
        let got = match call(&rec, c) {
            Ok(value) => json_of(&value),
            Err(err) => json!({ "error": error_json(&err) }),
        };
        if let Err(difference) = common::close(&got, &expected["calls"][&c.name], &c.name) {
            panic!(
                "{}: wasm differs from native at {difference}\ngot {got}",
                c.name
            );
        }
    }
}

#[wasm_bindgen_test]
fn lists_equal_the_core_called_directly() {
    let rec = recommender();
    let core = core::Recommender::from_bytes(common::ARTIFACT).unwrap();
    for c in common::calls() {
        if c.method != "recommend" || c.name.starts_with("error") {
            continue;
        }
        let history: UserHistory = serde_json::from_value(if c.args[0].is_null() {
            json!({})
        } else {
            c.args[0].clone()
        })
        .unwrap();
        let query: Query = serde_json::from_value(if c.args[1].is_null() {
            json!({})
        } else {
            c.args[1].clone()
        })
        .unwrap();
        let direct = core.recommend(&history, &query).unwrap();
        let through_js: Recommendations =
            serde_wasm_bindgen::from_value(call(&rec, &c).unwrap()).unwrap();
        assert_eq!(through_js, direct, "{}", c.name);
    }
}

#[wasm_bindgen_test]
fn every_list_answers() {
    let rec = recommender();
    let h = js(&json!({"events": [{"item_id": "f0", "feedback": "like"}]}));
    let lists = [
        json!("for_you"),
        json!("trending"),
        json!({"kind": "because_you_liked", "item_id": "f0"}),
        json!({"kind": "by_genre", "genre": "Crime"}),
        json!({"kind": "similar_to", "item_id": "f1"}),
    ];
    for list in lists {
        let answer = json_of(
            &rec.recommend(h.clone(), js(&json!({"list": list, "n": 3})))
                .unwrap(),
        );
        let items = answer["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.len() <= 3, "{list}: {answer}");
        assert!(
            items.iter().all(|item| item["item_id"] != "f0"),
            "{list}: seen item"
        );
        assert!(items
            .iter()
            .all(|item| !item["reasons"].as_array().unwrap().is_empty()));
        assert_eq!(answer["model"], rec.fingerprint());
    }
}

/// Asserts that `result` is a `RecsysError` with `code` whose message contains `needle`.
#[track_caller]
fn assert_error(result: Result<JsValue, JsValue>, code: &str, needle: &str) {
    let err = result.expect_err("an error");
    let got = error_json(&err);
    assert_eq!(got["code"], code, "{got}");
    assert!(
        got["message"].as_str().unwrap().contains(needle),
        "{got} lacks {needle:?}"
    );
}

#[wasm_bindgen_test]
fn bad_js_input_throws_and_leaves_the_handle_usable() {
    let rec = recommender();
    let query = js(&json!({"list": "for_you", "n": 3}));
    let good = || json_of(&rec.recommend(JsValue::UNDEFINED, query.clone()).unwrap());
    let before = good();
    let rating = |value: f64| {
        let event = js(&json!({"item_id": "f0", "feedback": {"kind": "rating", "value": 0}}));
        let feedback = Reflect::get(&event, &"feedback".into()).unwrap();
        Reflect::set(&feedback, &"value".into(), &value.into()).unwrap();
        let history = js(&json!({}));
        Reflect::set(&history, &"events".into(), &Array::of1(&event)).unwrap();
        history
    };
    assert_error(
        rec.recommend(rating(f64::NAN), query.clone()),
        "invalid_parameter",
        "history.events[0].feedback.value: NaN is not a finite number",
    );
    assert_error(
        rec.predict_rating(rating(f64::INFINITY), "f1")
            .map(JsValue::from),
        "invalid_parameter",
        "inf is not a finite number",
    );
    // Wrong types where the core expects objects, strings and numbers.
    assert_error(
        rec.recommend(JsValue::from(42), query.clone()),
        "invalid_parameter",
        "history",
    );
    assert_error(
        rec.recommend(JsValue::UNDEFINED, "for_you".into()),
        "invalid_parameter",
        "query",
    );
    assert_error(
        rec.recommend(js(&json!({"events": {"item_id": "f0"}})), query.clone()),
        "invalid_parameter",
        "expected a sequence",
    );
    assert_error(
        rec.recommend(
            js(&json!({"events": [{"item_id": 7, "feedback": "like"}]})),
            query.clone(),
        ),
        "invalid_parameter",
        "expected a string",
    );
    assert_error(
        rec.recommend(js(&json!({})), js(&json!({"list": "for_you", "n": 2.5}))),
        "invalid_parameter",
        "2.5",
    );
    assert_error(
        rec.recommend(
            js(&json!({})),
            js(&json!({"list": {"kind": "by_genre", "genre": "Crime", "extra": 1}})),
        ),
        "invalid_parameter",
        "extra",
    );
    // What JSON cannot say: functions, cycles.
    let with_function = js(&json!({}));
    let parse_int = Reflect::get(&js_sys::global(), &"parseInt".into()).unwrap();
    assert!(parse_int.is_function());
    Reflect::set(&with_function, &"events".into(), &parse_int).unwrap();
    let cyclic = js(&json!({"events": []}));
    let events: Array = Reflect::get(&cyclic, &"events".into())
        .unwrap()
        .unchecked_into();
    events.push(&cyclic);
    assert_error(
        rec.recommend(with_function, query.clone()),
        "invalid_parameter",
        "function",
    );
    assert_error(
        rec.recommend(cyclic, query.clone()),
        "invalid_parameter",
        "nested too deeply",
    );
    assert_error(
        rec.for_you(JsValue::NULL, Some("ten".into())),
        "invalid_parameter",
        "options",
    );
    assert_error(
        rec.for_you(JsValue::NULL, Some(js(&json!({"list": "trending"})))),
        "invalid_parameter",
        "the method names the list",
    );
    assert_error(
        rec.similar_to(JsValue::NULL, "nope", None),
        "unknown_item",
        "nope",
    );
    // A BigInt timestamp is a number like any other.
    let big = js(&json!({"events": [{"item_id": "f0", "feedback": "like"}]}));
    let event = Array::from(&Reflect::get(&big, &"events".into()).unwrap()).get(0);
    Reflect::set(
        &event,
        &"timestamp".into(),
        &js_sys::BigInt::from(17i64).into(),
    )
    .unwrap();
    assert!(rec.recommend(big, query.clone()).is_ok());
    // After all of that the handle answers exactly as before.
    assert_eq!(good(), before);
    assert_eq!(
        error_json(
            &rec.recommend(JsValue::NULL, js(&json!({"list": "for_me"})))
                .unwrap_err()
        )["kind"],
        "bad_request"
    );
    assert_eq!(good(), before);
}

#[wasm_bindgen_test]
fn bad_artifacts_are_refused_with_the_core_code() {
    let bytes = common::ARTIFACT;
    let refused =
        |bytes: &[u8]| error_json(&Recommender::from_bytes(bytes).err().expect("refused"));
    for cut in [0, 7, 30, bytes.len() / 2, bytes.len() - 1] {
        let err = refused(&bytes[..cut]);
        assert_eq!(err["code"], "corrupt_artifact", "cut at {cut}: {err}");
        assert_eq!(err["kind"], "bad_model");
    }
    assert_eq!(
        refused(b"<!doctype html><html>not found</html>")["code"],
        "corrupt_artifact"
    );
    let mut flipped = bytes.to_vec();
    flipped[bytes.len() - 3] ^= 0x40;
    assert_eq!(refused(&flipped)["code"], "corrupt_artifact");
    let v2 = include_bytes!("../../recsys-core/tests/fixtures/artifacts/recommender-v2.recsys");
    let err = refused(v2);
    assert_eq!(err["code"], "unsupported_version", "{err}");
    let als = include_bytes!("../../recsys-core/tests/fixtures/artifacts/als-v3.recsys");
    assert_eq!(refused(als)["kind"], "bad_model");
    // A refused artifact does not disturb a loaded one.
    let rec = recommender();
    assert!(rec.trending(JsValue::NULL, None).is_ok());
}

#[wasm_bindgen_test]
fn packed_web_artifacts_load_checked_and_answer_as_compacted() {
    use recsys_core::artifact::FloatEncoding;
    use recsys_core::recommender::ArtifactOptions;
    let full = core::Recommender::from_bytes(common::ARTIFACT).expect("the fixture loads");
    for floats in [FloatEncoding::F16, FloatEncoding::Int8] {
        let web = full
            .compact(&ArtifactOptions::web().floats(floats))
            .expect("compacts");
        let bytes = web.to_bytes().expect("encodes");
        let rec = Recommender::from_bytes(&bytes).expect("a packed artifact loads");
        assert_eq!(rec.fingerprint(), web.fingerprint(), "{floats}");
        let history = json!({"events": [{"item_id": "f1", "feedback": "like"}]});
        let query = json!({"list": "for_you", "n": 5, "explain": true});
        let got = json_of(&rec.recommend(js(&history), js(&query)).expect("answers"));
        let history: UserHistory = serde_json::from_value(history).unwrap();
        let query: Query = serde_json::from_value(query).unwrap();
        let expected: Recommendations = web.recommend(&history, &query).unwrap();
        assert!(expected.unknown_ids.is_empty() && !expected.items.is_empty());
        let expected = serde_json::to_value(expected).unwrap();
        if let Err(difference) = common::close(&got, &expected, "") {
            panic!("{floats}: {difference}");
        }
        for cut in [bytes.len() / 2, bytes.len() - 1] {
            let err = error_json(
                &Recommender::from_bytes(&bytes[..cut])
                    .err()
                    .expect("refused"),
            );
            assert_eq!(
                err["code"], "corrupt_artifact",
                "{floats}, cut at {cut}: {err}"
            );
        }
    }
}
