//! recsys in the browser: one [`Recommender`] handle built from the artifact bytes the server
//! writes (`fetch()` them, pass a `Uint8Array`), answering an anonymous visitor's history kept
//! in the browser with ranked items, scores and reasons.
//!
//! ```js
//! import init, { Recommender } from "./pkg/recsys_wasm.js";
//! await init();
//! const bytes = new Uint8Array(await (await fetch("movies.recsys")).arrayBuffer());
//! const recommender = Recommender.fromBytes(bytes);
//! const history = { events: [{ item_id: "50", feedback: { kind: "rating", value: 5 } }] };
//! const { items } = recommender.recommend(history, { list: "for_you", n: 10, explain: true });
//! console.log(items.map((item) => `${item.title}: ${item.explanation}`));
//! try {
//!   recommender.recommend(history, { list: "for_me" });
//! } catch (err) {
//!   console.log(err.name, err.code, err.kind, err.message); // RecsysError invalid_parameter bad_request …
//! }
//! ```
//!
//! Requests and results are plain JS objects in the core's serde shape (the same as the
//! example server's JSON and the Python dicts: `recsys_core::recommender::{UserHistory,
//! Query, Recommendations}`); the generated `.d.ts` types them. The bindings only convert and
//! call the core: every bad input is a thrown `RecsysError` carrying the core's message,
//! `code` and `kind`, and the handle stays usable after it (it is immutable).

mod convert;

use recsys_core::artifact::Artifact;
use recsys_core::recommender::{self as core, List, Query};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use convert::{error, from_js, from_json, to_js, to_json};

/// Items per list when the options do not say.
const DEFAULT_N: u64 = 10;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** What a visitor did on an item: a rating, or a kind without a value. */
export type Feedback =
  | FeedbackKind
  | `rating:${number}`
  | { kind: "rating"; value: number }
  | { kind: FeedbackKind };
/** Feedback without a value. */
export type FeedbackKind = "like" | "dislike" | "watched" | "watchlisted" | "not_interested";
/** One event of a visitor's history (`timestamp` orders opinions: the latest wins). */
export interface HistoryEvent {
  item_id: string;
  feedback: Feedback;
  timestamp?: number;
}
/** A visitor's current history; `{}` (or `undefined`) is a first visit. */
export interface UserHistory {
  events?: HistoryEvent[];
  /** A list (equal weights) or weights by name: `{"Sci-Fi": 3, "Drama": 1}`. */
  favorite_genres?: string[] | Record<string, number>;
  favorite_people?: string[] | Record<string, number>;
}
/** Which list to build. */
export type List =
  | "for_you"
  | "trending"
  | { kind: "for_you" }
  | { kind: "trending" }
  | { kind: "because_you_liked"; item_id: string }
  | { kind: "by_genre"; genre: string }
  | { kind: "similar_to"; item_id: string };
/** Restrictions on the returned items (every field optional). */
export interface Filters {
  genres?: string[];
  min_year?: number | null;
  max_year?: number | null;
  tags?: string[];
  people?: string[];
  exclude_seen?: boolean;
  exclude_disliked?: boolean;
  exclude?: string[];
  candidates?: string[] | null;
}
/** A request without its list, for the list methods (`forYou`, `trending`, …). */
export interface QueryOptions {
  n?: number;
  filters?: Filters;
  diversity?: number | null;
  explain?: boolean;
  detail?: boolean;
}
/** One request: `{ list: "for_you", n: 10 }`. Unknown fields are errors. */
export interface Query extends QueryOptions {
  list?: List;
}
/** An item as results cite it. */
export interface ItemRef {
  item_id: string;
  title?: string;
  year?: number;
}
/** A history item a reason cites, with its share of the signal. */
export interface CitedItem extends ItemRef {
  share: number;
}
/** A person's role on an item. */
export type Role = "actor" | "director" | "writer" | "producer";
/** How many people of one role two items share. */
export interface RoleCount {
  role: Role;
  count: number;
}
/** One structured reason (future versions may add kinds). */
export type Reason =
  | { kind: "because_you_liked"; items: CitedItem[] }
  | { kind: "shared_people"; item: ItemRef; roles: RoleCount[]; name?: string }
  | { kind: "shared_genres"; item: ItemRef; genres: string[] }
  | { kind: "similar_to"; item: ItemRef }
  | { kind: "matches_taste"; genre: string }
  | { kind: "you_like"; name: string }
  | { kind: "trending"; window_days?: number; until?: number }
  | { kind: "popular_in"; genre: string; window_days?: number; until?: number }
  | { kind: "popular" }
  | { kind: "new_arrival" }
  | { kind: "because_you_watched"; items: CitedItem[] }
  | { kind: "on_your_watchlist"; items: CitedItem[] }
  | { kind: "weak_match" }
  | { kind: "matches_query"; terms: string[]; period?: string };
