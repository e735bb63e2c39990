// recsys in a Web Worker: the same Recommender, its calls answered off the page's thread, so a
// long call never blocks scrolling or typing. Every method mirrors the main-thread class and
// returns a Promise of its result; errors reject with the same RecsysError (name, message,
// code, kind), and the worker stays usable after them.
//
//   import { RecommenderWorker } from "./pkg/recsys_worker.js";
//   const rec = await RecommenderWorker.fromUrl("ml-100k.recsys");   // fetched in the worker
//   const { items } = await rec.forYou(history, { n: 10, explain: true });
//   rec.terminate();

/** Where the worker script is, beside this module (in the package: pkg/). */
const DEFAULT_SCRIPT = new URL("./recsys_worker_main.js", import.meta.url);

function rebuildError({ name, message, code, kind }) {
  const err = new Error(message);
  err.name = name;
  if (code !== undefined) err.code = code;
  if (kind !== undefined) err.kind = kind;
  return err;
}

export class RecommenderWorker {
  #worker;
  #pending = new Map();
  #next = 0;

  /** @private: use `fromBytes` or `fromUrl`. */
  constructor(worker, info) {
    this.#worker = worker;
    this.fingerprint = info?.fingerprint ?? "";
    this.nItems = info?.nItems ?? 0;
    this.hasRatings = info?.hasRatings ?? false;
  }

  /** A worker holding the recommender of these artifact bytes (copied to the worker). */
  static fromBytes(bytes, options = {}) {
    return RecommenderWorker.#start(bytes, options);
  }

  /** A worker holding the recommender of the artifact at `url` (fetched by the worker). */
  static fromUrl(url, options = {}) {
    return RecommenderWorker.#start(new URL(url, globalThis.location?.href).href, options);
  }

  static async #start(source, { workerUrl = DEFAULT_SCRIPT, wasmUrl } = {}) {
    const worker = new Worker(workerUrl, { type: "module" });
    const client = new RecommenderWorker(worker);
    worker.onmessage = ({ data: { id, value, error } }) => {
      const call = client.#pending.get(id);
      if (!call) return;
      client.#pending.delete(id);
      if (error) call.reject(rebuildError(error));
      else call.resolve(value);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      client.#failAll(new Error(`recsys worker failed: ${event.message ?? "could not start"}`));
    };
    try {
      const info = await client.#call("load", [source, wasmUrl === undefined ? undefined : String(wasmUrl)]);
      client.fingerprint = info.fingerprint;
      client.nItems = info.nItems;
      client.hasRatings = info.hasRatings;
    } catch (err) {
      worker.terminate();
      throw err;
    }
    return client;
  }

  #call(method, args) {
    return new Promise((resolve, reject) => {
      if (!this.#worker) {
        reject(new Error("the RecommenderWorker was terminated"));
        return;
      }
      const id = this.#next++;
      this.#pending.set(id, { resolve, reject });
      try {
        this.#worker.postMessage({ id, method, args });
      } catch (err) {
        // E.g. a function inside the history: not cloneable, the worker never saw it.
        this.#pending.delete(id);
        reject(err);
      }
    });
  }

  #failAll(err) {
    for (const { reject } of this.#pending.values()) reject(err);
    this.#pending.clear();
  }

  recommend(history, query) { return this.#call("recommend", [history, query]); }
  forYou(history, options) { return this.#call("forYou", [history, options]); }
  becauseYouLiked(history, itemId, options) { return this.#call("becauseYouLiked", [history, itemId, options]); }
  similarTo(history, itemId, options) { return this.#call("similarTo", [history, itemId, options]); }
  trending(history, options) { return this.#call("trending", [history, options]); }
  byGenre(history, genre, options) { return this.#call("byGenre", [history, genre, options]); }
  explainItem(history, itemId) { return this.#call("explainItem", [history, itemId]); }
  predictRating(history, itemId) { return this.#call("predictRating", [history, itemId]); }
  item(itemId) { return this.#call("item", [itemId]); }
  contains(itemId) { return this.#call("contains", [itemId]); }
  genres() { return this.#call("genres", []); }
  searchTitles(text, limit) { return this.#call("searchTitles", [text, limit]); }

  /** Stops the worker; pending and later calls reject. */
  terminate() {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#failAll(new Error("the RecommenderWorker was terminated"));
  }
}
