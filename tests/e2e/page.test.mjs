// End-to-end tests of the built page (dist/), in Debian's chromium. Run by `make test`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { start, openPage, editorText, setEditorText, pageTests, recordMetrics, root, dist, V1, V2, V3 } from "./harness.mjs";


let env;
const metrics = {};

before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
  recordMetrics(metrics);
});

const pageTest = pageTests(() => env);

// The reviews VirtualService of the reference scenario, sent to another subset.
function reviewsTo(text, subset) {
  const at = text.indexOf("host: reviews\n        subset: v1");
  assert.ok(at > 0, "the reviews route to subset v1 is in the editor");
  return text.slice(0, at) + text.slice(at).replace("subset: v1", `subset: ${subset}`);
}

async function showRoute9080ForReviews(page) {
  await page.click('[data-testid="config-output"] [data-tab="routes"]');
  const row = page.locator('[data-testid="resource-table"] tbody tr[data-name="9080"]', {
    hasText: "reviews.default.svc.cluster.local",
  });
  await row.first().click();
  await page.waitForSelector('[data-testid="resource-view"] .cm-editor');
}

async function waitForResourceText(page, needle) {
  await page.waitForFunction(
    (n) => (window.PilotLight.textOf(document.querySelector('[data-testid="resource-view"]')) || "").includes(n),
    needle,
    { timeout: 20000 },
  );
}

pageTest("the page loads under a sub-path, with no console error, and shows output fast", "loads", async (page) => {
  await page.waitForSelector('[data-testid="resource-table"]');
  const proxy = await page.inputValue('[data-testid="proxy-select"]');
  assert.match(proxy, /^productpage-v1-.*\.default$/);
  const first = await page.evaluate(() => performance.getEntriesByName("pl:first-output")[0]?.startTime);
  assert.ok(first > 0, "first output mark recorded");
  metrics.first_output_ms = Math.round(first);
  // The browser received the precompressed files: what it downloaded is what the size test counts.
  const sizes = await page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .filter((e) => /\.(wasm|js)$/.test(new URL(e.name).pathname))
      .map((e) => [new URL(e.name).pathname.split("/").pop(), e.encodedBodySize, e.decodedBodySize]),
  );
  assert.ok(sizes.length >= 3, `wasm, boot and editor loaded (${JSON.stringify(sizes)})`);
  for (const [name, encoded, decoded] of sizes) {
    assert.equal(encoded, fs.statSync(path.join(dist, name) + ".br").size, `${name} arrived as its .br`);
    assert.equal(decoded, fs.statSync(path.join(dist, name)).size, `${name} inflated whole`);
  }
  // The budget is 1 s (reported in metrics.json); the assertion is a looser guard so a busy
  // machine does not fail the build, while a page that hangs or loops still does.
  assert.ok(first < 5000, `first output after ${first} ms`);
});

// What the page weighs as served: wasm + JS, editor included. `make dist` writes brotli (.br) and
// zopfli (.gz) files beside them (web/build/precompress.mjs) and the server sends the .br to a
// browser that takes brotli, as Chromium does (the first test checks what arrives); the .gz, for
// hosts without brotli, and gzip -9 of the same files, for hosts that compress on the fly, are
// recorded next to it. The earlier 600 KB budget stopped holding when the page gained the
// analyzer (+41 KB) and security policies (2026-12-04); the target is now issue 18's 450 KB.
// Until then this guard catches a large regression (a dependency pulled into the page by
// mistake), not the target. It grew to 860 KB of .gz on 2026-12-07 (EnvoyFilter, istioctl's
// default analyzers, Gateway API status, the walkthrough, the derived-config view, the incremental
// session, the mesh view's focus) and was set to 760 KB of .br when the page started serving
// brotli (866,009 bytes as .gz, 734,962 as .br).
const PAGE_GUARD_KB = 760;
test(`wasm and JS are under ${PAGE_GUARD_KB} KB compressed, as served`, () => {
  const totals = { served: 0, zopfli: 0, gzip9: 0 };
  for (const f of fs.readdirSync(dist)) {
    if (f.endsWith(".wasm") || f.endsWith(".js")) {
      const file = path.join(dist, f);
      const body = fs.readFileSync(file);
      const brotli = fs.readFileSync(file + ".br");
      const gzip = fs.readFileSync(file + ".gz");
      assert.ok(zlib.brotliDecompressSync(brotli).equals(body), `${f}.br decompresses to ${f}`);
      assert.ok(zlib.gunzipSync(gzip).equals(body), `${f}.gz inflates to ${f}`);
      const sizes = { served: brotli.length, zopfli: gzip.length, gzip9: zlib.gzipSync(body, { level: 9 }).length };
      for (const [k, v] of Object.entries(sizes)) {
        metrics[`${k}_${f}`] = v;
        totals[k] += v;
      }
    }
  }
  for (const [k, v] of Object.entries(totals)) metrics[`${k}_total_bytes`] = v;
  assert.ok(totals.served < PAGE_GUARD_KB * 1024, `wasm+js as served: ${totals.served} bytes (guard ${PAGE_GUARD_KB} KB)`);
});

