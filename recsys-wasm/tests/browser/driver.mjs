// What the browser scripts share: a static server on 127.0.0.1 for recsys-wasm/ and a small
// WebDriver client (node's fetch) for headless Chromium through chromedriver.
import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const CRATE = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".png": "image/png",
};

/**
 * Serves `root` (default: recsys-wasm/) on 127.0.0.1 at a free port; `files` maps URL paths
 * to other files (e.g. the artifact). Cross-origin isolated, so performance.now() is fine-grained.
 */
export function serve(files = {}, root = CRATE) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = files[path] ?? join(root, normalize(path).replace(/^(\.\.[/\\])+/, ""));
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
      "cache-control": "no-store",
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () => ok({ server, base: `http://127.0.0.1:${server.address().port}` })),
  );
}

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** A headless Chromium session through chromedriver (started here, stopped by `quit`). */
export async function browser({ width = 1280, height = 900 } = {}) {
  const chromedriver = process.env.CHROMEDRIVER ?? "chromedriver";
  const port = 9515 + Math.floor(Math.random() * 2000);
  const child = spawn(chromedriver, [`--port=${port}`], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const response = await fetch(url + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok || json.value?.error) {
      throw new Error(`${method} ${path}: ${json.value?.error}: ${json.value?.message?.split("\n")[0]}`);
    }
    return json.value;
  };
  for (let i = 0; ; i++) {
    try {
      await call("GET", "/status");
      break;
    } catch (err) {
      if (i > 100) throw new Error(`chromedriver did not start: ${err.message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const chromium = process.env.CHROMIUM ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
  const session = await call("POST", "/session", {
    capabilities: {
      alwaysMatch: {
        browserName: "chrome",
        "goog:chromeOptions": {
          ...(chromium ? { binary: chromium } : {}),
          args: [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", `--user-data-dir=${mkdtempSync(join(tmpdir(), "recsys-chromium-"))}`,
            `--window-size=${width},${height}`,
          ],
        },
      },
    },
  });
  const s = `/session/${session.sessionId}`;
  const b = {
    version: session.capabilities.browserVersion,
    goto: (href) => call("POST", `${s}/url`, { url: href }),
    /** Runs `fn(...args)` in the page (a function or its source) and returns its result. */
    run: (fn, ...args) => call("POST", `${s}/execute/sync`, { script: `return (${fn}).apply(null, arguments)`, args }),
    /** Awaits `fn(...args)` (async) in the page. */
    runAsync: (fn, ...args) =>
      call("POST", `${s}/execute/async`, {
        script: `const done = arguments[arguments.length - 1];
          Promise.resolve((${fn}).apply(null, Array.prototype.slice.call(arguments, 0, -1)))
            .then((v) => done({ ok: v }), (e) => done({ error: String(e && e.stack || e) }));`,
        args,
      }).then((r) => {
        if (r.error) throw new Error(r.error);
        return r.ok;
      }),
    find: async (css) => (await call("POST", `${s}/element`, { using: "css selector", value: css }))[ELEMENT],
    click: async (css) => call("POST", `${s}/element/${await b.find(css)}/click`, {}),
    type: async (css, text) => call("POST", `${s}/element/${await b.find(css)}/value`, { text }),
    cdp: (cmd, params = {}) => call("POST", `${s}/goog/cdp/execute`, { cmd, params }),
    /** The page as laid out at `width` CSS pixels (mobile emulation below 600). */
    viewport: (w, h) =>
      b.cdp("Emulation.setDeviceMetricsOverride", { width: w, height: h, deviceScaleFactor: 1, mobile: w < 600 }),
    /** A PNG of the whole page (beyond the viewport). */
    screenshot: async () =>
      Buffer.from((await b.cdp("Page.captureScreenshot", { format: "png", captureBeyondViewport: true })).data, "base64"),
    timeouts: (ms) => call("POST", `${s}/timeouts`, { script: ms, pageLoad: ms, implicit: 0 }),
    quit: async () => {
      try {
        await call("DELETE", s);
      } finally {
        child.kill();
      }
    },
  };
  await b.timeouts(120000);
  return b;
}

/** Polls `fn` in the page until it returns a truthy value (or throws after `ms`). */
export async function waitFor(b, what, fn, ms = 30000, ...args) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await b.run(fn, ...args);
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