/** How much each signal added to a blended score. */
export interface ScoreParts {
  collaborative: number;
  content: number;
  popularity: number;
}
/** One history item's share of a collaborative score. */
export interface Contribution {
  item_id: string;
  value: number;
}
/** The ALS decomposition of a collaborative score, and the blended score's baseline and
 *  per-history-item parts (`detail: true`; baseline + parts + parts.popularity = score). */
export interface Collaborative {
  score: number;
  contributions: Contribution[];
  baseline: number;
  parts: Contribution[];
}
/** One recommended item. */
export interface Recommendation {
  item_id: string;
  title?: string;
  year?: number;
  score: number;
  parts: ScoreParts;
  reasons: Reason[];
  /** The reasons as a sentence (`explain: true`). */
  explanation?: string;
  collaborative?: Collaborative;
}
/** The answer to a request. */
export interface Recommendations {
  items: Recommendation[];
  /** History and filter ids the model does not know (ignored). */
  unknown_ids: string[];
  /** The answering model's fingerprint. */
  model: string;
}
/** A person's credit on an item. */
export interface PersonCredit {
  person_id: string;
  name?: string;
  role: Role;
}
/** Everything the recommender knows about one item. */
export interface ItemView {
  item_id: string;
  title?: string;
  year?: number;
  genres: string[];
  tags: string[];
  people: PersonCredit[];
  interactions: number;
}
/** What kind of failure a `RecsysError` is. */
export type ErrorKind = "bad_request" | "not_found" | "bad_model" | "internal";
/** What every method throws: the core's message, its stable `code` and `kind`. */
export interface RecsysError extends Error {
  name: "RecsysError";
  /** `"invalid_parameter"`, `"unknown_item"`, `"corrupt_artifact"`, … */
  code: string;
  kind: ErrorKind;
}
"#;

/// A trained recommender loaded from artifact bytes: immutable, answers any number of
/// requests. Every method throws a `RecsysError` for bad input and stays usable afterwards.
#[wasm_bindgen]
pub struct Recommender {
    inner: core::Recommender,
}

type JsResult<T> = Result<T, JsValue>;