pageTest("productpage's routes send reviews to v1, and the route points back at its VirtualService", "routes-v1", async (page) => {
  await showRoute9080ForReviews(page);
  await waitForResourceText(page, V1);
  // The Istio lines that made the route are highlighted in the editor.
  assert.ok((await page.locator('[data-testid="editor"] .pl-hl-line').count()) > 0);
  const madeBy = await page.textContent('[data-testid="resource-detail"]');
  assert.match(madeBy, /VirtualService default\/reviews/);
  // YAML of the same resource.
  await page.click('[data-testid="resource-detail"] button.seg:text-is("YAML")');
  await waitForResourceText(page, "virtual_hosts:");
});

pageTest("changing subset v1 to v2 in the editor updates the output within a frame", "edited-v2", async (page) => {
  await showRoute9080ForReviews(page);
  await waitForResourceText(page, V1);
  const text = await editorText(page, "editor");
  await setEditorText(page, "editor", reviewsTo(text, "v2"));
  await waitForResourceText(page, V2);
  assert.ok(!(await editorText(page, "resource-view")).includes(V1));

  // Keystroke to updated output: type a comment at the end, one key at a time.
  await page.keyboard.press("Control+End");
  await page.evaluate(() => {
    performance.clearMeasures("pl:update");
    performance.clearMeasures("pl:translate");
  });
  for (const ch of "\n# typing") {
    await page.keyboard.type(ch);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  }
  const times = await page.evaluate(() => performance.getEntriesByName("pl:update").map((e) => e.duration));
  assert.ok(times.length >= 8, `one update per keystroke (${times.length})`);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  metrics.keystroke_to_update_ms = { median: +median.toFixed(2), max: +times[times.length - 1].toFixed(2) };
  // Of which load + translate in the core (the reducer), for the same keystrokes.
  const core = await page.evaluate((n) => performance.getEntriesByName("pl:translate").slice(-n).map((e) => e.duration), times.length);
  core.sort((a, b) => a - b);
  metrics.keystroke_core_translate_ms = { median: +core[Math.floor(core.length / 2)].toFixed(2) };
  // Budget 16 ms (reported in metrics.json); asserted loosely, as above.
  assert.ok(median < 100, `median keystroke-to-update ${median} ms`);
});

pageTest("a YAML error shows its line, keeps the last good output and marks it stale", "yaml-error", async (page) => {
  await showRoute9080ForReviews(page);
  await waitForResourceText(page, V1);
  const text = await editorText(page, "editor");
  const lines = text.split("\n");
  const badLine = 4; // 1-based line of the broken flow sequence
  lines.splice(badLine - 1, 0, "  oops: [unclosed");
  await setEditorText(page, "editor", lines.join("\n"));
  await page.waitForSelector('[data-testid="stale"]');
  const problems = await page.textContent('[data-testid="diagnostics"]');
  const m = problems.match(/istio\.yaml:(\d+):\d+/);
  assert.ok(m, `a diagnostic with a line: ${problems}`);
  assert.ok(Number(m[1]) >= badLine, `error reported at line ${m[1]}, at or after ${badLine}`);
  // In place: a gutter marker and an underline in the editor.
  await page.waitForSelector('[data-testid="editor"] .cm-lint-marker-error');
  assert.ok((await page.locator('[data-testid="editor"] .cm-lintRange-error').count()) > 0);
  // The last good output is still there.
  assert.ok((await editorText(page, "resource-view")).includes(V1));
  // Clicking the problem moves the cursor to its line.
  await page.click('[data-testid="diagnostics"] button.diag.error');
  const active = await page.textContent('[data-testid="editor"] .cm-activeLineGutter');
  assert.equal(active.trim(), m[1]);
});

