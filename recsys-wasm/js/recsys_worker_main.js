// The script a RecommenderWorker runs (recsys_worker.js starts it as a module worker): one
// Recommender, loaded from the bytes or URL the page sends, answering the page's calls in
// order. A call is `{id, method, args}`; the answer `{id, value}` or `{id, error}` with the
// thrown error's name, message, code and kind (a RecsysError's fields survive the trip).
import init, { Recommender } from "./recsys_wasm.js";

/** The Recommender methods a page may call (the main-thread class's, minus getters). */
const METHODS = new Set([
  "recommend", "forYou", "becauseYouLiked", "similarTo", "trending", "byGenre",
  "explainItem", "predictRating", "item", "contains", "genres", "searchTitles",
]);

let ready;
let recommender;

async function load(source, wasmUrl) {
  ready ??= init(wasmUrl === undefined ? undefined : { module_or_path: wasmUrl });
  await ready;
  let bytes = source;
  if (!(source instanceof Uint8Array)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  }
  const loaded = Recommender.fromBytes(bytes);
  recommender?.free();
  recommender = loaded;
  return { fingerprint: loaded.fingerprint, nItems: loaded.nItems, hasRatings: loaded.hasRatings };
}

function call(method, args) {
  if (!recommender) throw new Error("no recommender loaded in this worker");
  if (!METHODS.has(method)) throw new TypeError(`RecommenderWorker has no method ${JSON.stringify(method)}`);
  return recommender[method](...args);
}

self.onmessage = async ({ data: { id, method, args } }) => {
  try {
    const value = method === "load" ? await load(...args) : call(method, args);
    self.postMessage({ id, value });
  } catch (err) {
    const { name = "Error", message = String(err), code, kind } = err ?? {};
    self.postMessage({ id, error: { name, message, code, kind } });
  }
};
