// Open a speedscope file in speedscope itself: its web app from the npm
// package (node_modules/speedscope/dist/release), served with the file on
// 127.0.0.1, in headless Chromium (Debian's /usr/bin/chromium). Report, as
// JSON on standard output, what a person gets:
//   header:     the profile name speedscope shows at the top
//   timeOrder:  tooltips met moving left to right over the first row of Time Order
//   leftHeavy:  the same in Left Heavy (each root frame once, heaviest first)
//   sandwich:   the first rows of the Sandwich table: {total, self, name}
//   errors:     page errors and failed requests
// Usage: node open-in-speedscope.mjs FILE.speedscope.json
import http from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.join(here, 'node_modules/speedscope/dist/release');
const profile = path.resolve(process.argv[2]);
const result = { header: '', timeOrder: [], leftHeavy: [], sandwich: [], errors: [] };

const server = http.createServer((req, res) => {
  const url = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
  const file = url === '/profile.json' ? profile : path.join(app, url === '/' ? 'index.html' : url);
  if ((file !== profile && !file.startsWith(app + path.sep)) || !existsSync(file)) {
    result.errors.push(`404 ${url}`);
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200);
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => result.errors.push(String(e)));
  await page.goto(`${base}/#profileURL=${encodeURIComponent(base + '/profile.json')}`);
  await page.waitForFunction(() => document.querySelectorAll('canvas').length > 0
    && !document.body.innerText.includes('Drag and drop'), null, { timeout: 20000 });
  await page.waitForTimeout(500);
  // The tooltip: an absolutely placed box that is not the toolbar.
  // The tooltip: a box placed at the pointer (inline left/top) around the frame's
  // time and name.
  const tooltip = () => page.evaluate(() => {
    const span = document.querySelector('div[style*="top:"] > div > span');
    return span ? span.parentElement.innerText : null;
  });
  result.header = await page.evaluate(() => document.body.innerText.split('\n')[1] || '');
  const scan = async () => {
    const seen = [];
    for (let x = 3; x < 1400; x += 35) {
      await page.mouse.move(x, 153);
      const t = await tooltip();
      if (t && seen[seen.length - 1] !== t) seen.push(t);
    }
    await page.mouse.move(700, 890);
    return seen;
  };
  await page.keyboard.press('1');
  await page.waitForTimeout(300);
  result.timeOrder = await scan();
  await page.keyboard.press('2');
  await page.waitForTimeout(300);
  result.leftHeavy = await scan();
  await page.keyboard.press('3');
  await page.waitForTimeout(500);
  const text = await page.evaluate(() => document.body.innerText);
  const rows = text.split('Symbol Name')[1] || '';
  const lines = rows.split('\n').map((l) => l.trim()).filter(Boolean);
  for (let i = 0; i + 2 < lines.length && result.sandwich.length < 20; i += 3) {
    result.sandwich.push({ total: lines[i], self: lines[i + 1], name: lines[i + 2] });
  }
} catch (e) {
  result.errors.push(String(e));
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify(result));