pageTest("a preset loads into the editor and the output follows", "preset", async (page) => {
  await showRoute9080ForReviews(page);
  await page.selectOption('[data-testid="preset-menu"]', "traffic-shifting-v3");
  const expected = fs.readFileSync(path.join(dist, "presets/traffic-shifting-v3.yaml"), "utf8");
  assert.equal(await editorText(page, "editor"), expected);
  await waitForResourceText(page, V3);
});

pageTest("reload keeps both editors' text; the cluster resets to Bookinfo", "reload", async (page) => {
  await page.waitForSelector('[data-testid="resource-table"]');
  const text = await editorText(page, "editor");
  const edited = reviewsTo(text, "v2");
  await setEditorText(page, "editor", edited);
  await page.click("#src-cluster");
  await page.click('[data-testid="cluster-editor"] .cm-content');
  await page.keyboard.press("Control+Home");
  await page.keyboard.type("# my cluster\n");
  const cluster = await editorText(page, "cluster-editor");
  await page.reload();
  await page.waitForSelector('[data-testid="resource-table"]');
  assert.equal(await editorText(page, "editor"), edited);
  // The cluster editor is created when its tab is first shown.
  await page.click("#src-cluster");
  assert.equal(await editorText(page, "cluster-editor"), cluster);
  await page.click('[data-testid="reset-cluster"]');
  const bookinfo = fs.readFileSync(path.join(dist, "worlds/bookinfo.yaml"), "utf8");
  assert.equal(await editorText(page, "cluster-editor"), bookinfo);
});

