// The demo's Hub download URLs (recsys-wasm/demo/hub.js): `node --test recsys-wasm/tests/`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { hubUrl, modelUrl } from "../demo/hub.js";

test("the Hub's resolve URL, as hf-hub and huggingface_hub build it", () => {
  assert.equal(hubUrl("acme/movies"), "https://huggingface.co/acme/movies/resolve/main/model.recsys");
  assert.equal(
    hubUrl("acme/movies", { revision: "refs/pr/1", filename: "web/ml 100k.recsys", endpoint: "http://127.0.0.1:8080/" }),
    "http://127.0.0.1:8080/acme/movies/resolve/refs%2Fpr%2F1/web/ml%20100k.recsys",
  );
});

test("names that leave the repository are refused", () => {
  for (const repo of ["movies", "a/b/c", "../b", "a/"]) assert.throws(() => hubUrl(repo), /repository id/);
  for (const filename of ["../x", "/etc/passwd", "a//b", ""]) assert.throws(() => hubUrl("a/b", { filename }), /file path/);
  assert.throws(() => hubUrl("a/b", { revision: "../main" }), /revision/);
});

test("the page's query string picks the model", () => {
  assert.equal(modelUrl(new URLSearchParams(""), "ml-100k.recsys"), "ml-100k.recsys");
  assert.equal(
    modelUrl(new URLSearchParams("hub=acme/movies&revision=v2&file=web.recsys"), "ml-100k.recsys"),
    "https://huggingface.co/acme/movies/resolve/v2/web.recsys",
  );
});
