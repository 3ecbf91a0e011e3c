// Screenshots of the page as a learner sees it, at the three sizes the issues name, in light and
// dark: a wrong subset typed, its finding in Problems, a request sent. The assertions are what a
// person checks first: the finding and the result are on screen, the main buttons have labels.
import fs from "node:fs";
import path from "node:path";
import assert from "node:assert/strict";
import { pageSuite, setEditorText, root } from "./harness.mjs";

const pageTest = pageSuite();
const V9 = fs
  .readFileSync(path.join(root, "static/presets/request-routing-v1.yaml"), "utf8")
  .replace("subset: v1", "subset: v9");

const sizes = [
  [1280, 720],
  [1440, 900],
  [390, 844],
];
for (const [width, height] of sizes) {
  for (const colorScheme of ["light", "dark"]) {
    pageTest(`screens at ${width}x${height} in ${colorScheme}`, `screen-${width}x${height}-${colorScheme}`, async (page) => {
      await page.waitForSelector('[data-testid="topology"]');
      await setEditorText(page, "editor", V9);
      await page.waitForFunction(() => document.querySelector('[data-testid="diagnostics"]').textContent.includes("IST0101"));
      for (const id of ["share-button", "send"]) {
        assert.ok((await page.textContent(`[data-testid="${id}"]`)).trim(), `${id} has a label`);
      }
      await page.selectOption('[data-testid="anim-speed"]', "4");
      await page.click('[data-testid="send"]');
      await page.waitForSelector('[data-testid="topology"][data-anim="done"]', { timeout: 20000 });
      await page.waitForSelector('[data-testid="path-causes"]');
      if (width >= 1280) {
        const finding = await page.$eval('[data-testid="diagnostics"] li', (e) => e.getBoundingClientRect().bottom);
        assert.ok(finding <= height, `the finding is on screen (bottom ${finding})`);
      }
    }, { viewport: { width, height }, colorScheme });
  }
}