pageTest("Simplified Chinese with ?lang=zh, on a narrow screen", "zh-narrow", async (page) => {
  await page.waitForSelector('[data-testid="resource-table"]');
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  assert.match(await page.textContent('[data-testid="config-output"]'), /路由/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal page scroll (${overflow}px)`);
}, { query: "?lang=zh", viewport: { width: 420, height: 800 } });

pageTest("dark colours when the system prefers dark", "dark", async (page) => {
  await page.waitForSelector('[data-testid="resource-table"]');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `dark background, got ${bg}`);
}, { colorScheme: "dark" });

pageTest("the full dump, and the ingress gateway's routes", "dump-gateway", async (page) => {
  await page.waitForSelector('[data-testid="resource-table"]');
  await page.click('[data-testid="config-output"] [data-tab="dump"]');
  await page.waitForSelector('[data-testid="dump-view"] .cm-editor');
  const dump = await editorText(page, "dump-view");
  assert.ok(JSON.parse(dump).configs.length > 0, "the dump is JSON with configs");
  assert.ok(dump.includes(V1));
  const gateway = await page.$$eval('[data-testid="proxy-select"] option', (opts) =>
    opts.map((o) => o.value).find((v) => v.startsWith("istio-ingressgateway")),
  );
  assert.ok(gateway, "the ingress gateway is a proxy");
  await page.selectOption('[data-testid="proxy-select"]', gateway);
  await page.click('[data-testid="config-output"] [data-tab="routes"]');
  await page.waitForSelector('[data-testid="resource-table"] tbody tr[data-name="http.8080"]');
});

test("first output over 8 fresh loads (median and range, in metrics.json)", async () => {
  const firsts = [];
  const editors = [];
  for (let i = 0; i < 8; i++) {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const { page } = await openPage(env, { context });
    await page.waitForSelector('[data-testid="resource-table"]');
    firsts.push(await page.evaluate(() => performance.getEntriesByName("pl:first-output")[0]?.startTime));
    // The editor starts a task after the first output (views/editor.rs).
    await page.waitForSelector('[data-testid="editor"] .cm-editor');
    editors.push(await page.evaluate(() => performance.getEntriesByName("pl:editor-created")[0]?.startTime));
    await context.close();
  }
  assert.ok(firsts.every((t) => t > 0), `first output marked on every load: ${firsts}`);
  assert.ok(editors.every((t, i) => t >= firsts[i]), `the editor after the first output: ${editors}`);
  const spread = (times) => {
    const t = [...times].sort((a, b) => a - b);
    return { median: Math.round((t[3] + t[4]) / 2), min: Math.round(t[0]), max: Math.round(t[7]) };
  };
  metrics.first_output_8_loads_ms = spread(firsts);
  metrics.editor_created_8_loads_ms = spread(editors);
});

pageTest("a pasted 1,000-service mesh: output, typing measured, the mesh drawn as a focus, a request traced from a sidecar", "mesh-1000", async (page) => {
  // The benchmark's generated mesh (pilotlight bench --emit), built by `cargo test` before this runs.
  const mesh = execFileSync("cargo", ["run", "-q", "-p", "pilotlight-core", "--bin", "pilotlight", "--", "bench", "--emit", "1000"], {
    cwd: root,
    maxBuffer: 64 << 20,
  }).toString();
  await page.waitForSelector('[data-testid="resource-table"]');
  await setEditorText(page, "editor", mesh);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="proxy-select"] option').length > 2000, null, { timeout: 120000 });
  // Above 256 KB the editor is plain text (no parser re-running on every key) and says so.
  assert.match(await page.textContent('[data-testid="plain-text-note"]'), /256 KB/);
  // A long table draws its first rows and says so.
  await page.click('[data-testid="config-output"] [data-tab="clusters"]');
  assert.ok((await page.locator('[data-testid="resource-table"] tbody tr').count()) <= 200);
  assert.match(await page.textContent('[data-testid="table-count"]'), /of \d{4} rows.*first 200/);

  // As a reader would, type once the paste has settled: its findings and the mesh drawn.
  await page.waitForSelector('[data-testid="mesh-focus"]', { timeout: 120000 });
  await page.waitForSelector('[data-testid="findings-pending"]', { state: "detached", timeout: 120000 });
  // Typing 20 characters at 50 ms intervals at the end of the text: the longest main-thread task
  // from the first key until the output reflects the last one (PerformanceObserver "longtask").
  await page.click('[data-testid="editor"] .cm-content');
  await page.keyboard.press("Control+End");
  await page.evaluate(() => {
    window.__longtasks = [];
    new PerformanceObserver((list) => window.__longtasks.push(...list.getEntries().map((e) => [e.startTime, e.duration])))
      .observe({ type: "longtask" });
  });
  const before = await page.evaluate(() => performance.getEntriesByName("pl:update").length);
  const typed = Date.now();
  await page.keyboard.type("\n# twenty characters", { delay: 50 });
  const lastKey = await page.evaluate(() => performance.now());
  await page.waitForFunction((n) => performance.getEntriesByName("pl:update").length > n, before, { timeout: 120000 });
  const visible = Date.now() - typed;
  // The mesh bar says "Updating…" until the analysis worker's picture of the last edit is drawn.
  await page.waitForSelector('[data-testid="mesh-updating"]', { state: "detached", timeout: 120000 });
  const tasks = await page.evaluate(() => window.__longtasks);
  const longest = (list) => Math.round(Math.max(0, ...list.map(([, d]) => d)));
  // Until the last key (the keys themselves), and until the output and the mesh picture reflect it
  // (the update too: the load and the selected proxy's translation run on the main thread).
  const whileTyping = tasks.filter(([start]) => start < lastKey);
  // The update's main-thread work before drawing: the load, the selected proxy's translation,
  // and taking in the analysis worker's two answers (the picture, then the findings).
  const lastOf = await page.evaluate(() =>
    Object.fromEntries(
      ["pl:load", "pl:proxy", "pl:answer"].map((n) => [n, performance.getEntriesByName(n).slice(-2).map((e) => Math.round(e.duration))]),
    ),
  );
  metrics.update_1000_services_tasks_ms = { load: lastOf["pl:load"].pop(), proxy: lastOf["pl:proxy"].pop(), answers: lastOf["pl:answer"] };
  metrics.typing_1000_services = {
    longest_task_while_typing_ms: longest(whileTyping),
    tasks_over_50_ms_while_typing: whileTyping.filter(([, d]) => d > 50).length,
    longest_task_ms: longest(tasks),
    tasks_over_50_ms: tasks.filter(([, d]) => d > 50).length,
    last_key_to_output_ms: Math.max(0, visible - 20 * 50),
  };
  // One keystroke after a pause, to the selected proxy's new output.
  const times = [];
  for (const ch of "# x") {
    const n = await page.evaluate(() => performance.getEntriesByName("pl:update").length);
    await page.keyboard.type(ch);
    await page.waitForFunction((n) => performance.getEntriesByName("pl:update").length > n, n, { timeout: 120000 });
    times.push(await page.evaluate(() => performance.getEntriesByName("pl:update").pop().duration));
  }
  times.sort((a, b) => a - b);
  metrics.keystroke_to_update_1000_services_ms = { median: +times[1].toFixed(1), max: +times[2].toFixed(1) };
  metrics.mesh_1000_input_bytes = Buffer.byteLength(mesh);

  // The mesh is drawn as a focus around the selected proxy, and can be centred on any service.
  await page.waitForSelector('[data-testid="mesh-focus"]', { timeout: 120000 });
  assert.match(await page.textContent('[data-testid="mesh-focus"]'), /of 1004 services/, "Bookinfo's 4 and the 1,000");
  await page.fill('[data-testid="mesh-find"]', "svc-0500");
  await page.press('[data-testid="mesh-find"]', "Enter");
  await page.waitForSelector('[data-testid="topology-group-svc-0500.default"]');
  await page.waitForSelector('[data-testid="topology-group-svc-0501.default"]');
  // A request from a sidecar far from the centre: its path comes into the picture.
  await page.selectOption('[data-testid="request-from"]', "svc-0010-v1");
  await page.fill('[data-testid="request-path"]', "/");
  await page.fill('[data-testid="request-host"]', "svc-0011");
  await page.fill('[data-testid="request-port"]', "8080");
  await page.selectOption('[data-testid="anim-speed"]', "4");
  const sent = Date.now();
  await page.click('[data-testid="send"]');
  await page.waitForSelector('[data-testid="topology"][data-anim="done"]', { timeout: 120000 });
  metrics.send_1000_services_ms = Date.now() - sent;
  // Each service splits 80/20 between v1 and a v3 with no pods, and calls the next: wherever the
  // seeded path ends, it starts at svc-0010 and its first hop's service is in the picture.
  assert.ok((await page.textContent('[data-testid="path-result"]')).trim().length > 0, "a result is written");
  assert.equal(await page.getAttribute('[data-testid="topology-node-svc-0010-v1"]', "data-visited"), "true");
  await page.waitForSelector('[data-testid="topology-group-svc-0011.default"]');

  // Without Bookinfo's cluster (whose Namespace replaces the mesh's injected one), every service's
  // v2 and v3 subsets select no pods: 2,000 IST0173 findings, of which the first 200 are drawn.
  await page.click("#src-cluster");
  await page.click('[data-testid="cluster-editor"] .cm-content');
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await page.waitForSelector('[data-testid="findings-count"]', { timeout: 120000 });
  assert.match(await page.textContent('[data-testid="findings-count"]'), /first 200 of 2000/);
  assert.equal(await page.locator('[data-testid="diagnostics"] li').count(), 200);
  assert.match(await page.textContent('[data-testid="diagnostics"] li'), /IST0173/);
  // A large input's findings are computed off the main thread, in the page's Web Worker.
  assert.equal(page.workers().length, 1, "one findings worker");
});
