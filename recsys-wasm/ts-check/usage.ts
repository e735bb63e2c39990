// Type-checks a page's use of the package against the generated declarations
// (recsys-wasm/pkg/recsys_wasm.d.ts): `tsc --strict` must accept this file.
import init, {
  Recommender,
  type ItemRef,
  type Reason,
  type Recommendations,
  type RecsysError,
  type UserHistory,
} from "../pkg/recsys_wasm.js";
import { RecommenderWorker } from "../pkg/recsys_worker.js";

export async function demo(url: string): Promise<string[]> {
  await init();
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const recommender = Recommender.fromBytes(bytes);
  const history: UserHistory = {
    events: [
      { item_id: "50", feedback: { kind: "rating", value: 5 }, timestamp: 1 },
      { item_id: "181", feedback: "like" },
      { item_id: "1", feedback: "rating:2" },
    ],
    favorite_genres: ["Sci-Fi"],
  };
  const forYou: Recommendations = recommender.recommend(history, {
    list: "for_you",
    n: 10,
    explain: true,
    filters: { genres: ["Drama"], min_year: 1990, exclude: ["1"] },
  });
  const rows: Recommendations[] = [
    forYou,
    recommender.forYou(history),
    recommender.forYou(history, 5),
    recommender.trending(undefined, { n: 3, diversity: 0.2 }),
    recommender.becauseYouLiked(history, "50", 4),
    recommender.similarTo(null, "50"),
    recommender.byGenre(history, "Film-Noir", { n: 2, detail: true }),
    recommender.recommend(undefined, { list: { kind: "similar_to", item_id: "50" } }),
  ];
  const why = recommender.explainItem(history, "172");
  const stars: number = recommender.predictRating(history, "172");
  const found: ItemRef[] = recommender.searchTitles("star", 5);
  const item = recommender.item("50");
  const genres: string[] = recommender.genres();
  const lines = rows.flatMap((row) =>
    row.items.map((rec) => `${rec.title ?? rec.item_id} ${rec.score.toFixed(2)} ${describe(rec.reasons)}`),
  );
  lines.push(
    why.explanation ?? "",
    stars.toFixed(1),
    found.map((f) => f.title).join(", "),
    item ? `${item.title} (${item.year}) ${item.genres.join("/")} ${item.people.length}` : "unknown",
    genres.join(", "),
    `${recommender.fingerprint} ${recommender.nItems} ${recommender.hasRatings}`,
  );
  try {
    recommender.recommend(history, { list: "trending", n: 5000 });
  } catch (err) {
    const e = err as RecsysError;
    lines.push(`${e.name} ${e.code} ${e.kind}: ${e.message}`);
  }
  recommender.free();
  return lines;
}

/** The same calls through the Web Worker wrapper: each a Promise of the main-thread result. */
export async function inWorker(url: string, bytes: Uint8Array): Promise<string[]> {
  const worker = await RecommenderWorker.fromUrl(url);
  const copy = await RecommenderWorker.fromBytes(bytes, { workerUrl: new URL("./w.js", url) });
  const history: UserHistory = { events: [{ item_id: "50", feedback: "like" }] };
  const rows: Recommendations[] = await Promise.all([
    worker.forYou(history, { n: 5, explain: true }),
    worker.recommend(null, { list: "trending" }),
    worker.becauseYouLiked(history, "50", 4),
    worker.similarTo(undefined, "50"),
    worker.byGenre(history, "Drama", 3),
    worker.trending(),
  ]);
  const stars: number = await worker.predictRating(history, "172");
  const found: ItemRef[] = await worker.searchTitles("star", 5);
  const item = await worker.item("50");
  const known: boolean = await worker.contains("50");
  const genres: string[] = await copy.genres();
  const why = await worker.explainItem(history, "172");
  const lines = rows.map((row) => `${row.model} ${row.items.length}`);
  lines.push(`${stars} ${found.length} ${item?.title ?? "?"} ${known} ${genres.length} ${why.score}`);
  lines.push(`${worker.fingerprint} ${worker.nItems} ${worker.hasRatings}`);
  try {
    await worker.recommend(history, { list: "trending", n: 5000 });
  } catch (err) {
    const e = err as RecsysError;
    lines.push(`${e.name} ${e.code} ${e.kind}: ${e.message}`);
  }
  worker.terminate();
  copy.terminate();
  return lines;
}

function describe(reasons: Reason[]): string {
  return reasons
    .map((reason) => {
      switch (reason.kind) {
        case "because_you_liked":
          return reason.items.map((item) => `${item.title} ${item.share}`).join(", ");
        case "shared_people":
          return `${reason.roles.map((r) => `${r.count} ${r.role}`).join(", ")} with ${reason.item.title}`;
        case "shared_genres":
          return reason.genres.join("/");
        case "similar_to":
          return reason.item.item_id;
        case "matches_taste":
        case "popular_in":
          return reason.genre;
        case "you_like":
          return reason.name;
        default:
          return reason.kind;
      }
    })
    .join("; ");
}
