// EnvoyFilter in the page (issue 17): what a patch changed is marked on the resource and leads to
// the patch's lines; the diff shows the config with and without the EnvoyFilters; a patch that
// changes nothing is explained in Problems.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { start, pageTests, editorText } from "./harness.mjs";

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});
const pageTest = pageTests(() => env);

async function preset(page, id) {
  await page.waitForSelector('[data-testid="resource-table"]', { timeout: 20000 });
  await page.selectOption('[data-testid="preset-menu"]', id);
  await page.waitForFunction((id) => document.querySelector('[data-testid="preset-menu"]').value === id, id);
}

pageTest("the Lua preset puts Lua before the router on productpage's 9080, marked as the EnvoyFilter's", "envoyfilter-lua", async (page) => {
  await preset(page, "envoyfilter-lua-outbound");
  assert.match(await page.$eval('[data-testid="proxy-select"]', (s) => s.value), /^productpage-v1/);
  await page.click('[data-tab="listeners"]');
  const row = '[data-testid="resource-table"] tr[data-name="0.0.0.0_9080"]';
  await page.waitForSelector(`${row}[data-patched="true"] [data-testid="patched-badge"]`);
  assert.match(await page.getAttribute(`${row} [data-testid="patched-badge"]`, "title"), /default\/productpage-lua configPatches\[0\]/);
  await page.click(row);
  await page.waitForSelector('[data-testid="resource-detail"]');
  const text = await editorText(page, "resource-view");
  const lua = text.indexOf('"envoy.filters.http.lua"');
  const router = text.indexOf('"envoy.filters.http.router"');
  assert.ok(lua > 0 && router > lua, `lua at ${lua}, router at ${router}`);
  assert.match(await page.textContent('[data-testid="resource-detail"] .title'), /EnvoyFilter default\/productpage-lua/);
  // With and without: the diff names the listener the filter changed.
  await page.click('[data-testid="diff-envoy-filters"]');
  await page.waitForSelector('[data-testid="diff-resource"][data-name="0.0.0.0_9080"][data-change="changed"]');
});

pageTest("a patch that matches nothing says why in Problems", "envoyfilter-no-match", async (page) => {
  await preset(page, "envoyfilter-no-match");
  await page.waitForFunction(() => /PL0170/.test(document.querySelector('[data-testid="diagnostics"]').textContent));
  const problems = await page.textContent('[data-testid="diagnostics"]');
  assert.match(problems, /changes no proxy/);
});
