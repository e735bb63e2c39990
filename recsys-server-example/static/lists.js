// recsys movies: the Lists pages (create, rename, delete, add/remove movies, fill). Uses
// api() and toast() of app.js.
"use strict";

function formError(form, error) {
  const out = form.querySelector("[data-error]");
  if (out) out.textContent = error.message;
  else toast(error.message);
}

function setupNewList() {
  const form = document.querySelector("form[data-new-list]");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const list = await api("POST", "/api/lists", {
        name: form.name.value,
        description: form.description.value,
        is_public: form.is_public.checked,
      });
      location.href = `/lists/${list.id}`;
    } catch (error) {
      formError(form, error);
    }
  });
}

function tileFor(movie, action) {
  const tile = document.createElement("div");
  tile.className = "tile";
  const link = document.createElement("a");
  link.className = "card";
  link.href = `/movies/${encodeURIComponent(movie.id)}`;
  const meta = document.createElement("div");
  meta.className = "meta";
  const title = document.createElement("strong");
  title.textContent = movie.title;
  meta.append(title);
  if (movie.year) {
    const year = document.createElement("em");
    year.textContent = movie.year;
    meta.append(year);
  }
  link.append(meta);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "small";
  button.dataset.add = movie.id;
  button.textContent = action;
  tile.append(link, button);
  return tile;
}

function setupList() {
  const head = document.querySelector("[data-list]");
  if (!head) return;
  const id = head.dataset.list;
  const edit = document.querySelector("form[data-edit-list]");
  edit?.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("PATCH", `/api/lists/${id}`, {
        name: edit.name.value,
        description: edit.description.value,
        is_public: edit.is_public.checked,
      });
      location.reload();
    } catch (error) {
      formError(edit, error);
    }
  });
  document.querySelector("[data-delete-list]")?.addEventListener("click", async () => {
    if (!confirm("Delete this list?")) return;
    try {
      await api("DELETE", `/api/lists/${id}`);
      location.href = "/lists";
    } catch (error) {
      toast(error.message);
    }
  });
  const search = document.querySelector("form[data-add-search]");
  const results = document.querySelector("[data-search-results]");
  search?.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const q = encodeURIComponent(search.q.value.trim());
      const found = await api("GET", `/api/search?q=${q}&per_page=8`);
      results.replaceChildren(...found.items.map((m) => tileFor(m, "+ Add")));
      if (!found.items.length) toast("No movie with that title");
    } catch (error) {
      toast(error.message);
    }
  });
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-add], button[data-remove]");
    if (!button) return;
    try {
      if (button.dataset.add) {
        await api("POST", `/api/lists/${id}/items`, { movie_id: button.dataset.add });
      } else {
        await api("DELETE", `/api/lists/${id}/items/${encodeURIComponent(button.dataset.remove)}`);
      }
      location.reload();
    } catch (error) {
      toast(error.message);
    }
  });
}

setupNewList();
setupList();
