// The demo: the whole recommender runs here, in WebAssembly inside a Web Worker (the page's
// thread never waits for it); the visitor's ratings stay in localStorage and every change
// re-ranks the rows at once (ALS fold-in at request time).
import { RecommenderWorker } from "../pkg/recsys_worker.js";
import { modelUrl } from "./hub.js";

const $ = (id) => document.getElementById(id);
const KEY = "recsys-demo-history";
let recommender;
let events = JSON.parse(localStorage.getItem(KEY) || "[]");
// Answers arrive asynchronously: each render draws only if no newer one has started.
const latest = { search: 0, ratings: 0, rows: 0 };
const newest = (kind) => {
  const ticket = ++latest[kind];
  return () => ticket === latest[kind];
};

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

const display = (item) => (item.year ? `${item.title} (${item.year})` : item.title ?? item.item_id);
const history = () => ({ events });

function report(err) {
  $("status").textContent = `Error: ${err.message}${err.code ? ` (${err.code})` : ""}`;
  console.error(err);
}

function save() {
  localStorage.setItem(KEY, JSON.stringify(events));
  renderRatings().catch(report);
  renderRows().catch(report);
}

function rate(itemId, feedback) {
  events = events.filter((event) => event.item_id !== itemId);
  events.push({ item_id: itemId, feedback, timestamp: Math.floor(Date.now() / 1000) });
  save();
}

function rateButtons(itemId) {
  const buttons = [];
  for (let stars = 1; stars <= 5; stars++) {
    const b = el("button", `${stars}★`, "star");
    b.title = `Rate ${stars} of 5`;
    b.onclick = () => rate(itemId, { kind: "rating", value: stars });
    buttons.push(b);
  }
  for (const [kind, label, title] of [["like", "like", "Like"], ["dislike", "dislike", "Dislike"], ["not_interested", "not for me", "Not interested"]]) {
    const b = el("button", label, kind);
    b.title = title;
    b.onclick = () => rate(itemId, { kind });
    buttons.push(b);
  }
  return buttons;
}

async function renderSearch() {
  const current = newest("search");
  const found = await recommender.searchTitles($("search").value, 8);
  if (!current()) return;
  const list = $("results");
  list.replaceChildren();
  for (const item of found) {
    const li = el("li");
    li.append(el("span", display(item), "t"), ...rateButtons(item.item_id));
    list.append(li);
  }
}

async function renderRatings() {
  const current = newest("ratings");
  const shown = [...events].reverse();
  const items = await Promise.all(shown.map((event) => recommender.item(event.item_id)));
  if (!current()) return;
  const list = $("ratings");
  list.replaceChildren();
  for (const [at, event] of shown.entries()) {
    const item = items[at];
    const li = el("li");
    const FEEDBACK = { like: "liked", dislike: "disliked", not_interested: "not interested" };
    const stars = event.feedback.kind === "rating" ? "★".repeat(event.feedback.value) : FEEDBACK[event.feedback.kind];
    const remove = el("button", "×");
    remove.title = "Forget this rating";
    remove.onclick = () => {
      events = events.filter((e) => e !== event);
      save();
    };
    li.append(el("span", item ? display(item) : event.item_id, "t"), el("span", stars), remove);
    list.append(li);
  }
}

function card(rec) {
  const div = el("div", undefined, "card");
  const why = el("button", "Why this movie?");
  why.onclick = () => showWhy(rec.item_id).catch(report);
  div.append(
    el("span", display(rec), "t"),
    el("span", rec.explanation ?? "", "r"),
    el("span", `score ${rec.score.toFixed(2)}`, "s"),
    why,
    el("span", undefined, "stars"),
  );
  div.lastChild.append(...rateButtons(rec.item_id));
  return div;
}

function row(title, answer) {
  const section = el("div", undefined, "row");
  section.append(el("h3", title));
  const cards = el("div", undefined, "cards");
  cards.append(...answer.items.map(card));
  section.append(cards);
  return section;
}

