// recsys movies: For You for anonymous visitors, computed in the browser by recsys-wasm from
// ratings kept in localStorage; on sign-up (the first page seen signed in) the ratings are
// imported into the account. The carousel stays hidden when the wasm package or the
// browser artifact is unavailable. Uses api() and toast() of app.js.

const KEY = "recsys.anonRatings";
const signedIn = () => Boolean(document.querySelector('meta[name="csrf-token"]')?.content);

function loadRatings() {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) || "{}");
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

function saveRatings(ratings) {
  localStorage.setItem(KEY, JSON.stringify(ratings));
}

// The poster colour class of a movie id, as the server computes it (pages::hue).
function hue(id) {
  let h = 7;
  for (const b of new TextEncoder().encode(id)) h = (Math.imul(h, 31) + b) >>> 0;
  return h % 12;
}

function card(rec) {
  const link = document.createElement("a");
  link.className = "card";
  link.href = `/movies/${encodeURIComponent(rec.item_id)}`;
  const poster = document.createElement("div");
  poster.className = `poster h${hue(rec.item_id)}`;
  const label = document.createElement("span");
  label.textContent = rec.title || rec.item_id;
  poster.append(label);
  const meta = document.createElement("div");
  meta.className = "meta";
  const title = document.createElement("strong");
  title.textContent = rec.title || rec.item_id;
  meta.append(title);
  if (rec.year) {
    const year = document.createElement("em");
    year.textContent = rec.year;
    meta.append(year);
  }
  if (rec.explanation) {
    const note = document.createElement("small");
    note.textContent = rec.explanation;
    meta.append(note);
  }
  link.append(poster, meta);
  return link;
}

function setupAnonymousRating() {
  const movie = document.querySelector(".movie[data-movie]");
  if (!movie || signedIn()) return;
  const id = movie.dataset.movie;
  const box = document.createElement("div");
  box.className = "actions anon-rate";
  const label = document.createElement("span");
  label.textContent = "Rate here, no account needed (kept in this browser):";
  const stars = document.createElement("div");
  stars.className = "stars";
  const current = loadRatings()[id]?.rating || 0;
  for (let s = 1; s <= 5; s++) {
    const star = document.createElement("button");
    star.type = "button";
    star.className = s <= current ? "star on" : "star";
    star.dataset.anonRate = String(s);
    star.setAttribute("aria-label", `${s} stars (in this browser)`);
    star.textContent = "★";
    stars.append(star);
  }
  stars.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-anon-rate]");
    if (!button) return;
    const rating = Number(button.dataset.anonRate);
    const ratings = loadRatings();
    ratings[id] = { rating, at: Math.floor(Date.now() / 1000) };
    saveRatings(ratings);
    for (const b of stars.querySelectorAll("button")) {
      b.classList.toggle("on", Number(b.dataset.anonRate) <= rating);
    }
    toast(`Rated ${rating} ★ in this browser — see For You on the home page`);
  });
  box.append(label, stars);
  // Right under "Log in to rate", so the stars are seen before "Why this movie?".
  const loginHint = movie.querySelector(".login-to-rate");
  if (loginHint) loginHint.after(box);
  else movie.querySelector(".details")?.append(box);
}

async function showBrowserForYou() {
  const main = document.querySelector("main");
  if (!main || signedIn() || location.pathname !== "/") return;
  const ratings = loadRatings();
  const events = Object.entries(ratings).map(([item_id, r]) => ({
    item_id,
    feedback: { kind: "rating", value: r.rating },
    timestamp: r.at || 0,
  }));
  if (!events.length) return;
  try {
    const status = await fetch("/api/anon/status").then((r) => r.json());
    if (!status.available) return;
    const wasm = await import(status.module);
    await wasm.default();
    const bytes = new Uint8Array(await fetch(status.artifact).then((r) => {
      if (!r.ok) throw new Error(`artifact: ${r.status}`);
      return r.arrayBuffer();
    }));
    const model = wasm.Recommender.fromBytes(bytes);
    const recs = model.forYou({ events }, { n: 18, explain: true });
    if (!recs.items.length) return;
    const section = document.createElement("section");
    section.className = "row";
    section.id = "browser-for-you";
    const heading = document.createElement("h2");
    heading.textContent = "For You (computed in your browser)";
    const carousel = document.createElement("div");
    carousel.className = "carousel";
    const track = document.createElement("div");
    track.className = "track";
    track.append(...recs.items.map(card));
    const prev = document.createElement("button");
    prev.type = "button";
    prev.className = "scroll prev";
    prev.setAttribute("aria-label", "Scroll left");
    prev.textContent = "‹";
    const next = document.createElement("button");
    next.type = "button";
    next.className = "scroll next";
    next.setAttribute("aria-label", "Scroll right");
    next.textContent = "›";
    prev.addEventListener("click", () => track.scrollBy({ left: -track.clientWidth * 0.9, behavior: "smooth" }));
    next.addEventListener("click", () => track.scrollBy({ left: track.clientWidth * 0.9, behavior: "smooth" }));
    carousel.append(prev, track, next);
    const hint = document.createElement("p");
    hint.className = "byline";
    hint.textContent = `From your ${events.length} rating${events.length === 1 ? "" : "s"} in this browser. Sign up to keep them.`;
    section.append(heading, hint, carousel);
    const notice = main.querySelector(".notice");
    if (notice) notice.after(section);
    else main.prepend(section);
  } catch (error) {
    // No wasm support, no package, a stale artifact: the carousel stays hidden.
    console.warn("in-browser For You unavailable:", error);
  }
}

async function importAfterSignup() {
  if (!signedIn()) return;
  const ratings = loadRatings();
  const entries = Object.entries(ratings);
  if (!entries.length) return;
  try {
    const answer = await api("POST", "/api/me/ratings/import", {
      ratings: entries.slice(0, 500).map(([movie_id, r]) => ({ movie_id, rating: r.rating, at: r.at })),
    });
    localStorage.removeItem(KEY);
    document.documentElement.dataset.importedRatings = String(answer.imported);
    toast(`Imported ${answer.imported} rating${answer.imported === 1 ? "" : "s"} from this browser`);
  } catch (error) {
    console.warn("rating import failed:", error);
  }
}

setupAnonymousRating();
showBrowserForYou();
importAfterSignup();
