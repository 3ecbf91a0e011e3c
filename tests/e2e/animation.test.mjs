// The mesh view: topology drawn from the mesh, requests traced by the core and animated hop by hop,
// Send 100 shares, faults. Assertions read DOM attributes (data-visited, data-share, data-status),
// never pixels. A screenshot per test goes to tests/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, openPage, screenshot, editorText, setEditorText } from "./harness.mjs";

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const node = (id) => `[data-testid="topology-node-${id}"]`;
const edge = (from, to) => `[data-testid="topology-edge-${from}-${to}"]`;

async function ready(page) {
  await page.waitForSelector('[data-testid="topology"]');
  await page.waitForSelector(node("istio-ingressgateway"));
}

async function preset(page, id) {
  await page.selectOption('[data-testid="preset-menu"]', id);
  await ready(page);
}

async function visited(page, id) {
  return page.getAttribute(node(id), "data-visited");
}

// Send one request and wait until the animation has played to its end.
async function send(page, { fast = true } = {}) {
  if (fast) await page.selectOption('[data-testid="anim-speed"]', "4");
  await page.click('[data-testid="send"]');
  await page.waitForSelector('[data-testid="topology"][data-anim="done"]', { timeout: 20000 });
  return page.waitForSelector('[data-testid="path-result"]');
}

