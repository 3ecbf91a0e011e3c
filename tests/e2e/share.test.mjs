// Share links, embedding, compare and "take it to a cluster" (issue 7), in Debian's chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { start, openPage, screenshot, editorText, setEditorText, pageTests, root, artifacts, V1, V3, NO_SUBSET } from "./harness.mjs";


let env;
const metrics = {};
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
  fs.mkdirSync(artifacts, { recursive: true });
  fs.writeFileSync(path.join(artifacts, "share-metrics.json"), JSON.stringify(metrics, null, 2) + "\n");
  console.log("# share metrics " + JSON.stringify(metrics));
});

const pageTest = pageTests(() => env);

function reviewsTo(text, subset) {
  const at = text.indexOf("host: reviews\n");
  assert.ok(at > 0, "the reviews destination is in the editor");
  return text.slice(0, at) + text.slice(at).replace("subset: v1", `subset: ${subset}`);
}

const ready = (page) => page.waitForSelector('[data-testid="resource-table"]', { timeout: 20000 });

async function selectedTab(page) {
  return page.getAttribute('[data-testid="config-output"] [role="tab"][aria-selected="true"]', "data-tab");
}

pageTest("a link made after an edit restores text, proxy and view in a fresh browser context", "share-roundtrip", async (page, context) => {
  await ready(page);
  const edited = reviewsTo(await editorText(page, "editor"), "v3") + "# shared 分享\n";
  await setEditorText(page, "editor", edited);
  const reviewsProxy = await page.$eval('[data-testid="proxy-select"]', (s) =>
    [...s.options].map((o) => o.value).find((v) => v.startsWith("reviews-v2")),
  );
  await page.selectOption('[data-testid="proxy-select"]', reviewsProxy);
  await page.click('[data-testid="config-output"] [data-tab="clusters"]');

  await page.click('[data-testid="share-button"]');
  const link = await page.inputValue('[data-testid="share-link"]');
  assert.match(link, /#s=1\.[A-Za-z0-9_-]+$/);
  const status = await page.textContent('[data-testid="share-status"]');
  assert.ok(status.includes(link.length.toLocaleString("en-US")), `status says the length: ${status}`);
  metrics.edited_link_chars = link.length;

  // The address bar follows the state too (throttled to one update a second).
  await page.waitForFunction(() => location.hash.startsWith("#s=1."), null, { timeout: 5000 });

  const fresh = await env.browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const { page: p2, errors } = await openPage(env, { context: fresh, query: link.slice(link.indexOf("#")) });
    await ready(p2);
    assert.equal(await editorText(p2, "editor"), edited);
    assert.equal(await p2.inputValue('[data-testid="proxy-select"]'), reviewsProxy);
    assert.equal(await selectedTab(p2), "clusters");
    assert.equal(await p2.$('[data-testid="share-error"]'), null);
    await screenshot(p2, "share-roundtrip-opened");
    assert.deepEqual(errors, []);
  } finally {
    await fresh.close();
  }
});

pageTest("a link from the first format version still opens", "share-v1-fixture", async (page) => {
  const fixture = fs.readFileSync(path.join(root, "tests/share/v1-link.txt"), "utf8");
  const link = fixture.split("\n").find((l) => l.startsWith("http"));
  const expected = JSON.parse(fs.readFileSync(path.join(root, "tests/share/v1-state.json"), "utf8"));
  metrics.v1_fixture_link_chars = link.length;
  await page.goto(env.url + link.slice(link.indexOf("#")));
  await ready(page);
  assert.equal(await editorText(page, "editor"), expected.istio);
  assert.equal(await page.inputValue('[data-testid="proxy-select"]'), expected.proxy);
  assert.equal(await selectedTab(page), expected.tab);
  const row = page.locator('[data-testid="resource-table"] tbody tr[data-name="9080"]', {
    hasText: "reviews.default.svc.cluster.local",
  });
  await row.first().click();
  await page.waitForFunction(
    () => (window.PilotLight.textOf(document.querySelector('[data-testid="resource-view"]')) || "").includes("outbound|9080|v2|reviews"),
    null,
    { timeout: 10000 },
  );
});

