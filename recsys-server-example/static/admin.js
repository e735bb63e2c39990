// recsys movies: the admin pages (retrain, movies, people, tags). Uses api() and toast() of app.js.
"use strict";

const splitList = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

function showError(form, error) {
  const out = form.querySelector("[data-error]");
  if (out) out.textContent = error.message;
  toast(error.message);
}

function onSubmit(selector, handler) {
  const form = document.querySelector(selector);
  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await handler(form, event.submitter);
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

document.querySelector("[data-retrain]")?.addEventListener("click", async (event) => {
  const button = event.target;
  button.disabled = true;
  button.textContent = "Training…";
  try {
    await api("POST", "/api/admin/retrain");
    location.reload();
  } catch (error) {
    toast(error.message);
    button.disabled = false;
    button.textContent = "Retrain now";
  }
});

onSubmit("form[data-find-movie]", async (form) => {
  const found = await api("GET", `/api/search?q=${encodeURIComponent(form.q.value.trim())}&per_page=10`);
  const out = document.querySelector("[data-movie-results]");
  out.replaceChildren(...found.items.map((m) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = `/admin/movies/${encodeURIComponent(m.id)}`;
    a.textContent = m.year ? `${m.title} (${m.year})` : m.title;
    li.append(a);
    return li;
  }));
  if (!found.items.length) toast("No movie with that title");
});

onSubmit("form[data-new-movie]", async (form) => {
  const body = { title: form.title.value, genres: splitList(form.genres.value), tags: splitList(form.tags.value) };
  if (form.year.value) body.year = Number(form.year.value);
  const created = await api("POST", "/api/admin/movies", body);
  location.href = `/admin/movies/${encodeURIComponent(created.id)}`;
});

const person = onSubmit("form[data-person]", async (form) => {
  const id = form.id.value.trim();
  if (id) {
    try {
      await api("PATCH", `/api/admin/people/${encodeURIComponent(id)}`, { name: form.name.value });
      toast("Person renamed");
      return;
    } catch (error) {
      if (!/no person/.test(error.message)) throw error;
    }
  }
  const created = await api("POST", "/api/admin/people", id ? { id, name: form.name.value } : { name: form.name.value });
  form.id.value = created.id;
  toast(`Person ${created.id} created`);
});
document.querySelector("[data-delete-person]")?.addEventListener("click", async () => {
  try {
    await api("DELETE", `/api/admin/people/${encodeURIComponent(person.id.value.trim())}`);
    toast("Person deleted");
  } catch (error) {
    showError(person, error);
  }
});

const tag = onSubmit("form[data-tag]", async (form) => {
  const done = await api("PATCH", `/api/admin/tags/${encodeURIComponent(form.tag.value.trim())}`, { name: form.name.value });
  toast(`Renamed on ${done.movies} movies`);
});
document.querySelector("[data-delete-tag]")?.addEventListener("click", async () => {
  try {
    const done = await api("DELETE", `/api/admin/tags/${encodeURIComponent(tag.tag.value.trim())}`);
    toast(`Removed from ${done.movies} movies`);
  } catch (error) {
    showError(tag, error);
  }
});

const edit = onSubmit("form[data-edit-movie]", async (form) => {
  const people = form.people.value.split("\n").map((l) => l.trim()).filter(Boolean).map((line) => {
    const [person_id, role] = line.split(/\s+/);
    return { person_id, role: role || "actor" };
  });
  await api("PATCH", `/api/admin/movies/${encodeURIComponent(form.dataset.editMovie)}`, {
    title: form.title.value,
    year: form.year.value ? Number(form.year.value) : null,
    genres: splitList(form.genres.value),
    tags: splitList(form.tags.value),
    poster_url: form.poster_url.value,
    synopsis: form.synopsis.value,
    people,
  });
  toast("Saved — search sees it now, recommendations after the next training");
  const out = form.querySelector("[data-error]");
  if (out) out.textContent = "";
});
document.querySelector("[data-delete-movie]")?.addEventListener("click", async () => {
  if (!confirm("Delete this movie?")) return;
  try {
    await api("DELETE", `/api/admin/movies/${encodeURIComponent(edit.dataset.editMovie)}`);
    location.href = "/admin";
  } catch (error) {
    showError(edit, error);
  }
});
