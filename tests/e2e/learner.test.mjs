// The page as a learner reads it (issue 13): room to read (the mesh splitter), tables with a filter
// and arrow keys, the decision on the diagram, the stale mark, a walkthrough that draws istiod's push
// and links the chain, embeds that open at a resource and fit a blog column, a diff summary across
// the mesh, presets in Chinese with their istio.io task, and a diagram readable on a phone.
import fs from "node:fs";
import path from "node:path";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, pageTests, setEditorText, root } from "./harness.mjs";

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});
const pageTest = pageTests(() => env);

const ROUTING_V1 = fs.readFileSync(path.join(root, "static/presets/request-routing-v1.yaml"), "utf8");
const node = (id) => `[data-testid="topology-node-${id}"]`;
const ready = (page) => page.waitForSelector(node("istio-ingressgateway"), { timeout: 20000 });

async function send(page) {
  await page.selectOption('[data-testid="anim-speed"]', "4");
  await page.click('[data-testid="send"]');
  await page.waitForSelector('[data-testid="topology"][data-anim="done"]', { timeout: 20000 });
}

const box = (page, sel) => page.$eval(sel, (e) => e.getBoundingClientRect().toJSON());

pageTest("the mesh pane's height is dragged or keyed, and remembered after a reload", "learner-splitter", async (page) => {
  await ready(page);
  const before = (await box(page, '[data-testid="mesh-pane"]')).height;
  const bar = await box(page, '[data-testid="mesh-splitter"]');
  await page.mouse.move(bar.x + bar.width / 2, bar.y + 3);
  await page.mouse.down();
  await page.mouse.move(bar.x + bar.width / 2, bar.y - 150, { steps: 5 });
  await page.mouse.up();
  const dragged = (await box(page, '[data-testid="mesh-pane"]')).height;
  assert.ok(dragged > before + 100, `dragged up: ${before} -> ${dragged}`);
  await page.focus('[data-testid="mesh-splitter"]');
  await page.keyboard.press("ArrowDown");
  const keyed = (await box(page, '[data-testid="mesh-pane"]')).height;
  assert.ok(keyed < dragged - 20, `ArrowDown makes it smaller: ${dragged} -> ${keyed}`);
  await page.reload();
  await ready(page);
  const reloaded = (await box(page, '[data-testid="mesh-pane"]')).height;
  assert.ok(Math.abs(reloaded - keyed) < 4, `remembered: ${keyed} vs ${reloaded}`);
});

pageTest("a table filters its rows, rows move with the arrow keys, tabs take focus with the arrows", "learner-table", async (page) => {
  await ready(page);
  await page.click('[data-tab="clusters"]');
  const all = await page.$$eval('[data-testid="resource-table"] tbody tr', (r) => r.length);
  await page.fill('[data-testid="table-filter"]', "reviews v2");
  const rows = await page.$$eval('[data-testid="resource-table"] tbody tr', (r) => r.map((x) => x.dataset.name));
  assert.ok(rows.length > 0 && rows.length < all, `${rows.length} of ${all}`);
  assert.ok(rows.every((n) => n.includes("reviews") && n.includes("v2")), rows.join(" "));
  assert.match(await page.textContent('[data-testid="table-count"]'), new RegExp(`${rows.length} of ${all}`));
  await page.press('[data-testid="table-filter"]', "Escape");
  assert.equal(await page.$$eval('[data-testid="resource-table"] tbody tr', (r) => r.length), all);
  // Arrow keys walk the rows; Enter opens the focused one.
  await page.focus('[data-testid="resource-table"] tbody tr');
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  const focused = await page.evaluate(() => document.activeElement.dataset.name);
  const third = await page.$$eval('[data-testid="resource-table"] tbody tr', (r) => r[2].dataset.name);
  assert.equal(focused, third);
  await page.keyboard.press("Enter");
  await page.waitForSelector('[data-testid="resource-detail"]');
  // The ARIA tabs pattern: the arrow moves the selection and the focus.
  await page.focus('[data-tab="clusters"]');
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.tab), "endpoints");
  assert.equal(await page.getAttribute('[data-tab="endpoints"]', "aria-selected"), "true");
});

pageTest("Send shows the deciding step on the diagram and the hop's decisions open", "learner-decisions", async (page) => {
  await ready(page);
  await page.selectOption('[data-testid="preset-menu"]', "request-routing-jason");
  await ready(page);
  await page.check('[data-testid="jason-toggle"]');
  await send(page);
  const caption = await page.textContent('[data-testid="hop-caption"]');
  assert.ok(caption.length > 10, caption);
  // The productpage hop that chose reviews v2 names what it matched on.
  await page.click('[data-testid^="hop-"][data-workload="productpage-v1"][data-direction="outbound"] .hop-summary >> nth=0');
  const detail = await page.textContent('[data-testid^="hop-detail-"]');
  assert.match(detail, /end-user/);
  assert.match(await page.textContent('[data-testid="hop-caption"]'), /end-user|productpage/);
  // Long names wrap between their parts (a <wbr> after each separator), never mid-word.
  assert.ok(await page.$('[data-testid^="hop-detail-"] wbr'), "break opportunities in long names");
});