#[wasm_bindgen]
impl Recommender {
    /// Loads a recommender artifact (the bytes of a `.recsys` file written by
    /// `Recommender::save` / `to_bytes`, plain or a packed web artifact from
    /// `build-artifact --web`). Throws a `RecsysError` with code
    /// `corrupt_artifact` for truncated or foreign bytes, `unsupported_version` for another
    /// format version.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> JsResult<Recommender> {
        #[cfg(feature = "console_error_panic_hook")]
        console_error_panic_hook::set_once();
        core::Recommender::from_bytes(bytes)
            .map(|inner| Recommender { inner })
            .map_err(|err| error(&err))
    }

    /// Answers one request: `history` and `query` in the core's JSON shape, e.g.
    /// `recommend({events: [...]}, {list: "for_you", n: 10})`. `undefined` reads as `{}`.
    #[wasm_bindgen(unchecked_return_type = "Recommendations")]
    pub fn recommend(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserHistory | null | undefined")] history: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Query | null | undefined")] query: JsValue,
    ) -> JsResult<JsValue> {
        let history: core::UserHistory = from_js("history", &history).map_err(|e| error(&e))?;
        let query: Query = from_js("query", &query).map_err(|e| error(&e))?;
        self.answer(&history, &query)
    }

    /// Personal recommendations: `forYou(history, 10)` or `forYou(history, {n: 10, ...})`.
    #[wasm_bindgen(js_name = forYou, unchecked_return_type = "Recommendations")]
    pub fn for_you(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserHistory | null | undefined")] history: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | QueryOptions | null")]
        options: Option<JsValue>,
    ) -> JsResult<JsValue> {
        self.list(&history, List::ForYou, options)
    }

    /// Items like one the visitor liked, with reasons citing it.
    #[wasm_bindgen(js_name = becauseYouLiked, unchecked_return_type = "Recommendations")]
    pub fn because_you_liked(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserHistory | null | undefined")] history: JsValue,
        item_id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "number | QueryOptions | null")]
        options: Option<JsValue>,
    ) -> JsResult<JsValue> {
        self.list(&history, List::because_you_liked(item_id), options)
    }

    /// Items similar to one item (an item page), whatever the history.
    #[wasm_bindgen(js_name = similarTo, unchecked_return_type = "Recommendations")]
    pub fn similar_to(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserHistory | null | undefined")] history: JsValue,
        item_id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "number | QueryOptions | null")]
        options: Option<JsValue>,
    ) -> JsResult<JsValue> {
        self.list(&history, List::similar_to(item_id), options)
    }

    /// What is popular lately.
    #[wasm_bindgen(unchecked_return_type = "Recommendations")]
    pub fn trending(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserHistory | null | undefined")] history: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | QueryOptions | null")]
        options: Option<JsValue>,
    ) -> JsResult<JsValue> {
        self.list(&history, List::Trending, options)
    }

    /// Items of one genre (case-insensitive), personalised when the history likes something.
    #[wasm_bindgen(js_name = byGenre, unchecked_return_type = "Recommendations")]
    pub fn by_genre(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserHistory | null | undefined")] history: JsValue,
        genre: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "number | QueryOptions | null")]
        options: Option<JsValue>,
    ) -> JsResult<JsValue> {
        self.list(&history, List::by_genre(genre), options)
    }

    /// Why `itemId` suits this history, whether or not a list shows it ("Why this movie?"):
    /// its score, parts, reasons, sentence and collaborative decomposition.
    #[wasm_bindgen(js_name = explainItem, unchecked_return_type = "Recommendation")]
    pub fn explain_item(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserHistory | null | undefined")] history: JsValue,
        item_id: &str,
    ) -> JsResult<JsValue> {
        let history: core::UserHistory = from_js("history", &history).map_err(|e| error(&e))?;
        let why = self
            .inner
            .explain_item(&history, item_id)
            .map_err(|e| error(&e))?;
        to_js(&why)
    }

    /// The star rating this history's visitor would give `itemId` (within the training
    /// scale). Throws when the model has no rating model (see `hasRatings`).
    #[wasm_bindgen(js_name = predictRating)]
    pub fn predict_rating(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserHistory | null | undefined")] history: JsValue,
        item_id: &str,
    ) -> JsResult<f32> {
        let history: core::UserHistory = from_js("history", &history).map_err(|e| error(&e))?;
        self.inner
            .predict_rating(&history, item_id)
            .map_err(|e| error(&e))
    }

    /// Everything known about one item, or `undefined` for an unknown id.
    #[wasm_bindgen(unchecked_return_type = "ItemView | undefined")]
    pub fn item(&self, item_id: &str) -> JsResult<JsValue> {
        match self.inner.item(item_id) {
            Some(view) => to_js(&view),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Whether `itemId` is in the catalogue.
    pub fn contains(&self, item_id: &str) -> bool {
        self.inner.contains(item_id)
    }

    /// Every genre of the catalogue, sorted.
    pub fn genres(&self) -> Vec<String> {
        self.inner
            .genres()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Items whose title contains `text` (case-insensitive), for a search box: title
    /// prefixes first, then word prefixes, then other matches, popular items first within
    /// each; at most `limit` (default 10) items.
    #[wasm_bindgen(js_name = searchTitles, unchecked_return_type = "ItemRef[]")]
    pub fn search_titles(&self, text: &str, limit: Option<u32>) -> JsResult<JsValue> {
        let limit = limit.map_or(DEFAULT_N as usize, |limit| limit as usize);
        to_js(&self.inner.search_titles(text, limit.min(Query::MAX_N)))
    }

    /// The model's fingerprint (16 hex digits): equal to `Recommendations.model`, a cache key
    /// that changes with every model.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint().to_string()
    }

    /// The number of items in the catalogue.
    #[wasm_bindgen(getter, js_name = nItems)]
    pub fn n_items(&self) -> usize {
        self.inner.n_items()
    }

    /// Whether `predictRating` works (the model was trained on explicit ratings).
    #[wasm_bindgen(getter, js_name = hasRatings)]
    pub fn has_ratings(&self) -> bool {
        self.inner.has_ratings()
    }
}

impl Recommender {
    /// A list method: the options (a number is `n`) with the method's list.
    fn list(&self, history: &JsValue, list: List, options: Option<JsValue>) -> JsResult<JsValue> {
        let history: core::UserHistory = from_js("history", history).map_err(|e| error(&e))?;
        let query = list_query(list, options).map_err(|e| error(&e))?;
        self.answer(&history, &query)
    }

    fn answer(&self, history: &core::UserHistory, query: &Query) -> JsResult<JsValue> {
        let answer = self
            .inner
            .recommend(history, query)
            .map_err(|e| error(&e))?;
        to_js(&answer)
    }
}

/// The query of a list method: `options` is `n`, a [`Query`] without `list`, or nothing.
fn list_query(list: List, options: Option<JsValue>) -> recsys_core::Result<Query> {
    let mut json = match options {
        None => serde_json::Map::new(),
        Some(options) if options.is_undefined() || options.is_null() => serde_json::Map::new(),
        Some(options) => match to_json(&options, "options", "options", 0)? {
            Value::Object(map) => map,
            n @ Value::Number(_) => serde_json::Map::from_iter([("n".to_string(), n)]),
            other => {
                return Err(recsys_core::Error::invalid(
                    "options",
                    format!("expected a number of items or an object like {{n: 10}}, got {other}"),
                ))
            }
        },
    };
    if json.contains_key("list") {
        return Err(recsys_core::Error::invalid(
            "options",
            "the method names the list: use `recommend(history, {list, ...})` for another one",
        ));
    }
    let list = serde_json::to_value(&list).map_err(|e| recsys_core::Error::invalid("list", e))?;
    json.insert("list".to_string(), list);
    from_json("options", Value::Object(json))
}
