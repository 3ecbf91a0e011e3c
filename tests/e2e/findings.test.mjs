// The analyzer in the page: findings as you type, their codes linked to istio.io, one-click fixes,
// a stopped request that names the finding behind it, and the main buttons legible in both schemes.
import fs from "node:fs";
import path from "node:path";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, openPage, screenshot, editorText, setEditorText, recordMetrics, root } from "./harness.mjs";

let env;
const metrics = {};
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
  recordMetrics(metrics);
});

const V1 = fs.readFileSync(path.join(root, "static/presets/request-routing-v1.yaml"), "utf8");
const problems = '[data-testid="diagnostics"]';

test("a wrong subset is an IST0101 finding as you type, Send names it, and its fix removes it", async () => {
  const { page, ctx, errors } = await openPage(env);
  await page.waitForSelector('[data-testid="topology"]');
  assert.match(await page.textContent(problems), /No problems/);
  const t0 = await page.evaluate(() => performance.now());
  await setEditorText(page, "editor", V1.replace("subset: v1", "subset: v9"));
  await page.waitForFunction(
    (sel) => document.querySelector(sel).textContent.includes("IST0101"),
    problems,
  );
  metrics.finding_after_edit_ms = Math.round((await page.evaluate(() => performance.now())) - t0);
  const text = await page.textContent(problems);
  assert.match(text, /"reviews\+v9" \(did you mean "v1"\?\)/);
  const link = await page.$(`${problems} a.doc`);
  assert.equal(await link.textContent(), "IST0101");
  assert.equal(
    await link.getAttribute("href"),
    "https://istio.io/latest/docs/reference/config/analysis/ist0101/",
  );
  // The output is not marked stale: istiod would still push this config.
  assert.equal(await page.$(".stale"), null);

  await page.selectOption('[data-testid="anim-speed"]', "4");
  await page.click('[data-testid="send"]');
  await page.waitForSelector('[data-testid="topology"][data-anim="done"]', { timeout: 20000 });
  const result = await page.waitForSelector('[data-testid="path-result"]');
  assert.equal(await result.getAttribute("data-status"), "503");
  assert.equal(await result.getAttribute("data-flag"), "NC");
  const causes = await page.waitForSelector('[data-testid="path-causes"]');
  assert.match(await causes.textContent(), /IST0101 istio\.yaml:\d+/);
  await screenshot(page, "findings-send-names-the-finding");

  await page.click('[data-testid="quick-fix"]');
  await page.waitForFunction((sel) => /No problems/.test(document.querySelector(sel).textContent), problems);
  const fixed = await editorText(page, "editor");
  assert.ok(!fixed.includes("subset: v9"));
  assert.equal(fixed, V1);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("a host typo in a DestinationRule is a finding with a fix that keeps the rest of the text", async () => {
  const { page, ctx, errors } = await openPage(env);
  await page.waitForSelector('[data-testid="topology"]');
  const typo = V1.replace("host: ratings\n", "host: ratingz\n");
  assert.notEqual(typo, V1);
  await setEditorText(page, "editor", typo);
  await page.waitForFunction((sel) => document.querySelector(sel).textContent.includes("ratingz"), problems);
  await page.click('[data-testid="quick-fix"]');
  await page.waitForFunction((sel) => /No problems/.test(document.querySelector(sel).textContent), problems);
  assert.equal(await editorText(page, "editor"), V1);
  assert.deepEqual(errors, []);
  await ctx.close();
});

// WCAG contrast of an element's text against the first opaque background behind it.
async function contrast(page, selector) {
  return page.$eval(selector, (el) => {
    const rgb = (c) => c.match(/[\d.]+/g).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let bg = el;
    while (bg && rgb(getComputedStyle(bg).backgroundColor)[3] === 0) bg = bg.parentElement;
    const fg = lum(rgb(getComputedStyle(el).color));
    const back = lum(rgb(bg ? getComputedStyle(bg).backgroundColor : "rgb(255,255,255)"));
    return (Math.max(fg, back) + 0.05) / (Math.min(fg, back) + 0.05);
  });
}

for (const colorScheme of ["light", "dark"]) {
  test(`Share and Send are legible in ${colorScheme} mode`, async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 }, colorScheme });
    const { page, errors } = await openPage(env, { context });
    await page.waitForSelector('[data-testid="topology"]');
    for (const id of ["share-button", "send"]) {
      const sel = `[data-testid="${id}"]`;
      assert.ok((await page.textContent(sel)).trim().length > 0, `${id} has a label`);
      const ratio = await contrast(page, sel);
      assert.ok(ratio >= 4.5, `${id}: contrast ${ratio.toFixed(2)}:1 in ${colorScheme}`);
    }
    await screenshot(page, `findings-buttons-${colorScheme}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("a finding is suppressed as istioctl analyze -S does, the suppression is kept, and shown again", async () => {
  const { page, ctx, errors } = await openPage(env);
  await page.waitForSelector('[data-testid="topology"]');
  await setEditorText(page, "editor", V1.replace("subset: v1", "subset: v9"));
  await page.waitForFunction((sel) => document.querySelector(sel).textContent.includes("IST0101"), problems);
  const button = `${problems} li:has(a.doc:text-is("IST0101")) [data-testid="suppress"]`;
  const flag = (await page.getAttribute(button, "title")).match(/-S "(IST0101=VirtualService default\/\S+)"/)?.[1];
  assert.ok(flag, "the button names the istioctl flag");
  await page.click(button);
  await page.waitForFunction((sel) => !document.querySelector(sel).textContent.includes("Referenced host+subset"), problems);
  assert.equal((await page.textContent('[data-testid="suppressed"] .chip')).trim(), `-S ${flag} ✕`);
  await screenshot(page, "findings-suppressed");
  // Kept across a reload, like the editors' text.
  await page.reload();
  await page.waitForSelector('[data-testid="suppressed"] .chip');
  assert.ok(!(await page.textContent(problems)).includes("Referenced host+subset"));
  // Its chip shows the finding again.
  await page.click('[data-testid="suppressed"] .chip');
  await page.waitForFunction((sel) => document.querySelector(sel).textContent.includes("IST0101"), problems);
  assert.equal(await page.$('[data-testid="suppressed"]'), null);
  assert.deepEqual(errors, []);
  await ctx.close();
});
