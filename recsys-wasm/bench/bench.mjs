// Benchmark of recsys-wasm in headless Chromium (chromedriver): artifact load
// (Recommender.fromBytes, fetch excluded) and For You with reasons for a 20-item history,
// p50/p99; sizes of the .wasm and the artifact, raw and gzip -9 (exit 1 above the bars:
// .wasm ≤ 400,000 and artifact ≤ 1,000,000 bytes gzipped).
//
// Usage: node recsys-wasm/bench/bench.mjs ARTIFACT [--check]
//   --check  also exit 1 unless load p50 ≤ 50 ms and For You p50 ≤ 1 ms (the time
//            bars, meaningful on a quiet machine)
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { browser, CRATE, serve, waitFor } from "../tests/browser/driver.mjs";

const [artifact, flag] = process.argv.slice(2);
if (!artifact) {
  console.error("usage: node bench.mjs ARTIFACT [--check]");
  process.exit(2);
}
// The size bars in gzip -9 bytes (1 MB = 1,000,000, 400 KB = 400,000): deterministic, so
// always checked.
const sizeBars = [];
const size = (file, what, maxGz) => {
  const bytes = readFileSync(file);
  const gz = gzipSync(bytes, { level: 9 }).length;
  console.log(`${what}: ${bytes.length} bytes (${(bytes.length / 1024).toFixed(0)} KiB), ` +
    `gzip -9 ${gz} bytes (${(gz / 1024).toFixed(0)} KiB; bar ${maxGz})`);
  if (gz > maxGz) sizeBars.push(`${what} gzip -9 ${gz} bytes > ${maxGz}`);
};
size(join(CRATE, "pkg", "recsys_wasm_bg.wasm"), "recsys_wasm_bg.wasm", 400_000);
size(artifact, `artifact ${artifact}`, 1_000_000);

const { server, base } = await serve({ "/bench/artifact.recsys": resolve(artifact) });
const b = await browser();
let result;
try {
  await b.goto(`${base}/bench/?artifact=artifact.recsys`);
  result = await waitFor(b, "the benchmark", () => window.benchResult, 300000);
} finally {
  await b.quit();
  server.close();
}
if (result.error) throw new Error(result.error);
const ms = (q) => `p50 ${q.p50.toFixed(3)} ms, p99 ${q.p99.toFixed(3)} ms (min ${q.min.toFixed(3)}, max ${q.max.toFixed(3)}, n ${q.n})`;
console.log(`Chromium ${b.version}, cross-origin isolated (fine timer): ${result.crossOriginIsolated}`);
console.log(`load (Recommender.fromBytes, ${result.nItems} items): ${ms(result.load)}`);
console.log(`For You, 20-item history, n 10 with reasons: ${ms(result.forYou)}`);
console.log(`  ${result.reasons}/10 items with reasons; first: ${result.first}`);
if (sizeBars.length) {
  console.error(`bench: ${sizeBars.join("; ")}`);
  process.exit(1);
}
if (flag === "--check") {
  const failures = [];
  if (result.load.p50 > 50) failures.push(`load p50 ${result.load.p50.toFixed(1)} ms > 50 ms`);
  if (result.forYou.p50 > 1) failures.push(`For You p50 ${result.forYou.p50.toFixed(3)} ms > 1 ms`);
  if (result.reasons !== 10) failures.push(`${10 - result.reasons} items without reasons`);
  if (failures.length) {
    console.error(`bench: ${failures.join("; ")}`);
    process.exit(1);
  }
  console.log("bench: within the bars (load ≤ 50 ms, For You ≤ 1 ms)");
}
