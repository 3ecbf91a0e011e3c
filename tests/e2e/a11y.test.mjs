// Accessibility in the browser: axe-core's audit (injected by the test into a context that bypasses
// the page's CSP; the page itself never loads it) and our own contrast check of every visible
// control, on the views a learner goes through: the first view, after Send, with a dialog open, in
// dark mode and on a phone.
import { createRequire } from "node:module";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, openPage, screenshot } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

// axe's serious and critical violations, as "rule: selector" lines (empty when there are none).
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")}`));
  });
  return result;
}

// Every visible control with text (buttons, tabs, selects, inputs, links) whose text contrast
// against the colour behind it is under 4.5:1, composited through semi-transparent layers.
async function lowContrast(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = c.match(/[\d.]+/g);
      if (!m) return [0, 0, 0, 0];
      const [r, g, b, a] = m.map(Number);
      return [r, g, b, a === undefined ? 1 : a];
    };
    const over = (top, bottom) => {
      const a = top[3];
      return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
    };
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    // The colour behind an element: its own background over its ancestors', down to the page.
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      let color = [255, 255, 255, 1];
      if (matchMedia("(prefers-color-scheme: dark)").matches && !layers.some((l) => l[3] >= 1)) {
        color = [0, 0, 0, 1];
      }
      for (const l of layers.reverse()) color = over(l, color);
      return color;
    };
    const out = [];
    const controls = document.querySelectorAll('button, [role="tab"], select, input, textarea, a[href], .chip');
    for (const el of controls) {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      const text = (el.value || el.textContent || "").trim();
      if (!text || r.width === 0 || r.height === 0 || style.visibility === "hidden") continue;
      if (r.bottom < 0 || r.top > innerHeight || r.right < 0 || r.left > innerWidth) continue;
      if (el.disabled) continue; // WCAG exempts inactive controls
      const bg = background(el);
      const fg = over(parse(style.color), bg);
      const [a, b] = [lum(fg), lum(bg)];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) out.push(`${el.outerHTML.slice(0, 80)}: ${ratio.toFixed(2)}:1`);
    }
    return out;
  });
}

async function check(page, what) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${what}: axe finds serious or critical violations`);
  const low = await lowContrast(page);
  assert.deepEqual(low, [], `${what}: controls under 4.5:1`);
}

const views = [
  { name: "light 1280x720", viewport: { width: 1280, height: 720 }, colorScheme: "light" },
  { name: "dark 1280x720", viewport: { width: 1280, height: 720 }, colorScheme: "dark" },
  { name: "light 390x844", viewport: { width: 390, height: 844 }, colorScheme: "light" },
];

for (const v of views) {
  test(`accessible in ${v.name}: first view, after Send, with the Share dialog open`, async () => {
    const context = await env.browser.newContext({ viewport: v.viewport, colorScheme: v.colorScheme, bypassCSP: true });
    const { page, errors } = await openPage(env, { context });
    const shot = `a11y-${v.name.replace(/ /g, "-")}`;
    try {
      await page.waitForSelector('[data-testid="topology"]');
      await check(page, "first view");
      await page.selectOption('[data-testid="anim-speed"]', "4");
      await page.click('[data-testid="send"]');
      await page.waitForSelector('[data-testid="topology"][data-anim="done"]', { timeout: 20000 });
      await check(page, "after Send");
      await page.click('[data-testid="share-button"]');
      await page.waitForSelector('[role="dialog"]');
      await check(page, "Share dialog open");
    } finally {
      await screenshot(page, shot).catch(() => {});
      await context.close();
    }
    assert.deepEqual(errors, []);
  });
}
