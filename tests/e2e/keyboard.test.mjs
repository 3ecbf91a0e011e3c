// Dialogs from the keyboard: the Share dialog takes focus, keeps Tab inside, and Escape closes it
// and gives focus back to the Share button.
import assert from "node:assert/strict";
import { pageSuite } from "./harness.mjs";

const pageTest = pageSuite();

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

pageTest("Ctrl+Enter in the editor sends the request; the menu shows the loaded preset", "keyboard-ctrl-enter", async (page) => {
  await page.waitForSelector('[data-testid="topology"]');
  await page.selectOption('[data-testid="preset-menu"]', "request-routing-jason");
  await page.waitForFunction(() => document.querySelector('[data-testid="preset-menu"]').value === "request-routing-jason");
  await page.click('[data-testid="jason-toggle"]');
  await page.selectOption('[data-testid="anim-speed"]', "4");
  await page.click('[data-testid="editor"] .cm-content');
  const before = await page.evaluate(() => window.PilotLight.textOf(document.querySelector('[data-testid="editor"]')));
  await page.keyboard.press("Control+Enter");
  await page.waitForSelector('[data-testid="topology"][data-anim="done"]', { timeout: 20000 });
  const after = await page.evaluate(() => window.PilotLight.textOf(document.querySelector('[data-testid="editor"]')));
  assert.equal(after, before, "Ctrl+Enter did not edit the text");
  assert.equal(await page.getAttribute('[data-testid="path-result"]', "data-status"), "200");
  // An edit leaves the preset: the menu goes back to its placeholder.
  await page.keyboard.type("# mine\n");
  await page.waitForFunction(() => document.querySelector('[data-testid="preset-menu"]').value === "");
});
