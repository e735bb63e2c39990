// recsys movies: progressive enhancement over the server-rendered pages. No build step.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

function toast(text) {
  const el = document.getElementById("toast");
  if (!el) return;
  el.textContent = text;
  el.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove("show"), 2200);
}

// Calls the JSON API with the session cookie and the CSRF header; returns the parsed body or
// throws an Error carrying the API's message.
async function api(method, url, body) {
  const headers = { "X-CSRF-Token": csrf() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(data?.error?.message || `request failed (${response.status})`);
  }
  return data;
}

function setupCarousels() {
  for (const carousel of document.querySelectorAll(".carousel")) {
    const track = carousel.querySelector(".track");
    carousel.querySelector(".prev")?.addEventListener("click", () =>
      track.scrollBy({ left: -track.clientWidth * 0.9, behavior: "smooth" }));
    carousel.querySelector(".next")?.addEventListener("click", () =>
      track.scrollBy({ left: track.clientWidth * 0.9, behavior: "smooth" }));
  }
}

function setupMovie() {
  const movie = document.querySelector(".movie[data-movie]");
  if (!movie) return;
  const id = movie.dataset.movie;
  movie.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    try {
      if (button.dataset.rate) {
        const rating = Number(button.dataset.rate);
        await api("POST", "/api/rate", { movie_id: id, rating });
        for (const star of movie.querySelectorAll("[data-rate]")) {
          star.classList.toggle("on", Number(star.dataset.rate) <= rating);
        }
        toast(`Rated ${rating} ★ — your recommendations are updated`);
      } else if (button.dataset.feedback) {
        const kind = button.dataset.feedback;
        await api("POST", "/api/rate", { movie_id: id, feedback: kind });
        if (kind !== "watched") {
          for (const other of movie.querySelectorAll("[data-feedback]")) {
            if (other.dataset.feedback !== "watched") other.classList.remove("on");
          }
        }
        button.classList.add("on");
        toast("Saved");
      } else if (button.dataset.watchlist) {
        const add = button.dataset.watchlist === "add";
        await api("POST", `/api/watchlist/${add ? "add" : "remove"}`, { movie_id: id });
        button.dataset.watchlist = add ? "remove" : "add";
        button.textContent = add ? "✓ On watchlist" : "+ Watchlist";
        toast(add ? "Added to your watchlist" : "Removed from your watchlist");
      } else if ("unrate" in button.dataset) {
        await api("DELETE", `/api/rate/${encodeURIComponent(id)}`);
        for (const b of movie.querySelectorAll("[data-rate], [data-feedback]")) b.classList.remove("on");
        toast("Feedback cleared");
      }
    } catch (error) {
      toast(error.message);
    }
  });
}

function setupAuth() {
  const form = document.querySelector("form[data-auth]");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    if (!data.display_name) delete data.display_name;
    const error = form.querySelector("[data-error]");
    error.textContent = "";
    try {
      await api("POST", `/api/auth/${form.dataset.auth}`, data);
      const next = form.dataset.next;
      location.href = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
    } catch (e) {
      error.textContent = e.message;
    }
  });
}

function setupLogout() {
  document.querySelector("[data-logout]")?.addEventListener("click", async () => {
    try {
      await api("POST", "/api/auth/logout", {});
    } finally {
      location.href = "/";
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupCarousels();
  setupMovie();
  setupAuth();
  setupLogout();
});

// Profile: edit the display name and bio (PATCH /api/profile).
function setupProfile() {
  const form = document.querySelector("form[data-profile-form]");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const error = form.querySelector("[data-error]");
    error.textContent = "";
    try {
      const user = await api("PATCH", "/api/profile", data);
      document.querySelector("[data-profile-name]").textContent = user.display_name;
      const bio = document.querySelector("[data-profile-bio]");
      bio.textContent = user.bio || "No bio yet.";
      bio.classList.toggle("muted", !user.bio);
      const who = document.querySelector(".top .who");
      if (who) who.textContent = user.display_name;
      form.closest("details")?.removeAttribute("open");
      toast("Profile saved");
    } catch (e) {
      error.textContent = e.message;
    }
  });
}

// Onboarding quiz: 1–3 stars per genre or person (clicking the current weight clears it),
// saved with PUT /api/preferences, or skipped with POST /api/onboarding/skip.
function setupQuiz() {
  const form = document.querySelector("form[data-quiz]");
  if (!form) return;
  form.addEventListener("click", (event) => {
    const star = event.target.closest("button[data-w]");
    if (!star) return;
    const pick = star.closest(".pick");
    const w = Number(star.dataset.w);
    const weight = Number(pick.dataset.weight) === w ? 0 : w;
    pick.dataset.weight = String(weight);
    pick.classList.toggle("picked", weight > 0);
    for (const s of pick.querySelectorAll("button[data-w]")) {
      s.classList.toggle("on", Number(s.dataset.w) <= weight);
    }
  });
  for (const pick of form.querySelectorAll(".pick")) {
    pick.classList.toggle("picked", Number(pick.dataset.weight) > 0);
  }
  const error = form.querySelector("[data-error]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const genres = [];
    const people = [];
    for (const pick of form.querySelectorAll(".pick")) {
      const weight = Number(pick.dataset.weight);
      if (weight <= 0) continue;
      if (pick.dataset.kind === "genre") genres.push({ genre: pick.dataset.value, weight });
      else people.push({ person_id: pick.dataset.value, weight });
    }
    error.textContent = "";
    try {
      await api("PUT", "/api/preferences", { genres, people });
      location.href = "/";
    } catch (e) {
      error.textContent = e.message;
    }
  });
  form.querySelector("[data-skip]")?.addEventListener("click", async () => {
    try {
      await api("POST", "/api/onboarding/skip", {});
      location.href = "/";
    } catch (e) {
      error.textContent = e.message;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupProfile();
  setupQuiz();
});
