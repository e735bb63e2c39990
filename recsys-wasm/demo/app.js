// The demo: the whole recommender runs here, in WebAssembly; the visitor's ratings stay in
// localStorage and every change re-ranks the rows at once (ALS fold-in at request time).
import init, { Recommender } from "../pkg/recsys_wasm.js";
import { modelUrl } from "./hub.js";

const $ = (id) => document.getElementById(id);
const KEY = "recsys-demo-history";
let recommender;
let events = JSON.parse(localStorage.getItem(KEY) || "[]");

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

const display = (item) => (item.year ? `${item.title} (${item.year})` : item.title ?? item.item_id);
const history = () => ({ events });

function save() {
  localStorage.setItem(KEY, JSON.stringify(events));
  renderRatings();
  renderRows();
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
  return buttons;
}

function renderSearch() {
  const list = $("results");
  list.replaceChildren();
  for (const item of recommender.searchTitles($("search").value, 8)) {
    const li = el("li");
    li.append(el("span", display(item), "t"), ...rateButtons(item.item_id));
    list.append(li);
  }
}

function renderRatings() {
  const list = $("ratings");
  list.replaceChildren();
  for (const event of [...events].reverse()) {
    const item = recommender.item(event.item_id);
    const li = el("li");
    const stars = event.feedback.kind === "rating" ? "★".repeat(event.feedback.value) : event.feedback;
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
  why.onclick = () => showWhy(rec.item_id);
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

function renderRows() {
  const started = performance.now();
  const h = history();
  const options = { n: 10, explain: true };
  const rows = [row("For you", recommender.forYou(h, options))];
  const liked = [...events].reverse().find((e) => e.feedback.kind === "rating" && e.feedback.value >= 4);
  if (liked) {
    const item = recommender.item(liked.item_id);
    rows.push(row(`Because you liked ${display(item)}`, recommender.becauseYouLiked(h, liked.item_id, options)));
  }
  rows.push(row("Trending", recommender.trending(h, options)));
  const genre = $("genre").value;
  if (genre) rows.push(row(`Best of ${genre}`, recommender.byGenre(h, genre, options)));
  $("rows").replaceChildren(...rows);
  const ms = (performance.now() - started).toFixed(1);
  $("status").textContent =
    `${recommender.nItems} movies, model ${recommender.fingerprint}; ${events.length} ratings; ` +
    `${rows.length} rows ranked in ${ms} ms in WebAssembly`;
}

function showWhy(itemId) {
  const h = history();
  const why = recommender.explainItem(h, itemId);
  $("why-title").textContent = display(why);
  $("why-sentence").textContent = why.explanation ?? "";
  $("why-rating").textContent = recommender.hasRatings
    ? `You would rate it about ${recommender.predictRating(h, itemId).toFixed(1)} of 5.`
    : "";
  const parts = $("why-parts");
  parts.replaceChildren(
    el("li", `Collaborative ${why.parts.collaborative.toFixed(2)}, content ${why.parts.content.toFixed(2)}, popularity ${why.parts.popularity.toFixed(2)}`),
  );
  for (const c of why.collaborative?.contributions ?? []) {
    const item = recommender.item(c.item_id);
    parts.append(el("li", `${c.value >= 0 ? "+" : ""}${c.value.toFixed(3)} from ${item ? display(item) : c.item_id}`));
  }
  $("why").showModal();
}

async function main() {
  const started = performance.now();
  await init();
  // `?hub=org/name[&revision=…&file=…&endpoint=…]` reads the model from the Hugging Face Hub.
  const source = modelUrl(new URLSearchParams(location.search), "ml-100k.recsys");
  const response = await fetch(source);
  if (!response.ok) throw new Error(`${source}: HTTP ${response.status} (see demo/serve.sh)`);
  recommender = Recommender.fromBytes(new Uint8Array(await response.arrayBuffer()));
  console.log(`model loaded in ${(performance.now() - started).toFixed(0)} ms`);
  const select = $("genre");
  select.append(el("option", ""), ...recommender.genres().map((g) => el("option", g)));
  select.value = recommender.genres().includes("Film-Noir") ? "Film-Noir" : "";
  select.onchange = renderRows;
  $("search").oninput = renderSearch;
  $("clear").onclick = () => {
    events = [];
    save();
  };
  $("why-close").onclick = () => $("why").close();
  // A first visit gets a starter history, so the rows show personal reasons at once.
  const params = new URLSearchParams(location.search);
  if (params.has("seed") && events.length === 0) {
    for (const id of params.get("seed").split(",")) {
      if (recommender.contains(id)) events.push({ item_id: id, feedback: { kind: "rating", value: 5 }, timestamp: 0 });
    }
  }
  $("search").value = params.get("q") ?? "";
  renderSearch();
  renderRatings();
  renderRows();
  if (params.has("why")) showWhy(params.get("why"));
}

main().catch((err) => {
  $("status").textContent = `Error: ${err.message}${err.code ? ` (${err.code})` : ""}`;
  console.error(err);
});
