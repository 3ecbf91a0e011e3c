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

test("the page loads under a sub-path with no console error", async () => {
  const { page, ctx, errors } = await openPage(env);
  await page.waitForSelector('[data-testid="app"]');
  await screenshot(page, "loads");
  assert.deepEqual(errors, []);
  await ctx.close();
});
