// Open an HTML report made by cpuflame in headless Chromium, act on it as a person would
// (click, drag, type), and print what the page showed as JSON on standard output.
// Usage: node check-html.mjs FILE.html '{"zoom": "name", "drag": [0.3, 0.6], "search": "re",
//                                        "select": "name", "pixels": ["name"], "sort": "total",
//                                        "chartZoom": true, "shots": "dir", "prefix": "diff-"}'
// Always reported:
//   errors:    console errors and uncaught exceptions     requests: every non-file:// request
//   dialogs:   alert()/confirm() calls                     pwned:    whether window.__pwned is set
//   scripts:   number of <script> elements                 csp:      the CSP meta tag's content
//   frames:    the flame graph's frames (name, x, w, depth, self share, total)
//   canvasWidth, total, rows (the top-functions table's rows as computed), tableText (cells shown)
import { chromium } from 'playwright-core';

const [file, actionsJson] = process.argv.slice(2);
const actions = JSON.parse(actionsJson || '{}');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const result = { errors: [], requests: [], dialogs: [], pwned: false };
const report = (page, fn, arg) => page.evaluate(fn, arg);
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('dialog', async (d) => { result.dialogs.push(d.message()); await d.dismiss(); });
  page.on('pageerror', (e) => result.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push(m.text()); });
  page.on('request', (r) => { if (!r.url().startsWith('file:')) result.requests.push(r.url()); });
  const t0 = Date.now();
  await page.goto('file://' + file);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 10000 });
  result.readyMs = Date.now() - t0;
  result.firstDrawMs = await page.evaluate(() => cpuflameReport.timings().firstDrawMs);
  result.readyAtMs = await page.evaluate(() => cpuflameReport.timings().readyAtMs);
  const settled = () => page.waitForFunction(() => cpuflameReport.idle());
  await settled();
  const snapshot = () => settled().then(() => report(page, () => ({
    frames: cpuflameReport.flameFrames(),
    canvasWidth: document.getElementById('flame').clientWidth,
    zoomed: cpuflameReport.zoomed(),
    total: cpuflameReport.total(),
    rows: cpuflameReport.rows(),
    tableText: [...document.querySelectorAll('#table-body tr')].slice(0, 50).map((tr) => [...tr.children].map((td) => td.textContent)),
    window: cpuflameReport.window(),
    windowText: document.getElementById('window').textContent,
  })));
  Object.assign(result, await snapshot());
  Object.assign(result, await report(page, () => ({
    scripts: document.getElementsByTagName('script').length,
    csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content,
    title: document.title,
    heading: document.getElementById('title').textContent,
    legend: document.getElementById('legend').textContent,
    about: document.getElementById('about').textContent,
    bodyElements: document.body.querySelectorAll('*').length,
  })));

  // The centre of the widest flame-graph frame named `name` (exactly, or its function name).
  const frameAt = async (name) => {
    const box = await page.locator('#flame').boundingBox();
    const frames = await report(page, () => cpuflameReport.flameFrames());
    const f = frames.filter((fr) => fr.name === name || fr.name.startsWith(name + ' (')).sort((a, b) => b.w - a.w)[0];
    if (!f) throw new Error('no frame named ' + name + ' among ' + frames.map((fr) => fr.name).slice(0, 40).join(' | '));
    return { x: box.x + f.x + Math.min(f.w / 2, 40), y: box.y + f.y + 8, frame: f };
  };

  if (actions.pixels) {
    result.pixels = {};
    for (const name of actions.pixels) {
      const { frame } = await frameAt(name);
      result.pixels[name] = await report(page, ({ x, y }) => {
        const c = document.getElementById('flame');
        const dpr = window.devicePixelRatio || 1;
        const d = c.getContext('2d').getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
        return [d[0], d[1], d[2]];
      }, { x: frame.x + 2, y: frame.y + 2 });
    }
  }
  if (actions.zoom) {
    const { x, y, frame } = await frameAt(actions.zoom);
    result.zoomBefore = frame;
    await page.mouse.click(x, y);
    const after = await snapshot();
    result.zoomedTo = after.zoomed;
    result.zoomTimings = await page.evaluate(() => cpuflameReport.timings());
    result.zoomAfter = after.frames.filter((f) => f.name === frame.name).sort((a, b) => b.w - a.w)[0];
    result.crumbs = await report(page, () => [...document.querySelectorAll('#crumbs button')].map((b) => b.textContent));
    // Back out through the first breadcrumb ("all").
    await page.locator('#crumbs button').first().click();
    result.zoomedBack = await report(page, () => cpuflameReport.zoomed());
  }
  if (actions.drag) {
    const box = await page.locator('#overview').boundingBox();
    const [a, b] = actions.drag;
    await page.mouse.move(box.x + box.width * a, box.y + 10);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * ((a + b) / 2), box.y + 12, { steps: 3 });
    await page.mouse.move(box.x + box.width * b, box.y + 14, { steps: 3 });
    await page.mouse.up();
    result.dragged = await snapshot();
    result.windowTimings = await page.evaluate(() => cpuflameReport.timings());
  }
  if (actions.search !== undefined) {
    await page.fill('#search', actions.search);
    await settled();
    result.matchedShare = await report(page, () => cpuflameReport.matchedShare());
    result.matchedText = await report(page, () => document.getElementById('matched').textContent);
    result.highlighted = await report(page, () => document.querySelectorAll('#table-body tr.match').length);
  }
  if (actions.select) {
    await page.fill('#filter', actions.select);
    const i = await report(page, (name) => [...document.querySelectorAll('#table-body tr')]
      .findIndex((tr) => tr.children[1].textContent === name), actions.select);
    if (i < 0) throw new Error('no table row for ' + actions.select);
    await page.locator('#table-body tr').nth(i).click();
    await page.fill('#filter', '');
    await settled();
    result.selected = await report(page, () => cpuflameReport.selected());
    result.sandwich = await report(page, () => cpuflameReport.sandwich());
  }
  if (actions.sort) {
    // Click a column's header: the rows shown follow it.
    await page.locator('#table-head th', { hasText: new RegExp('^' + actions.sort + '( [▾▴])?$') }).first().click();
    result.sorted = await report(page, () => [...document.querySelectorAll('#table-body tr')].map((tr) => [...tr.children].map((td) => td.textContent)));
  }
  if (actions.chartZoom) {
    await page.evaluate(() => document.getElementById('chart').scrollIntoView({ block: 'start' }));
    const box = await page.locator('#chart').boundingBox();
    const before = await report(page, () => cpuflameReport.chartView());
    await page.mouse.move(box.x + box.width / 2, box.y + 40);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -100);
    await page.waitForTimeout(100);
    const after = await report(page, () => cpuflameReport.chartView());
    result.chart = { tracks: before.tracks, beforeSpan: before.to - before.from, afterSpan: after.to - after.from,
      frames: await report(page, () => cpuflameReport.chartFrames().length) };
  }
  if (actions.shots) {
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.waitForTimeout(200);
    for (const [id, name] of [['overview-section', 'overview'], ['flame-section', 'flamegraph'], ['table-section', 'table'],
      ['sandwich-section', 'sandwich'], ['chart-section', 'flamechart'], ['legend-section', 'legend']]) {
      const el = page.locator('#' + id);
      if (await el.isVisible()) await el.screenshot({ path: `${actions.shots}/report-${actions.prefix || ''}${name}.png` });
    }
  }
  // Give any delayed payload (onload, timers) a chance to run.
  await page.waitForTimeout(200);
  result.pwned = await report(page, () => Boolean(window.__pwned));
} catch (e) {
  result.errors.push('checker: ' + e.message);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
