//! Conversions at the boundary: JS values into the core's request types, results back into
//! plain JS objects, core errors into JS `Error`s.
//!
//! Requests go JS value → `serde_json::Value` → core type, so they are read by the very serde
//! code the server's JSON goes through, `deny_unknown_fields` included (serde-wasm-bindgen
//! reads structs by looking up the known fields only, so it would silently drop a misspelt
//! `{count: 5}`). The walk also refuses what JSON cannot say and `JSON.stringify` would
//! silently turn into `null`: NaN and ±Infinity, functions, symbols, cycles.

use recsys_core::Error;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

/// Deepest nesting of a request value (a request needs 5 levels; a cycle never ends).
const MAX_DEPTH: usize = 32;

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Reads `value` as the core type `T`; `undefined` and `null` read as `{}` (all defaults).
/// `what` names the argument in the error (`"history"`, `"query"`).
pub(crate) fn from_js<T: DeserializeOwned>(
    what: &'static str,
    value: &JsValue,
) -> Result<T, Error> {
    let json = if value.is_undefined() || value.is_null() {
        Value::Object(Map::new())
    } else {
        to_json(value, what, what, 0)?
    };
    from_json(what, json)
}

/// Reads a JSON value as the core type `T`, errors naming `what`.
pub(crate) fn from_json<T: DeserializeOwned>(what: &'static str, json: Value) -> Result<T, Error> {
    serde_json::from_value(json).map_err(|err| Error::invalid(what, err))
}

/// A JS value as JSON, as `JSON.stringify` would see it, except that what JSON cannot hold is
/// an error naming its place (`query.diversity`, `history.events[0].feedback.value`).
pub(crate) fn to_json(
    value: &JsValue,
    what: &'static str,
    path: &str,
    depth: usize,
) -> Result<Value, Error> {
    let bad = |problem: &str| Error::invalid(what, format!("{path}: {problem}"));
    if depth > MAX_DEPTH {
        return Err(bad("nested too deeply (is there a cycle?)"));
    }
    if value.is_null() || value.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(flag) = value.as_bool() {
        return Ok(Value::Bool(flag));
    }
    if let Some(number) = value.as_f64() {
        if !number.is_finite() {
            return Err(bad(&format!("{number} is not a finite number")));
        }
        // Whole numbers as integers, so they read as `usize`, `i64`, … (a rating of 4 is
        // still a valid `f32`).
        if number.fract() == 0.0 && number.abs() <= MAX_SAFE_INTEGER {
            return Ok(Value::Number(Number::from(number as i64)));
        }
        return Number::from_f64(number)
            .map(Value::Number)
            .ok_or_else(|| bad("not a JSON number"));
    }
    if let Some(text) = value.as_string() {
        return Ok(Value::String(text));
    }
    if value.is_bigint() {
        let big: js_sys::BigInt = value.clone().unchecked_into();
        return i64::try_from(big)
            .map(|n| Value::Number(Number::from(n)))
            .map_err(|_| bad("a BigInt outside the 64-bit integer range"));
    }
    if let Some(array) = value.dyn_ref::<js_sys::Array>() {
        return array
            .iter()
            .enumerate()
            .map(|(index, element)| to_json(&element, what, &format!("{path}[{index}]"), depth + 1))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    if value.is_function() || value.is_symbol() {
        return Err(bad("a function or symbol is not data"));
    }
    if value.is_object() {
        let object: &js_sys::Object = value.unchecked_ref();
        let mut map = Map::new();
        for entry in js_sys::Object::entries(object).iter() {
            let entry: js_sys::Array = entry.unchecked_into();
            let key = entry.get(0).as_string().unwrap_or_default();
            let field = entry.get(1);
            // Like JSON.stringify: a field set to `undefined` is a field left out.
            if field.is_undefined() {
                continue;
            }
            let field = to_json(&field, what, &format!("{path}.{key}"), depth + 1)?;
            map.insert(key, field);
        }
        return Ok(Value::Object(map));
    }
    Err(bad("not a JSON value"))
}

/// A result as a plain JS object in the core's serde shape (objects, not `Map`s).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|err| js_error("RecsysError", "internal", "internal", &err.to_string()))
}

/// A core error as a JS `Error` named `RecsysError`, with the core's `code`
/// (`"unknown_item"`, `"invalid_parameter"`, …) and `kind` (`"bad_request"`, `"not_found"`,
/// `"bad_model"`, `"internal"`).
pub(crate) fn error(err: &Error) -> JsValue {
    let kind = serde_json::to_value(err.kind())
        .ok()
        .and_then(|kind| kind.as_str().map(str::to_string))
        .unwrap_or_else(|| "internal".to_string());
    js_error("RecsysError", err.code(), &kind, &err.to_string())
}

fn js_error(name: &str, code: &str, kind: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name(name);
    // Setting a property of a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&error, &"code".into(), &code.into());
    let _ = js_sys::Reflect::set(&error, &"kind".into(), &kind.into());
    error.into()
}
