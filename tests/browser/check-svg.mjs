// Open an SVG made by cpuflame in headless Chromium and report, as JSON on
// standard output, what a person opening it would get:
//   dialogs:   alert()/confirm() calls (any is script from the profile running)
//   pwned:     whether a global the hostile names try to set exists
//   scripts:   number of <script> elements (inferno's own is the only one)
//   frames:    number of drawn frames
//   zoomed:    whether clicking the frame whose title starts with ZOOM_LABEL zoomed in
//   texts:     the first frame labels as rendered
// Usage: node check-svg.mjs FILE.svg ZOOM_LABEL
import { chromium } from 'playwright-core';

const [file, zoomLabel] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const result = { dialogs: [], pwned: false, scripts: 0, frames: 0, zoomed: false, texts: [], errors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('dialog', async (d) => { result.dialogs.push(d.message()); await d.dismiss(); });
  page.on('pageerror', (e) => result.errors.push(String(e)));
  await page.goto('file://' + file);
  await page.waitForTimeout(300);
  Object.assign(result, await page.evaluate(() => ({
    pwned: Boolean(window.__pwned),
    scripts: document.getElementsByTagName('script').length,
    frames: document.querySelectorAll('#frames > g').length,
    texts: [...document.querySelectorAll('#frames > g text')].map((t) => t.textContent).filter(Boolean).slice(0, 20),
  })));
  if (zoomLabel) {
    const g = page.locator('#frames > g', { has: page.locator(`title:text-matches("^${zoomLabel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}")`) }).first();
    const before = await g.locator('rect').getAttribute('width');
    await g.click();
    await page.waitForTimeout(200);
    const after = await g.locator('rect').getAttribute('width');
    const unzoomVisible = await page.evaluate(() => !document.getElementById('unzoom').classList.contains('hide'));
    result.zoomed = unzoomVisible && parseFloat(after) > parseFloat(before);
    result.zoom = { before, after, unzoomVisible };
  }
  // Give any delayed payload (onload, timers) a chance to run.
  await page.waitForTimeout(300);
  result.pwned = result.pwned || await page.evaluate(() => Boolean(window.__pwned));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
