// Open an SVG made by cpuflame in headless Chromium and report, as JSON on
// standard output, the label every frame shows, with its tooltip, as drawn
// after load and again after clicking the frame whose tooltip starts with
// ZOOM_LABEL; also the time-axis ticks shown. With SCREENSHOT, save a PNG of
// the page as a person sees it.
// Usage: node check-labels.mjs FILE.svg ZOOM_LABEL [SCREENSHOT.png] [WIDTH]
import { chromium } from 'playwright-core';

const [file, zoomLabel, screenshot, width] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const result = { loaded: [], zoomed: [], ticks: [], ticksVisibleAfterZoom: null, errors: [] };
// Every frame's [tooltip, shown text], for frames showing any text.
const labels = () => [...document.querySelectorAll('svg[id^="frames"] > g')]
  .map((g) => [g.querySelector('title').textContent, g.querySelector('text').textContent])
  .filter((p) => p[1] !== '');
try {
  const page = await browser.newPage({ viewport: { width: parseInt(width || '1400', 10), height: 900 } });
  page.on('pageerror', (e) => result.errors.push(String(e)));
  await page.goto('file://' + file);
  await page.waitForTimeout(400);
  result.loaded = await page.evaluate(labels);
  result.ticks = await page.evaluate(() => [...document.querySelectorAll('#cpuflame-axis text')].map((t) => t.textContent));
  if (screenshot) {
    await page.screenshot({ path: screenshot, fullPage: true });
  }
  if (zoomLabel) {
    const g = page.locator('svg[id^="frames"] > g', { has: page.locator(`title:text-matches("^${zoomLabel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}")`) }).first();
    await g.click();
    await page.waitForTimeout(300);
    result.zoomed = await page.evaluate(labels);
    result.ticksVisibleAfterZoom = await page.evaluate(() => {
      const a = document.getElementById('cpuflame-axis');
      return a ? getComputedStyle(a).display !== 'none' : null;
    });
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