test("Bookinfo is drawn from the mesh: gateway, productpage, details, reviews v1/v2/v3, ratings", async () => {
  const { page, ctx, errors } = await openPage(env);
  await ready(page);
  for (const id of ["istio-ingressgateway", "productpage-v1", "details-v1", "reviews-v1", "reviews-v2", "reviews-v3", "ratings-v1"]) {
    assert.ok(await page.$(node(id)), `node ${id}`);
  }
  for (const [a, b] of [
    ["istio-ingressgateway", "productpage-v1"],
    ["productpage-v1", "details-v1"],
    ["productpage-v1", "reviews-v1"],
    ["productpage-v1", "reviews-v2"],
    ["productpage-v1", "reviews-v3"],
    ["reviews-v2", "ratings-v1"],
    ["reviews-v3", "ratings-v1"],
  ]) {
    assert.ok(await page.$(edge(a, b)), `edge ${a} -> ${b}`);
  }
  // reviews-v1 calls nothing: no edge from it.
  assert.equal(await page.$$eval('[data-from="reviews-v1"]', (els) => els.length), 0);
  // Left to right: gateway, productpage, reviews, ratings.
  const x = async (id) => (await page.locator(`${node(id)} rect`).boundingBox()).x;
  assert.ok((await x("istio-ingressgateway")) < (await x("productpage-v1")));
  assert.ok((await x("productpage-v1")) < (await x("reviews-v1")));
  assert.ok((await x("reviews-v2")) < (await x("ratings-v1")));
  await screenshot(page, "anim-topology");
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("reference scenario: Send from the gateway animates to reviews-v1", async () => {
  const { page, ctx, errors } = await openPage(env);
  await ready(page);
  await page.click('[data-testid="send"]');
  // It plays: a dot moves, and the path is not complete at once.
  await page.waitForSelector('[data-testid="topology"][data-anim="playing"]');
  await page.waitForSelector('[data-testid="anim-dot"]');
  await screenshot(page, "anim-reference-playing");
  await page.waitForSelector('[data-testid="topology"][data-anim="done"]', { timeout: 20000 });
  const result = await page.waitForSelector('[data-testid="path-result"]');
  assert.equal(await result.getAttribute("data-status"), "200");
  for (const id of ["istio-ingressgateway", "productpage-v1", "reviews-v1", "details-v1"]) {
    assert.equal(await visited(page, id), "true", id);
  }
  for (const id of ["reviews-v2", "reviews-v3", "ratings-v1"]) {
    assert.equal(await visited(page, id), "false", id);
  }
  assert.equal(await page.getAttribute(edge("productpage-v1", "reviews-v1"), "data-taken"), "true");
  assert.equal(await page.getAttribute(edge("productpage-v1", "reviews-v2"), "data-taken"), "false");
  // Hops in order; the outbound call to reviews shows Envoy's decisions, linked to the config.
  const hops = await page.$$eval('[data-testid^="hop-"][data-workload]', (els) =>
    els.map((e) => `${e.dataset.workload}:${e.dataset.direction}`),
  );
  assert.deepEqual(hops, [
    "istio-ingressgateway:gateway",
    "productpage-v1:inbound",
    "productpage-v1:outbound",
    "details-v1:inbound",
    "productpage-v1:outbound",
    "reviews-v1:inbound",
  ]);
  await page.click('[data-testid="hop-4"] .hop-summary');
  const detail = page.locator('[data-testid="hop-detail-4"]');
  await detail.waitFor();
  const text = await detail.innerText();
  assert.match(text, /outbound\|9080\|v1\|reviews\.default\.svc\.cluster\.local/);
  assert.match(text, /0\.0\.0\.0_9080/);
  assert.ok((await detail.locator('[data-testid="hop-source"]').allInnerTexts()).some((t) => /VirtualService default\/reviews/.test(t)));
  // "Show in config" for the route configuration selects it in the config view.
  await detail.locator("button.chip.link", { hasText: /^9080$/ }).click();
  await page.waitForSelector('[data-testid="resource-detail"]');
  assert.match(await page.locator('[data-testid="resource-detail"] .title').innerText(), /9080/);
  await screenshot(page, "anim-reference");
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("jason reaches reviews-v2 and ratings-v1; anyone else reviews-v1", async () => {
  const { page, ctx, errors } = await openPage(env);
  await ready(page);
  await preset(page, "request-routing-jason");
  await page.click('[data-testid="jason-toggle"]');
  await send(page);
  assert.equal(await visited(page, "reviews-v2"), "true");
  assert.equal(await visited(page, "ratings-v1"), "true");
  assert.equal(await visited(page, "reviews-v1"), "false");
  await screenshot(page, "anim-jason");
  await page.click('[data-testid="jason-toggle"]');
  await send(page);
  assert.equal(await visited(page, "reviews-v1"), "true");
  assert.equal(await visited(page, "reviews-v2"), "false");
  assert.equal(await visited(page, "ratings-v1"), "false");
  await screenshot(page, "anim-not-jason");
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("Send 100 on 80/20 labels the reviews edges near 80% and 20%", async () => {
  const { page, ctx, errors } = await openPage(env);
  await ready(page);
  await preset(page, "traffic-shifting-80-20");
  await page.click('[data-testid="send-100"]');
  await page.waitForSelector('[data-testid="shares"][data-runs="100"]');
  const share = async (a, b) => parseInt((await page.getAttribute(edge(a, b), "data-share")) ?? "NaN", 10);
  const v1 = await share("productpage-v1", "reviews-v1");
  const v2 = await share("productpage-v1", "reviews-v2");
  assert.ok(v1 >= 70 && v1 <= 90, `v1 ${v1}%`);
  assert.ok(v2 >= 10 && v2 <= 30, `v2 ${v2}%`);
  assert.equal(v1 + v2, 100);
  assert.equal(await share("istio-ingressgateway", "productpage-v1"), 100);
  assert.equal(await share("productpage-v1", "details-v1"), 100);
  // The share is drawn as a label on the edge.
  assert.match(await page.locator(`${edge("productpage-v1", "reviews-v1")} text`).textContent(), /^\d+%$/);
  await screenshot(page, "anim-send-100");
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("the abort preset ends in red with 500", async () => {
  const { page, ctx, errors } = await openPage(env);
  await ready(page);
  await preset(page, "fault-injection-abort");
  await page.click('[data-testid="jason-toggle"]');
  const result = await send(page);
  assert.equal(await result.getAttribute("data-status"), "500");
  assert.equal(await result.getAttribute("data-flag"), "FI");
  assert.match(await result.getAttribute("class"), /\bbad\b/);
  const color = await result.evaluate((e) => getComputedStyle(e).color);
  const [r, g, b] = color.match(/\d+/g).map(Number);
  assert.ok(r > 150 && g < 100 && b < 100, `red, not ${color}`);
  assert.ok(await page.$('.topo-stop[data-status="500 FI"]'), "a red stop mark with the status");
  assert.equal(await visited(page, "ratings-v1"), "false");
  await screenshot(page, "anim-abort");
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("delay shows a clock; an unrouted path is 404 NR at the gateway", async () => {
  const { page, ctx, errors } = await openPage(env);
  await ready(page);
  await preset(page, "fault-injection-delay");
  await page.click('[data-testid="jason-toggle"]');
  await page.selectOption('[data-testid="anim-speed"]', "2");
  await page.click('[data-testid="send"]');
  // The dot waits at the delay with a clock showing 7s.
  const clock = await page.waitForSelector('.topo-delay.waiting', { timeout: 20000 });
  assert.equal(await clock.getAttribute("data-delay"), "7s");
  await screenshot(page, "anim-delay");
  await page.waitForSelector('[data-testid="topology"][data-anim="done"]', { timeout: 20000 });
  await preset(page, "request-routing-v1");
  await page.fill('[data-testid="request-path"]', "/nowhere");
  const result = await send(page);
  assert.equal(await result.getAttribute("data-status"), "404");
  assert.equal(await result.getAttribute("data-flag"), "NR");
  assert.equal(await result.getAttribute("data-at"), "istio-ingressgateway");
  assert.equal(await visited(page, "productpage-v1"), "false");
  await screenshot(page, "anim-404");
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("step-by-step mode, and reduced motion shows the end at once", async () => {
  const { page, ctx, errors } = await openPage(env);
  await ready(page);
  await page.click('[data-testid="step-mode"]');
  await page.click('[data-testid="send"]');
  const svg = page.locator('[data-testid="topology"]');
  assert.equal(await svg.getAttribute("data-cursor"), "0");
  await page.waitForTimeout(600);
  assert.equal(await svg.getAttribute("data-cursor"), "0", "no timer in step mode");
  assert.equal(await visited(page, "productpage-v1"), "false");
  await page.click('[data-testid="next-step"]');
  assert.equal(await svg.getAttribute("data-cursor"), "1");
  assert.equal(await visited(page, "productpage-v1"), "true");
  await ctx.close();

  const rctx = await env.browser.newContext({ viewport: { width: 1280, height: 720 }, reducedMotion: "reduce" });
  const { page: p2, errors: errors2 } = await openPage(env, { context: rctx });
  await ready(p2);
  await p2.click('[data-testid="send"]');
  await p2.waitForSelector('[data-testid="topology"][data-anim="done"]', { timeout: 1000 });
  assert.equal(await p2.getAttribute('[data-testid="path-result"]', "data-status"), "200");
  assert.equal(await p2.$('[data-testid="anim-dot"]'), null);
  await screenshot(p2, "anim-reduced-motion");
  assert.deepEqual([...errors, ...errors2], []);
  await rctx.close();
});

test("the walkthrough steps through interception, pushed config and the proxy's processing", async () => {
  const { page, ctx, errors } = await openPage(env);
  await ready(page);
  await send(page);
  await page.click('[data-testid="walkthrough"]');
  const panel = page.locator('[data-testid="walkthrough-panel"]');
  assert.equal(await panel.getAttribute("data-step"), "0");
  assert.match(await panel.innerText(), /15001/);
  assert.ok((await page.$$(".topo-node.sidecar.hl")).length >= 6, "sidecars highlighted");
  await page.waitForSelector('[data-testid="resource-detail"]');
  assert.match(await page.locator('[data-testid="resource-detail"] .title').innerText(), /virtualOutbound/);
  await screenshot(page, "anim-walk-1");
  await page.click('[data-testid="walk-next"]');
  assert.equal(await panel.getAttribute("data-step"), "1");
  assert.equal(await page.locator('[data-testid="walk-push"] li').count(), 4, "LDS, RDS, CDS, EDS");
  assert.ok(await page.$('[data-testid="topology-istiod"]'), "istiod drawn, pushing to the proxies");
  await page.click('[data-testid="walk-next"]');
  assert.equal(await panel.getAttribute("data-step"), "2");
  const chain = await page.locator('[data-testid="walk-chain"]').innerText();
  assert.match(chain, /http_connection_manager/);
  assert.match(chain, /outbound\|9080\|\|productpage/);
  await screenshot(page, "anim-walk-3");
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("a timeout ends in 504 UT; a mirror sends a ghost copy; the view speaks Chinese", async () => {
  const { page, ctx, errors } = await openPage(env);
  await ready(page);
  // reviews has a 0.5s timeout and ratings a 2s delay: productpage's proxy gives up with 504 UT.
  await preset(page, "request-timeouts");
  let result = await send(page);
  assert.equal(await result.getAttribute("data-status"), "504");
  assert.equal(await result.getAttribute("data-flag"), "UT");
  assert.ok(await page.$('.topo-stop[data-status="504 UT"]'));
  await screenshot(page, "anim-timeout");
  // httpbin v1 answers; v2 gets a mirrored copy whose response is ignored.
  await preset(page, "mirroring");
  await page.selectOption('[data-testid="request-from"]', "productpage-v1");
  await page.fill('[data-testid="request-host"]', "httpbin:8000");
  await page.fill('[data-testid="request-port"]', "8000");
  await page.fill('[data-testid="request-path"]', "/headers");
  result = await send(page);
  assert.equal(await result.getAttribute("data-status"), "200");
  assert.equal(await visited(page, "httpbin-v1"), "true");
  assert.equal(await visited(page, "httpbin-v2"), "false");
  assert.ok(await page.$(`${edge("productpage-v1", "httpbin-v2")}.ghost`), "ghost edge to the mirror");
  assert.ok(await page.$('[data-testid^="hop-"].ghost'), "the mirrored hop is listed as a ghost");
  await screenshot(page, "anim-mirror");
  await page.selectOption('[data-testid="lang-select"]', "zh");
  assert.equal(await page.locator('[data-testid="send"]').innerText(), "发送");
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("namespaces collapse into one box each and open again; a request's path opens its namespace", async () => {
  const { page, ctx, errors } = await openPage(env);
  await ready(page);
  // A second namespace: a shop that calls productpage.
  const shop = `
---
apiVersion: v1
kind: Service
metadata: { name: cart, namespace: shop, labels: { app: cart } }
spec:
  selector: { app: cart }
  ports: [{ name: http, port: 8080 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: cart-v1, namespace: shop }
spec:
  selector: { matchLabels: { app: cart, version: v1 } }
  template:
    metadata:
      labels: { app: cart, version: v1 }
      annotations: { pilotlight.io/calls: "productpage.default:9080/productpage" }
    spec:
      containers: [{ name: cart, image: example/cart }]
`;
  await page.click("#src-cluster");
  const cluster = await editorText(page, "cluster-editor");
  await setEditorText(page, "cluster-editor", cluster + shop);
  await page.waitForSelector('[data-testid="ns-toggle-shop"]');
  await page.waitForSelector(node("cart-v1"));
  await page.click('[data-testid="ns-toggle-default"]');
  await page.waitForSelector(node("ns:default"));
  assert.equal(await page.$(node("productpage-v1")), null, "default's workloads are inside its box");
  assert.equal(await page.getAttribute('[data-testid="ns-toggle-default"]', "aria-expanded"), "false");
  assert.ok(await page.$(edge("cart-v1", "ns:default")), "the shop's call goes to the box");
  await screenshot(page, "anim-namespace-collapsed");
  // A click on the box opens it; the toggle closes it again.
  await page.click(node("ns:default"));
  await page.waitForSelector(node("productpage-v1"));
  assert.equal(await page.getAttribute('[data-testid="ns-toggle-default"]', "aria-expanded"), "true");
  await page.click('[data-testid="ns-toggle-default"]');
  await page.waitForSelector(node("ns:default"));
  // A request through default opens it while its path is shown.
  const result = await send(page);
  assert.equal(await result.getAttribute("data-status"), "200");
  assert.equal(await visited(page, "productpage-v1"), "true");
  assert.deepEqual(errors, []);
  await ctx.close();
});
