// Screenshot an SVG as a person sees it in Chromium: optionally after
// clicking a frame (zoom) and hovering another (tooltip line at the bottom).
// Usage: node screenshot.mjs FILE.svg OUT.png WIDTH HEIGHT [CLICK_TITLE_PREFIX] [HOVER_TITLE_PREFIX]
import { chromium } from 'playwright-core';

const [file, out, width, height, click, hover] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
// The frame whose tooltip contains `text` (the widest first: inferno draws callers first).
const frame = (page, text) => page.locator('svg[id^="frames"] > g', {
  has: page.locator('title', { hasText: text }),
}).first();
try {
  const page = await browser.newPage({ viewport: { width: parseInt(width, 10), height: parseInt(height, 10) } });
  await page.goto('file://' + file);
  await page.waitForTimeout(400);
  if (click) {
    await frame(page, click).click();
    await page.waitForTimeout(300);
  }
  if (hover) {
    await frame(page, hover).hover();
    await page.waitForTimeout(200);
  }
  await page.screenshot({ path: out, timeout: 20000 });
} finally {
  await browser.close();
}
