//! What the native and the wasm tests share: the requests of `fixtures/requests.json`, the
//! artifact they run on, and a float-tolerant JSON comparison.

#![allow(dead_code)]

use serde_json::Value;

/// The committed format-3 recommender of recsys-core's compatibility fixtures (eight films,
/// Sci-Fi and Crime, with a rating model).
pub const ARTIFACT: &[u8] =
    include_bytes!("../../../recsys-core/tests/fixtures/artifacts/recommender-v3.recsys");

/// The requests, as JSON: `histories` by name and `calls` as `[name, method, args...]` where
/// a method's first argument names a history (or is `null`).
pub const REQUESTS: &str = include_str!("../fixtures/requests.json");

/// What the native core answered to each call (`RECSYS_UPDATE_GOLDEN=1 cargo test --release
/// -p recsys-wasm --test native` rewrites it).
pub const EXPECTED: &str = include_str!("../fixtures/expected.json");

/// One call of `fixtures/requests.json`.
pub struct Call {
    pub name: String,
    pub method: String,
    pub args: Vec<Value>,
}

/// The calls, with history names replaced by the histories.
pub fn calls() -> Vec<Call> {
    let requests: Value = serde_json::from_str(REQUESTS).expect("requests.json parses");
    let histories = &requests["histories"];
    let history_methods = [
        "recommend",
        "forYou",
        "becauseYouLiked",
        "similarTo",
        "trending",
        "byGenre",
        "explainItem",
        "predictRating",
    ];
    requests["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|call| {
            let call = call.as_array().expect("a call is an array");
            let name = call[0].as_str().expect("name").to_string();
            let method = call[1].as_str().expect("method").to_string();
            let mut args: Vec<Value> = call[2..].to_vec();
            if history_methods.contains(&method.as_str()) {
                if let Value::String(history) = args[0].clone() {
                    args[0] = histories[&history].clone();
                    assert!(!args[0].is_null(), "{name}: unknown history {history}");
                }
            }
            Call { name, method, args }
        })
        .collect()
}

/// Whether two JSON values are equal, numbers within a relative 1e-4 (the browser's float
/// arithmetic may differ from the native build's SIMD kernels in the last bits). On a
/// difference, the path of the first one.
pub fn close(got: &Value, expected: &Value, path: &str) -> Result<(), String> {
    match (got, expected) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            if (a - b).abs() <= 1e-4 * a.abs().max(b.abs()).max(1.0) {
                Ok(())
            } else {
                Err(format!("{path}: {a} vs {b}"))
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .try_for_each(|(i, (a, b))| close(a, b, &format!("{path}[{i}]"))),
        (Value::Object(a), Value::Object(b)) if a.len() == b.len() => {
            a.iter().try_for_each(|(k, v)| {
                b.get(k)
                    .ok_or_else(|| format!("{path}.{k}: not expected"))
                    .and_then(|w| close(v, w, &format!("{path}.{k}")))
            })
        }
        _ if got == expected => Ok(()),
        _ => Err(format!("{path}: {got} vs {expected}")),
    }
}
