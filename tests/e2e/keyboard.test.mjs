// Dialogs from the keyboard: the Share dialog takes focus, keeps Tab inside, and Escape closes it
// and gives focus back to the Share button.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, pageTests } from "./harness.mjs";

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});
const pageTest = pageTests(() => env);

const inDialog = (page) =>
  page.evaluate(() => !!document.activeElement?.closest('[data-testid="share-dialog"]'));

pageTest("the Share dialog takes focus, traps Tab, and Escape returns focus", "keyboard-share-dialog", async (page) => {
  await page.waitForSelector('[data-testid="resource-table"]');
  await page.focus('[data-testid="share-button"]');
  await page.keyboard.press("Enter");
  await page.waitForSelector('[data-testid="share-dialog"]');
  await page.waitForFunction(() => !!document.activeElement?.closest('[data-testid="share-dialog"]'));
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    assert.ok(await inDialog(page), `Tab ${i + 1} left the dialog`);
  }
  await page.keyboard.press("Shift+Tab");
  assert.ok(await inDialog(page));
  await page.keyboard.press("Escape");
  await page.waitForSelector('[data-testid="share-dialog"]', { state: "detached" });
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "share-button");
});