pageTest("broken input marks the mesh stale; loading a preset opens no banner by itself", "learner-stale", async (page) => {
  await ready(page);
  await page.selectOption('[data-testid="preset-menu"]', "traffic-shifting-50-50");
  await ready(page);
  assert.equal(await page.$('[data-testid="under-cursor"]'), null, "no unprompted banner");
  await setEditorText(page, "editor", ROUTING_V1 + "\n  bad: [unclosed\n");
  await page.waitForSelector('[data-testid="mesh-stale"]');
  await setEditorText(page, "editor", ROUTING_V1);
  await page.waitForSelector('[data-testid="mesh-stale"]', { state: "detached" });
});

pageTest("Send 100 draws each edge as thick as its share", "learner-shares", async (page) => {
  await ready(page);
  await page.selectOption('[data-testid="preset-menu"]', "traffic-shifting-80-20");
  await ready(page);
  await page.click('[data-testid="send-100"]');
  await page.waitForSelector('[data-testid="shares"]');
  const width = (to) =>
    page.$eval(`[data-testid="topology-edge-productpage-v1-${to}"] line`, (l) => parseFloat(getComputedStyle(l).strokeWidth));
  const [v1, v2] = [await width("reviews-v1"), await width("reviews-v2")];
  assert.ok(v1 > v2 * 2, `80% is thicker than 20%: ${v1} vs ${v2}`);
});

pageTest("a 403 mark does not cover the workload's name", "learner-labels", async (page) => {
  await ready(page);
  await page.selectOption('[data-testid="preset-menu"]', "authz-allow-nothing");
  await ready(page);
  await send(page);
  const overlaps = await page.evaluate(() => {
    const marks = [...document.querySelectorAll(".topo-stop text")].map((t) => t.getBoundingClientRect());
    const labels = [...document.querySelectorAll(".topo-node .topo-label")].map((t) => t.getBoundingClientRect());
    return marks.filter((m) => labels.some((l) => m.left < l.right && l.left < m.right && m.top < l.bottom && l.top < m.bottom)).length;
  });
  assert.equal(overlaps, 0);
});

pageTest("the walkthrough draws istiod's push, says what an edit changed, links the chain, fits and closes on Escape", "learner-walkthrough", async (page) => {
  await ready(page);
  await send(page);
  await page.click('[data-testid="walkthrough"]');
  const panel = '[data-testid="walkthrough-panel"]';
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), "walkthrough-panel");
  await page.click('[data-testid="walk-next"]');
  await page.waitForSelector('[data-testid="topology-istiod"]');
  assert.equal(await page.$$eval('[data-testid="walk-push"] li', (l) => l.length), 4);
  // An edit while the step is open: the push lists the route it changed.
  await setEditorText(page, "editor", ROUTING_V1.replace(/(host: reviews\n\s+subset: )v1/, "$1v2"));
  await page.waitForSelector('[data-testid="walk-changed"]');
  assert.match(await page.textContent('[data-testid="walk-push"] [data-xds="RDS"]'), /9080/);
  await page.click('[data-testid="walk-next"]');
  // The edit made the sent request stale: step 3 offers to send it again.
  await page.click('[data-testid="walk-send"]');
  const chain = await page.textContent('[data-testid="walk-chain"]');
  assert.match(chain, /http_connection_manager/);
  // At 1280x720 the panel and its Back / Next / Close are on screen (its text scrolls inside).
  const bottoms = await page.$$eval(`${panel} .walk-nav button`, (b) => b.map((x) => x.getBoundingClientRect().bottom));
  assert.ok(bottoms.length >= 2 && bottoms.every((b) => b <= 720), `buttons at ${bottoms}`);
  assert.ok((await box(page, panel)).bottom <= 720);
  await page.click(`[data-testid="walk-chain"] .chip >> nth=0`);
  await page.waitForSelector('[data-testid="resource-detail"]');
  await page.focus(panel);
  await page.keyboard.press("Escape");
  await page.waitForSelector(panel, { state: "detached" });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), "walkthrough");
});

