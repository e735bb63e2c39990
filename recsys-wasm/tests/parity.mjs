// WASM vs native parity on real MovieLens-100K histories: the web artifact and the native core's
// answers written by `cargo run --release -p recsys-examples --bin wasm-parity -- --out DIR`
// are replayed through the JS API of recsys-wasm/pkg (built by recsys-wasm/build.sh) in node.
// Every answer must have the same ids, reasons and sentences, and numbers within 1e-5
// (relative above 1).
//
// Usage: node recsys-wasm/tests/parity.mjs DIR
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2];
if (!dir) {
  console.error("usage: node parity.mjs DIR (written by the wasm-parity example)");
  process.exit(2);
}
const pkg = join(here, "..", "pkg");
const { initSync, Recommender } = await import(join(pkg, "recsys_wasm.js"));
initSync({ module: readFileSync(join(pkg, "recsys_wasm_bg.wasm")) });

const TOLERANCE = 1e-5;
let largest = 0;

/** The path of the first difference between `got` and `expected`, or null. */
function diff(got, expected, path) {
  if (typeof expected === "number") {
    if (typeof got !== "number") return `${path}: ${JSON.stringify(got)} vs ${expected}`;
    const error = Math.abs(got - expected);
    largest = Math.max(largest, error / Math.max(1, Math.abs(expected)));
    return error <= TOLERANCE * Math.max(1, Math.abs(expected)) ? null : `${path}: ${got} vs ${expected}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(got) || got.length !== expected.length) {
      return `${path}: ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const d = diff(got[i], expected[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (expected !== null && typeof expected === "object") {
    if (got === null || typeof got !== "object") return `${path}: ${JSON.stringify(got)} vs an object`;
    const keys = new Set([...Object.keys(got), ...Object.keys(expected)]);
    for (const key of keys) {
      const d = diff(got[key], expected[key], `${path}.${key}`);
      if (d) return d;
    }
    return null;
  }
  return got === expected ? null : `${path}: ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`;
}

const bytes = readFileSync(join(dir, "web.recsys"));
const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8"));
const started = performance.now();
const rec = Recommender.fromBytes(bytes);
const loadMs = performance.now() - started;
const failures = [];
if (rec.fingerprint !== expected.fingerprint) {
  failures.push(`fingerprint ${rec.fingerprint} vs ${expected.fingerprint}`);
}
let calls = 0;
let items = 0;
for (const [c, { user, history, calls: list }] of expected.cases.entries()) {
  for (const [method, ...rest] of list) {
    const answer = rest.pop();
    // JSON round trip: plain objects, as a page gets them from JSON.parse.
    const got = JSON.parse(JSON.stringify(rec[method](history, ...rest)));
    calls++;
    items += Array.isArray(answer?.items) ? answer.items.length : 0;
    const d = diff(got, answer, `case ${c} (user ${user}, ${history.events.length} events) ${method}`);
    if (d) failures.push(d);
  }
}
console.log(
  `parity: ${expected.cases.length} histories, ${calls} calls, ${items} recommended items; ` +
    `largest relative difference ${largest.toExponential(2)}; artifact ${bytes.length} bytes loaded in ${loadMs.toFixed(1)} ms (node)`,
);
if (failures.length) {
  console.error(`parity: ${failures.length} differences, the first ones:\n  ${failures.slice(0, 10).join("\n  ")}`);
  process.exit(1);
}
console.log("parity: WASM and native agree");