async function renderRows() {
  const current = newest("rows");
  const started = performance.now();
  const h = history();
  const options = { n: 10, explain: true };
  // Every list is asked at once; the worker answers them in turn.
  const asked = [["For you", recommender.forYou(h, options)]];
  const liked = [...events].reverse().find((e) => e.feedback.kind === "rating" && e.feedback.value >= 4);
  if (liked) {
    const title = recommender.item(liked.item_id).then((item) => `Because you liked ${display(item)}`);
    asked.push([title, recommender.becauseYouLiked(h, liked.item_id, options)]);
  }
  asked.push(["Trending", recommender.trending(h, options)]);
  const genre = $("genre").value;
  if (genre) asked.push([`Best of ${genre}`, recommender.byGenre(h, genre, options)]);
  const answers = await Promise.all(asked.map(([title, answer]) => Promise.all([title, answer])));
  if (!current()) return;
  $("rows").replaceChildren(...answers.map(([title, answer]) => row(title, answer)));
  const ms = (performance.now() - started).toFixed(1);
  $("status").textContent =
    `${recommender.nItems} movies, model ${recommender.fingerprint}; ${h.events.length} ratings; ` +
    `${answers.length} rows ranked in ${ms} ms in a WebAssembly worker`;
}

async function showWhy(itemId) {
  const h = history();
  const [why, stars] = await Promise.all([
    recommender.explainItem(h, itemId),
    recommender.hasRatings ? recommender.predictRating(h, itemId) : null,
  ]);
  $("why-title").textContent = display(why);
  $("why-sentence").textContent = why.explanation ?? "";
  $("why-rating").textContent = stars === null ? "" : `You would rate it about ${stars.toFixed(1)} of 5.`;
  const parts = $("why-parts");
  parts.replaceChildren(
    el("li", `Collaborative ${why.parts.collaborative.toFixed(2)}, content ${why.parts.content.toFixed(2)}, popularity ${why.parts.popularity.toFixed(2)}`),
  );
  const contributions = why.collaborative?.contributions ?? [];
  const items = await Promise.all(contributions.map((c) => recommender.item(c.item_id)));
  for (const [at, c] of contributions.entries()) {
    const item = items[at];
    parts.append(el("li", `${c.value >= 0 ? "+" : ""}${c.value.toFixed(3)} from ${item ? display(item) : c.item_id}`));
  }
  $("why").showModal();
}

async function main() {
  const started = performance.now();
  // `?hub=org/name[&revision=…&file=…&endpoint=…]` reads the model from the Hugging Face Hub;
  // the worker fetches and loads it (see demo/serve.sh for the default file).
  const source = modelUrl(new URLSearchParams(location.search), "ml-100k.recsys");
  recommender = await RecommenderWorker.fromUrl(source);
  console.log(`model loaded in ${(performance.now() - started).toFixed(0)} ms`);
  const select = $("genre");
  const genres = await recommender.genres();
  select.append(el("option", ""), ...genres.map((g) => el("option", g)));
  select.value = genres.includes("Film-Noir") ? "Film-Noir" : "";
  select.onchange = () => renderRows().catch(report);
  $("search").oninput = () => renderSearch().catch(report);
  $("clear").onclick = () => {
    events = [];
    save();
  };
  $("why-close").onclick = () => $("why").close();
  // A first visit gets a starter history, so the rows show personal reasons at once.
  const params = new URLSearchParams(location.search);
  if (params.has("seed") && events.length === 0) {
    for (const id of params.get("seed").split(",")) {
      if (await recommender.contains(id)) events.push({ item_id: id, feedback: { kind: "rating", value: 5 }, timestamp: 0 });
    }
  }
  $("search").value = params.get("q") ?? "";
  await Promise.all([renderSearch(), renderRatings(), renderRows()]);
  if (params.has("why")) await showWhy(params.get("why"));
}

main().catch(report);
