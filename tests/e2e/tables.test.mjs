// istioctl's tables in the output pane: every column inside the pane at 1280x720, a clicked row
// opens exactly its element (the reviews virtual host, not the route config's first one), and
// Escape closes the detail.
import assert from "node:assert/strict";
import { pageSuite } from "./harness.mjs";

const pageTest = pageSuite();

const REVIEWS = "reviews.default.svc.cluster.local:9080";

for (const preset of ["request-routing-v1", "request-routing-jason", "fault-injection-abort"]) {
  pageTest(`every Routes column is visible at 1280x720 (${preset})`, `tables-routes-${preset}`, async (page) => {
    await page.waitForSelector('[data-testid="resource-table"]');
    await page.selectOption('[data-testid="preset-menu"]', preset);
    await page.waitForSelector('[data-testid="resource-table"] tbody tr');
    const box = await page.$eval(".pane.output", (e) => e.getBoundingClientRect().toJSON());
    const heads = await page.$$eval('[data-testid="resource-table"] th', (ths) =>
      ths.map((th) => ({ text: th.textContent, ...th.getBoundingClientRect().toJSON() })),
    );
    assert.deepEqual(heads.map((h) => h.text), ["NAME", "VHOST NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE"]);
    for (const h of heads) {
      assert.ok(h.left >= box.left - 1 && h.right <= Math.min(box.right, 1280) + 1,
        `${h.text} at ${h.left}-${h.right}, pane ${box.left}-${box.right}`);
    }
    // A cut cell keeps its whole text as its title.
    const titled = await page.$$eval('[data-testid="resource-table"] td', (tds) =>
      tds.every((td) => td.getAttribute("title") === td.textContent));
    assert.ok(titled);
  });
}

pageTest("the clicked reviews row opens the reviews virtual host, and only that row is selected", "tables-row-opens-vhost", async (page) => {
  const row = await page.waitForSelector(`[data-testid="resource-table"] td[title="${REVIEWS}"]`);
  await row.click();
  const detail = await page.waitForSelector(`[data-testid="resource-detail"][data-focus="${REVIEWS}"]`);
  assert.equal(await page.$$eval('[data-testid="resource-table"] tr.selected', (r) => r.length), 1);
  // The virtual host's name line is inside the visible part of the resource view.
  await page.waitForFunction((name) => {
    const scroller = document.querySelector('[data-testid="resource-view"] .cm-scroller');
    const view = scroller.getBoundingClientRect();
    return [...scroller.querySelectorAll(".cm-line")].some((l) => {
      const r = l.getBoundingClientRect();
      return l.textContent.includes(`"name": "${name}"`) && r.top >= view.top && r.bottom <= view.bottom;
    });
  }, REVIEWS);
  assert.match(await detail.textContent(), /reviews/);
  await page.keyboard.press("Escape");
  await page.waitForSelector('[data-testid="resource-detail"]', { state: "detached" });
});
