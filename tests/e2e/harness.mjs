// Shared set-up for the browser tests: serve dist/ under a sub-path on a free 127.0.0.1 port, drive
// Debian's chromium with playwright-core (no browser download), collect console errors, save screenshots.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { test, before, after } from "node:test";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "../..");
export const dist = path.join(root, "dist");
export const artifacts = path.join(root, "tests/artifacts");

// A sub-path, to prove the site only uses relative URLs.
export const BASE = "/some/sub/path/";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function start() {
  if (!fs.existsSync(path.join(dist, "index.html"))) {
    throw new Error("dist/index.html is missing: run `make dist` first");
  }
  fs.mkdirSync(artifacts, { recursive: true });
  const server = await serve(dist, { base: BASE });
  const url = `http://127.0.0.1:${server.address().port}${BASE}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  return {
    url,
    browser,
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

// A fresh page (own context, so own localStorage) at 1280x720 that records console errors and page errors.
export async function openPage(env, { query = "", viewport = { width: 1280, height: 720 }, context } = {}) {
  const ctx = context || (await env.browser.newContext({ viewport, locale: "en-US" }));
  const page = await ctx.newPage();
  const errors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  page.on("requestfailed", (req) => errors.push(`request failed: ${req.url()}`));
  await page.goto(env.url + query);
  return { page, ctx, errors };
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

// The document of the CodeMirror editor or viewer inside the element with this data-testid.
export async function editorText(page, testid) {
  // The editor starts a task after the page's first output.
  await page.waitForSelector(`[data-testid="${testid}"] .cm-editor`, { state: "attached" });
  return page.evaluate(
    (id) => window.PilotLight.textOf(document.querySelector(`[data-testid="${id}"]`)),
    testid,
  );
}

// Replace the whole text of an editor the way a user pasting does: focus, select all, paste.
// (A real paste event, handled by CodeMirror's paste handler; CDP's insertText took minutes for
// a 150 KB text.)
export async function setEditorText(page, testid, text) {
  const content = `[data-testid="${testid}"] .cm-content`;
  await page.click(content);
  await page.keyboard.press("Control+a");
  await page.evaluate(
    ({ selector, text }) => {
      const data = new DataTransfer();
      data.setData("text/plain", text);
      const paste = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
      document.querySelector(selector).dispatchEvent(paste);
    },
    { selector: content, text },
  );
}

// Reviews clusters of the reference scenario.
export const V1 = "outbound|9080|v1|reviews.default.svc.cluster.local";
export const V2 = "outbound|9080|v2|reviews.default.svc.cluster.local";
export const V3 = "outbound|9080|v3|reviews.default.svc.cluster.local";
export const NO_SUBSET = "outbound|9080||reviews.default.svc.cluster.local";

// `pageTest(name, shot, body, options)` for a test file whose environment `getEnv()` returns: each
// test gets a fresh context (own localStorage), a screenshot whether it passes or fails, and no
// console error unless `allowErrors`. `body(page, context)`.
// A test file's browser, started before its tests and closed after them, with its `pageTest`.
export function pageSuite() {
  let env;
  before(async () => {
    env = await start();
  });
  after(async () => {
    await env?.close();
  });
  return pageTests(() => env);
}

export function pageTests(getEnv) {
  return (name, shot, body, { viewport, colorScheme = "light", query = "", allowErrors = false } = {}) =>
    test(name, async () => {
      const env = getEnv();
      const context = await env.browser.newContext({ viewport: viewport || { width: 1280, height: 720 }, colorScheme });
      const { page, errors } = await openPage(env, { context, query });
      try {
        await body(page, context);
      } finally {
        await screenshot(page, shot).catch(() => {});
        await context.close();
      }
      if (!allowErrors) assert.deepEqual(errors, []);
    });
}

// Add `metrics` to tests/artifacts/metrics.json (each test file records its own numbers there).
export function recordMetrics(metrics) {
  const file = path.join(artifacts, "metrics.json");
  const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  fs.mkdirSync(artifacts, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(Object.assign(all, metrics), null, 2) + "\n");
  console.log("# metrics " + JSON.stringify(metrics));
}
