/* The Web Worker wrapper of recsys_wasm.js: the same methods, each returning a Promise. */
import type {
  ItemRef,
  ItemView,
  Query,
  QueryOptions,
  Recommendation,
  Recommendations,
  UserHistory,
} from "./recsys_wasm.js";

/** Where to find the worker script and the `.wasm` (defaults: beside this module). */
export interface RecommenderWorkerOptions {
  workerUrl?: string | URL;
  wasmUrl?: string | URL;
}

/**
 * A `Recommender` running in a module Web Worker. Every method returns a Promise of what the
 * main-thread method returns; a failure rejects with the same `RecsysError` (name, message,
 * code, kind) and the worker stays usable.
 */
export declare class RecommenderWorker {
  private constructor();
  /** Starts a worker and loads these artifact bytes into it (copied). */
  static fromBytes(bytes: Uint8Array, options?: RecommenderWorkerOptions): Promise<RecommenderWorker>;
  /** Starts a worker that fetches and loads the artifact at `url`. */
  static fromUrl(url: string | URL, options?: RecommenderWorkerOptions): Promise<RecommenderWorker>;
  /** The model's fingerprint (16 hex digits). */
  readonly fingerprint: string;
  /** The number of items in the catalogue. */
  readonly nItems: number;
  /** Whether `predictRating` works. */
  readonly hasRatings: boolean;
  recommend(history?: UserHistory | null, query?: Query | null): Promise<Recommendations>;
  forYou(history?: UserHistory | null, options?: number | QueryOptions | null): Promise<Recommendations>;
  becauseYouLiked(
    history: UserHistory | null | undefined,
    itemId: string,
    options?: number | QueryOptions | null,
  ): Promise<Recommendations>;
  similarTo(
    history: UserHistory | null | undefined,
    itemId: string,
    options?: number | QueryOptions | null,
  ): Promise<Recommendations>;
  trending(history?: UserHistory | null, options?: number | QueryOptions | null): Promise<Recommendations>;
  byGenre(
    history: UserHistory | null | undefined,
    genre: string,
    options?: number | QueryOptions | null,
  ): Promise<Recommendations>;
  explainItem(history: UserHistory | null | undefined, itemId: string): Promise<Recommendation>;
  predictRating(history: UserHistory | null | undefined, itemId: string): Promise<number>;
  item(itemId: string): Promise<ItemView | undefined>;
  contains(itemId: string): Promise<boolean>;
  genres(): Promise<string[]>;
  searchTitles(text: string, limit?: number | null): Promise<ItemRef[]>;
  /** Stops the worker; pending and later calls reject. */
  terminate(): void;
}
