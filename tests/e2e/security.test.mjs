// Security presets in the mesh view: a request denied by an AuthorizationPolicy ends in red at the
// denying workload, with Envoy's answer and the policy named. Assertions read DOM attributes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, openPage, screenshot } from "./harness.mjs";

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const node = (id) => `[data-testid="topology-node-${id}"]`;

test("allow-nothing: the request ends red at productpage with 403 RBAC: access denied and the policy", async () => {
  const { page, ctx, errors } = await openPage(env);
  await page.waitForSelector('[data-testid="topology"]');
  await page.waitForSelector(node("istio-ingressgateway"));
  await page.selectOption('[data-testid="preset-menu"]', "authz-allow-nothing");
  await page.waitForSelector(node("productpage-v1"));
  await page.selectOption('[data-testid="anim-speed"]', "4");
  await page.click('[data-testid="send"]');
  await page.waitForSelector('[data-testid="topology"][data-anim="done"]', { timeout: 20000 });
  const result = await page.waitForSelector('[data-testid="path-result"]');
  assert.equal(await result.getAttribute("data-status"), "403");
  assert.equal(await result.getAttribute("data-at"), "productpage-v1");
  assert.match(await result.getAttribute("data-detail"), /ns\[default\]-policy\[allow-nothing\]-rule\[0\]/);
  assert.match(await result.innerText(), /RBAC: access denied/);
  assert.match(await result.getAttribute("class"), /\bbad\b/);
  const color = await result.evaluate((e) => getComputedStyle(e).color);
  const [r, g, b] = color.match(/\d+/g).map(Number);
  assert.ok(r > 150 && g < 100 && b < 100, `red, not ${color}`);
  assert.ok(await page.$('.topo-stop[data-status="403 RBAC: access denied"]'), "a red stop mark");
  assert.equal(await page.getAttribute(node("details-v1"), "data-visited"), "false");
  await screenshot(page, "security-allow-nothing");
  assert.deepEqual(errors, []);
  await ctx.close();
});
