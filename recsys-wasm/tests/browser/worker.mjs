// Runs tests/browser/worker.html in headless Chromium (chromedriver): pkg/recsys_worker.js
// answers as the main-thread Recommender does, off the page's thread.
//
// Usage: node recsys-wasm/tests/browser/worker.mjs ARTIFACT   (needs recsys-wasm/pkg: build.sh)
import { resolve } from "node:path";
import { browser, serve, waitFor } from "./driver.mjs";

const artifact = process.argv[2];
if (!artifact) {
  console.error("usage: node worker.mjs ARTIFACT (e.g. the build-artifact --web output)");
  process.exit(2);
}
const { server, base } = await serve({ "/tests/browser/artifact.recsys": resolve(artifact) });
const b = await browser();
let result;
try {
  await b.goto(`${base}/tests/browser/worker.html?artifact=artifact.recsys`);
  result = await waitFor(b, "the worker checks", () => window.workerResult, 300000);
} finally {
  await b.quit();
  server.close();
}
for (const { ok, what } of result.checks) console.log(`${ok ? "ok" : "not ok"} - ${what}`);
const failed = result.checks.filter((c) => !c.ok).length;
if (result.error || failed > 0 || result.checks.length === 0) {
  console.error(`worker: ${result.error ?? `${failed} of ${result.checks.length} checks failed`}`);
  process.exit(1);
}
console.log(`worker: all ${result.checks.length} checks passed in Chromium ${b.version}`);