test("the embed example page shows two working embeds that fit their iframes", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openPage(env, { context, query: "embed-example.html" });
  try {
    for (const id of ["embed-1", "embed-2"]) {
      const frame = page.frameLocator(`[data-testid="${id}"]`);
      await frame.locator('[data-testid="embed"]').waitFor({ timeout: 20000 });
      await frame.locator('[data-testid="resource-table"]').waitFor({ timeout: 20000 });
      const href = await frame.locator('[data-testid="open-in-pilot-light"]').getAttribute("href");
      assert.match(href, /#s=1\./);
      assert.ok(!href.includes("embed"), "the full-page link leaves the embed layout");
      // The iframe was resized to the height the page reported.
      await page.waitForFunction(
        (i) => Number(document.querySelector(`[data-testid="${i}"]`).dataset.reportedHeight) > 300,
        id,
        { timeout: 10000 },
      );
      const reported = await page.$eval(`[data-testid="${id}"]`, (f) => Number(f.dataset.reportedHeight));
      const box = await page.$eval(`[data-testid="${id}"]`, (f) => f.getBoundingClientRect().height);
      assert.ok(Math.abs(box - reported) <= 4, `iframe ${box}px fits the reported ${reported}px`);
      // ...which is the embed layout's own height (so the iframe shrinks as well as grows).
      const inner = await (await page.$(`[data-testid="${id}"]`)).contentFrame();
      const content = await inner.evaluate(() => document.querySelector('[data-testid="embed"]').getBoundingClientRect().height);
      assert.ok(Math.abs(content - reported) <= 2, `reported ${reported}px for content of ${content}px`);
      metrics[`${id}_height`] = reported;
    }
    const one = page.frameLocator('[data-testid="embed-1"]');
    const frameOf = async (id) => (await page.$(`[data-testid="${id}"]`)).contentFrame();
    const textIn = (frame) => frame.evaluate(() => window.PilotLight.textOf(document.querySelector('[data-testid="editor"]')));
    // Read-only: typing changes nothing.
    const f1 = await frameOf("embed-1");
    const before1 = await textIn(f1);
    await one.locator('[data-testid="editor"] .cm-content').click();
    await page.keyboard.type("zz");
    assert.equal(await textIn(f1), before1);
    await one.locator('[data-testid="resource-table"] tbody tr[data-name="9080"]', { hasText: "reviews" }).first().click();
    await one.locator('[data-testid="resource-view"]').waitFor();
    // The second one is editable and shows the weighted clusters.
    const two = page.frameLocator('[data-testid="embed-2"]');
    const f2 = await frameOf("embed-2");
    await two.locator('[data-testid="editor"] .cm-content').click();
    await page.keyboard.press("Control+Home");
    await page.keyboard.type("# edited\n");
    assert.ok((await textIn(f2)).startsWith("# edited\n"));
    assert.equal(
      await two.locator('[data-testid="config-output"] [role="tab"][aria-selected="true"]').getAttribute("data-tab"),
      "clusters",
    );
    assert.ok((await two.locator('[data-testid="resource-table"]').textContent()).includes("v3"));
    // Embeds never write the visitor's saved playground.
    assert.equal(await page.evaluate(() => localStorage.getItem("pilotlight.istio.v1")), null);
    await screenshot(page, "embed-example");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

pageTest("the Embed dialog gives an iframe snippet and a Markdown link that open the embed layout", "embed-dialog", async (page, context) => {
  await ready(page);
  await page.click('[data-testid="embed-button"]');
  await page.check('[data-testid="embed-readonly"]');
  const snippet = await page.inputValue('[data-testid="embed-snippet"]');
  const md = await page.inputValue('[data-testid="embed-markdown"]');
  assert.match(md, /^\[Open in Pilot Light\]\(http.*#s=1\.[A-Za-z0-9_-]+\)$/);
  const src = snippet.match(/<iframe src="([^"]+)"/)[1].replaceAll("&amp;", "&");
  assert.match(src, /\?embed&view=config&readonly#s=1\./);
  assert.match(snippet, /pilotlight:height/);
  await page.keyboard.press("Escape");
  assert.equal(await page.$('[data-testid="embed-dialog"]'), null);
  const p2 = await context.newPage();
  await p2.goto(src);
  await p2.waitForSelector('[data-testid="embed"] [data-testid="resource-table"]');
  assert.equal(await p2.$('[data-testid="share-button"]'), null, "compact layout: no header");
  // The animation view instead of the config.
  await page.click('[data-testid="embed-button"]');
  await page.selectOption('[data-testid="embed-view"]', "animation");
  const anim = (await page.inputValue('[data-testid="embed-snippet"]')).match(/<iframe src="([^"]+)"/)[1].replaceAll("&amp;", "&");
  assert.match(anim, /\?embed&view=animation#s=1\./);
  await p2.goto(anim);
  await p2.waitForSelector('[data-testid="embed"] [data-testid="mesh-pane"]');
  assert.equal(await p2.$('[data-testid="embed"] [data-testid="config-output"]'), null);
});

pageTest("a corrupt fragment shows a clear message and an empty editor", "share-corrupt", async (page) => {
  await page.waitForSelector('[data-testid="share-error"]');
  assert.match(await page.textContent('[data-testid="share-error"]'), /could not be opened.*(base64url|decompress)/);
  assert.equal(await editorText(page, "editor"), "");
  // The page still works: the cluster is Bookinfo and its proxies are there.
  assert.ok((await page.$$('[data-testid="proxy-select"] option')).length >= 7);
  // Nothing was saved over the visitor's text.
  assert.equal(await page.evaluate(() => localStorage.getItem("pilotlight.istio.v1")), null);
  // Another link pasted into the same tab is opened; a zip bomb is refused with its own message.
  const bomb = zlib.deflateRawSync(Buffer.from(`{"istio":"${"0".repeat(9 * 1024 * 1024)}"}`), { level: 9 });
  await page.evaluate((h) => (location.hash = h), "#s=1." + bomb.toString("base64url"));
  await page.waitForFunction(() => /more than 8 MB/.test(document.querySelector('[data-testid="share-error"]')?.textContent || ""));
  await page.evaluate(() => (location.hash = "#s=9.abc"));
  await page.waitForFunction(() => /newer Pilot Light/.test(document.querySelector('[data-testid="share-error"]')?.textContent || ""));
}, { query: "#s=1.this-is-not*a-valid~link" });

pageTest("text from a link is never HTML", "share-no-html", async (page) => {
  await ready(page);
  assert.equal(await page.$("img[src='x']"), null);
  assert.equal(await page.evaluate(() => window.__pwned === undefined), true);
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.ok(!/https?:/.test(csp), "no remote origins");
  assert.ok((await editorText(page, "editor")).includes("<img src=x onerror=window.__pwned=1>"));
}, { query: "#s=" + encodeV1({ istio: "# <img src=x onerror=window.__pwned=1><script>window.__pwned=1</script>\n", proxy: "<b>x</b>", tab: "<i>" }) });

pageTest("the diff shows the reviews route moving to subset v1 when the VirtualService is applied", "diff-snapshot", async (page) => {
  await ready(page);
  const full = await editorText(page, "editor");
  const docs = full.split(/^---\n/m);
  const withoutReviewsVs = docs.filter((d) => !(/kind: VirtualService/.test(d) && /name: reviews\n/.test(d))).join("---\n");
  assert.ok(withoutReviewsVs.length < full.length, "the reviews VirtualService was removed");
  await setEditorText(page, "editor", withoutReviewsVs);
  await page.waitForFunction(() => !document.querySelector('[data-testid="stale"]'));
  await page.click('[data-testid="snapshot-button"]');
  await page.waitForSelector('[data-testid="diff-empty"]');
  // The panel is brought into view: something visibly happens.
  await page.waitForFunction(() => {
    const r = document.querySelector('[data-testid="compare"]').getBoundingClientRect();
    return r.top >= 0 && r.top < window.innerHeight;
  });
  await setEditorText(page, "editor", full);
  const route = page.locator('[data-testid="diff-resource"][data-kind="routes"][data-name="9080"][data-change="changed"]');
  await route.waitFor({ timeout: 10000 });
  const field = route.locator('[data-testid="diff-field"][data-path$=".route.cluster"]').first();
  assert.match(await field.getAttribute("data-path"), /^virtual_hosts\["reviews\.default\.svc\.cluster\.local:9080"\]\.routes.*\.route\.cluster$/);
  assert.equal((await field.locator('[data-testid="diff-before"]').textContent()).trim(), NO_SUBSET);
  assert.equal((await field.locator('[data-testid="diff-after"]').textContent()).trim(), V1);
  metrics.snapshot_diff_resources = Number(await page.getAttribute('[data-testid="diff"]', "data-count"));
});

pageTest("compare two presets", "diff-presets", async (page) => {
  await ready(page);
  await page.click('[data-testid="compare-button"]');
  await page.selectOption('[data-testid="compare-preset-a"]', "request-routing-v1");
  await page.selectOption('[data-testid="compare-preset-b"]', "traffic-shifting-v3");
  assert.match(await page.textContent('[data-testid="compare-title"]'), /request-routing-v1 → traffic-shifting-v3/);
  const route = page.locator('[data-testid="diff-resource"][data-kind="routes"][data-name="9080"]');
  await route.waitFor();
  const after = await route.locator('[data-testid="diff-after"]').allTextContents();
  assert.ok(after.some((t) => t.includes(V3)), after.join(" | "));
  await page.click('[data-testid="compare-close"]');
  assert.equal(await page.$('[data-testid="diff"]'), null);
});

pageTest("take it to a cluster: config_dump download, kubectl here-document, istioctl command", "to-cluster", async (page) => {
  await ready(page);
  await page.click('[data-testid="config-output"] [data-tab="routes"]');
  await page.click('[data-testid="share-button"]');
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="download-dump"]')]);
  const proxy = await page.inputValue('[data-testid="proxy-select"]');
  assert.equal(download.suggestedFilename(), `config_dump-${proxy}.json`);
  const file = await download.path();
  const dump = JSON.parse(fs.readFileSync(file, "utf8"));
  assert.deepEqual(
    dump.configs.map((c) => c["@type"].split(".").pop()),
    ["ClustersConfigDump", "ListenersConfigDump", "RoutesConfigDump", "EndpointsConfigDump"],
  );
  metrics.config_dump_bytes = fs.statSync(file).size;
  const kubectl = await page.inputValue('[data-testid="kubectl-apply"]');
  const istio = await editorText(page, "editor");
  assert.equal(kubectl, `kubectl apply -f - <<'EOF'\n${istio}${istio.endsWith("\n") ? "" : "\n"}EOF\n`);
  assert.equal(await page.inputValue('[data-testid="istioctl-command"]'), `istioctl proxy-config routes ${proxy}`);
});

pageTest("a very large state still makes a link that opens", "share-large", async (page, context) => {
  await ready(page);
  let big = await editorText(page, "editor");
  for (let i = 0; i < 4000; i++) big += `# line ${i}: ${(i * 7919) % 10007} ${"x".repeat(i % 40)}\n`;
  await setEditorText(page, "editor", big);
  await page.click('[data-testid="share-button"]');
  const link = await page.inputValue('[data-testid="share-link"]');
  metrics.large_state_bytes = Buffer.byteLength(big);
  metrics.large_link_chars = link.length;
  await page.waitForSelector('[data-testid="share-long"]');
  const p2 = await context.newPage();
  await p2.goto(link);
  await ready(p2);
  assert.equal(await editorText(p2, "editor"), big);
});

pageTest("the bookinfo link is short", "share-default", async (page) => {
  await ready(page);
  await page.click('[data-testid="share-button"]');
  const link = await page.inputValue('[data-testid="share-link"]');
  metrics.bookinfo_default_link_chars = link.length;
  metrics.bookinfo_default_state_chars = link.length - link.indexOf("#s=") - 3;
  assert.ok(link.length - link.indexOf("#") < 1500, `${link.length} characters`);
});

// Version 1 of the format, written independently of the Rust encoder (raw deflate + base64url).
function encodeV1(state) {
  return "1." + zlib.deflateRawSync(Buffer.from(JSON.stringify(state)), { level: 9 }).toString("base64url");
}
