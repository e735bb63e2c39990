// End-to-end test of the demo page in headless Chromium (chromedriver): the page loads the
// model into its Web Worker (pkg/recsys_worker.js), a visitor searches and rates three
// movies, For You appears and changes, reasons are shown, "Why this movie?" opens, "Not
// interested" removes a movie, the model loads from a Hub-style URL (`?hub=`); screenshots
// at desktop (1280) and phone (390) width go to recsys-wasm/screenshots/ (git-ignored).
//
// Usage: node recsys-wasm/tests/browser/e2e.mjs ARTIFACT   (needs recsys-wasm/pkg: build.sh)
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { browser, CRATE, serve, waitFor } from "./driver.mjs";

const artifact = process.argv[2];
if (!artifact) {
  console.error("usage: node e2e.mjs ARTIFACT (e.g. the build-artifact --web output)");
  process.exit(2);
}
const shots = join(CRATE, "screenshots");
mkdirSync(shots, { recursive: true });
// The same file also at a Hub-style download path, for `?hub=` (demo/hub.js).
const HUB_PATH = "/hub/acme/movies/resolve/main/web/ml-100k.recsys";
const { server, base } = await serve({ "/demo/ml-100k.recsys": resolve(artifact), [HUB_PATH]: resolve(artifact) });
const b = await browser();
const check = (ok, what) => {
  if (!ok) throw new Error(`e2e: ${what}`);
  console.log(`ok - ${what}`);
};
// Ids and reasons of the For You row.
const forYou = () => {
  const row = [...document.querySelectorAll(".row")].find((r) => r.querySelector("h3").textContent === "For you");
  return row
    ? [...row.querySelectorAll(".card")].map((c) => ({ title: c.querySelector(".t").textContent, why: c.querySelector(".r").textContent }))
    : null;
};
const save = async (name) => {
  const file = join(shots, name);
  writeFileSync(file, await b.screenshot());
  console.log(`screenshot ${file}`);
};
try {
  await b.viewport(1280, 900);
  await b.goto(`${base}/demo/`);
  const status = await waitFor(b, "the model to load", () => {
    const text = document.getElementById("status").textContent;
    return /movies, model/.test(text) || /^Error/.test(text) ? text : null;
  });
  check(!status.startsWith("Error"), `page loaded the model: ${status}`);
  const before = await b.run(forYou);
  check(before && before.length === 10, `For You shows 10 movies before any rating (${before?.[0]?.title}, …)`);

  const rated = [];
  for (const [query, title, stars] of [["star wars", "Star Wars", 5], ["godfather", "Godfather", 5], ["fargo", "Fargo", 4]]) {
    await b.run(() => { const s = document.getElementById("search"); s.value = ""; });
    await b.type("#search", query);
    const found = await waitFor(b, `results for ${query}`, (t) =>
      [...document.querySelectorAll("#results li")].map((li) => li.querySelector(".t").textContent).find((x) => x.includes(t)), 10000, title);
    rated.push(found);
    const index = await b.run((t) => [...document.querySelectorAll("#results li")].findIndex((li) => li.querySelector(".t").textContent.includes(t)), title);
    await b.click(`#results li:nth-child(${index + 1}) button.star:nth-of-type(${stars})`);
    await waitFor(b, `the rating of ${found}`, (t) => [...document.querySelectorAll("#ratings li")].some((li) => li.textContent.includes(t)), 10000, found);
    check(true, `searched "${query}" and rated ${found} ${stars}★`);
  }
  const count = await b.run(() => document.querySelectorAll("#ratings li").length);
  check(count === 3, `three ratings listed (${count})`);
  const stored = await b.run(() => JSON.parse(localStorage.getItem("recsys-demo-history")).length);
  check(stored === 3, "the history is kept in localStorage");
  // The rows are re-ranked in the demo's Web Worker: wait for the answer to three ratings.
  await waitFor(b, "the rows for three ratings", () => /; 3 ratings;/.test(document.getElementById("status").textContent));
  const after = await b.run(forYou);
  check(after && after.length === 10, "For You shows 10 movies after rating");
  const changed = after.map((c) => c.title).join("|") !== before.map((c) => c.title).join("|");
  check(changed, `For You changed (now ${after.slice(0, 3).map((c) => c.title).join(", ")}, …)`);
  check(after.every((c) => !rated.includes(c.title)), "rated movies are not recommended again");
  const cited = after.filter((c) => rated.some((t) => c.why.includes(t.replace(/ \(\d{4}\)$/, ""))));
  check(after.every((c) => c.why.length > 0) && cited.length > 0,
    `every card has a reason, ${cited.length} cite a rated movie ("${cited[0]?.why}")`);
  const rows = await b.run(() => [...document.querySelectorAll(".row h3")].map((h) => h.textContent));
  check(rows.some((r) => r.startsWith("Because you liked")) && rows.includes("Trending"), `rows: ${rows.join(" / ")}`);
  const wide = await b.run(() => document.documentElement.scrollWidth - window.innerWidth);
  check(wide <= 0, `no horizontal page scroll at desktop width (overflow ${wide}px)`);
  await save("desktop-1280.png");

  await b.click(".row .card button");
  const why = await waitFor(b, "the Why dialog", () => {
    const d = document.getElementById("why");
    return d.open ? `${document.getElementById("why-title").textContent}: ${document.getElementById("why-sentence").textContent} ${document.getElementById("why-rating").textContent}` : null;
  });
  check(/\S/.test(why) && /rate it about/.test(why), `"Why this movie?" explains: ${why}`);
  await save("desktop-1280-why.png");
  await b.click("#why-close");

  // "Not interested" on the first For You card: it leaves the row and joins the history.
  const dropped = after[0].title;
  await b.click(".row .card button.not_interested");
  await waitFor(b, "the rows for four events", () => /; 4 ratings;/.test(document.getElementById("status").textContent));
  const withoutIt = await b.run(forYou);
  check(withoutIt.every((c) => c.title !== dropped), `"Not interested" in ${dropped} removes it from For You`);
  const listed = await b.run(() => document.querySelector("#ratings li").textContent);
  check(/not interested/.test(listed), `the history lists it: ${listed}`);

  await b.viewport(390, 844);
  await b.run(() => window.scrollTo(0, 0));
  const overflow = await b.run(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `no horizontal page scroll at phone width (overflow ${overflow}px)`);
  await save("phone-390.png");

  // The model from a Hub-style URL: {endpoint}/{repo}/resolve/{revision}/{file}.
  const model = (text) => text.match(/model ([0-9a-f]+)/)?.[1];
  await b.goto(`${base}/demo/?hub=acme/movies&file=web/ml-100k.recsys&endpoint=${encodeURIComponent(`${base}/hub`)}`);
  const fromHub = await waitFor(b, "the model from the Hub URL", () => {
    const text = document.getElementById("status").textContent;
    return /movies, model/.test(text) || /^Error/.test(text) ? text : null;
  });
  check(model(fromHub) !== undefined && model(fromHub) === model(status), `?hub= loaded the same model from ${HUB_PATH}`);
  console.log(`e2e: all checks passed in Chromium ${b.version}`);
} finally {
  await b.quit();
  server.close();
}