pageTest("an embed opens at its resource and line, and fits a 700 px blog column", "learner-embed", async (page) => {
  await ready(page);
  const reviews = await page.$eval('[data-testid="proxy-select"]', (s) => [...s.options].map((o) => o.value).find((v) => v.startsWith("reviews-v2")));
  await page.selectOption('[data-testid="proxy-select"]', reviews);
  await page.click('[data-tab="clusters"]');
  await page.click('[data-testid="resource-table"] tbody tr[data-name*="ratings"]');
  await page.click('[data-testid="embed-button"]');
  const snippet = await page.inputValue('[data-testid="embed-snippet"]');
  const src = snippet.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&");
  assert.match(src, /resource=outbound%7C9080%7C%7Cratings/);
  const ctx = await env.browser.newContext({ viewport: { width: 700, height: 900 } });
  const embed = await ctx.newPage();
  await embed.goto(`${src}&line=12`);
  await embed.waitForSelector('[data-testid="resource-detail"]');
  assert.match(await embed.textContent('[data-testid="resource-detail"] .title'), /ratings/);
  assert.equal(await embed.$eval('[data-testid="proxy-select"]', (s) => s.value), reviews);
  // At 700 px the columns that say where traffic goes are visible; no white space under the body.
  const headers = await embed.$$eval('[data-testid="resource-table"] th', (t) => t.filter((x) => x.offsetWidth > 0).map((x) => x.textContent));
  for (const h of ["SERVICE FQDN", "PORT", "SUBSET", "DESTINATION RULE"]) assert.ok(headers.includes(h), headers.join(","));
  const [body, doc] = await embed.evaluate(() => [document.body.getBoundingClientRect().height, document.documentElement.scrollHeight]);
  assert.ok(doc - body < 2, `document ${doc} vs body ${body}`);
  await ctx.close();
});

pageTest("Snapshot then an edit: a summary names every proxy that changed, each a link", "learner-diff-summary", async (page) => {
  await ready(page);
  await page.click('[data-testid="snapshot-button"]');
  await setEditorText(page, "editor", ROUTING_V1.replace(/(host: reviews\n\s+subset: )v1/, "$1v3"));
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="diff-summary"]')?.dataset.count) > 0);
  const proxies = await page.$$eval('[data-testid="diff-summary-proxy"]', (b) => b.map((x) => x.dataset.proxy));
  assert.ok(proxies.some((p) => p.startsWith("productpage-v1")), proxies.join(" "));
  const other = proxies.find((p) => !p.startsWith("productpage"));
  await page.click(`[data-testid="diff-summary-proxy"][data-proxy="${other}"]`);
  assert.equal(await page.$eval('[data-testid="proxy-select"]', (s) => s.value), other);
  const box = await page.$eval('[data-testid="diff-summary"]', (e) => e.getBoundingClientRect().toJSON());
  assert.ok(box.top < 720 && box.bottom > 0, "the summary is in view");
});

pageTest("presets speak Chinese and link to their istio.io task", "learner-zh", async (page) => {
  await ready(page);
  await page.selectOption('[data-testid="lang-select"]', "zh");
  const groups = await page.$$eval('[data-testid="preset-menu"] optgroup', (g) => g.map((x) => x.label));
  assert.ok(groups.includes("请求路由"), groups.join(","));
  await page.selectOption('[data-testid="preset-menu"]', "fault-injection-delay");
  const href = await page.getAttribute('[data-testid="preset-task"]', "href");
  assert.equal(href, "https://istio.io/latest/docs/tasks/traffic-management/fault-injection/");
  assert.match(await page.textContent('[data-testid="preset-menu"] option:checked'), /延迟/);
  // The decisions read in Chinese too; names and quoted values stay as Envoy writes them.
  await send(page);
  const caption = await page.textContent('[data-testid="hop-caption"]');
  assert.match(caption, /[\u4e00-\u9fff]/, caption);
  assert.match(await page.textContent('[data-testid^="hop-detail-"]'), /路由/);
});

pageTest("on a phone the diagram is readable, zooms and pans, and controls are touch-sized", "learner-phone", async (page) => {
  await ready(page);
  const size = await page.$eval(`${node("productpage-v1")} .topo-label`, (t) => t.getBoundingClientRect().height);
  assert.ok(size >= 10, `label height ${size}px`);
  const canvas = '[data-testid="mesh-pane"] .mesh-canvas';
  const [sw, cw] = await page.$eval(canvas, (c) => [c.scrollWidth, c.clientWidth]);
  assert.ok(sw > cw, "the diagram is wider than the screen: the canvas pans");
  await page.$eval(canvas, (c) => c.scrollBy(200, 0));
  assert.ok((await page.$eval(canvas, (c) => c.scrollLeft)) > 0);
  const w0 = (await box(page, '[data-testid="topology"]')).width;
  await page.click('[data-testid="zoom-in"]');
  const w1 = (await box(page, '[data-testid="topology"]')).width;
  assert.ok(w1 > w0, `zoomed in: ${w0} -> ${w1}`);
  const small = await page.$$eval('button, select, input:not([type="checkbox"]), [role="tab"]', (els) =>
    els
      .filter((e) => e.offsetParent !== null && !e.closest(".cm-editor"))
      .map((e) => [e.outerHTML.slice(0, 60), e.getBoundingClientRect().height])
      .filter(([, h]) => h > 0 && h < 32),
  );
  assert.deepEqual(small, []);
}, { viewport: { width: 390, height: 844 } });
