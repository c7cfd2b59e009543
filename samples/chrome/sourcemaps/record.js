#!/usr/bin/env node
// Records a real Chromium trace of a minified page whose bundle carries an inline
// source map, with the source-rundown category on: its ScriptCatchup events give
// each script's sourceMapUrl, so cpuflame maps the trace with no files on disk.
//
//   npm ci --prefix tests/sourcemaps                      # esbuild
//   npm install --prefix /tmp/rec playwright-core         # NOT into the repo; never `npx playwright install`
//   node samples/chrome/sourcemaps/record.js
//
// Environment: PLAYWRIGHT_CORE, CHROMIUM (default /usr/bin/chromium), WORK_MS (default 120).
// Outputs (beside this script): site/app.js (the bundle, esbuild --minify
// --sourcemap=inline of tests/sourcemaps/app/src/page.js) and inline-map.trace.json.
'use strict';

const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const ROOT = path.resolve(__dirname, '../../..');
const SITE = path.join(__dirname, 'site');
const WORK_MS = Number(process.env.WORK_MS || 120);
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';
const CATEGORIES = [
  '__metadata',
  'disabled-by-default-v8.cpu_profiler',
  'v8.execute',
  'disabled-by-default-devtools.v8-source-rundown',
  'disabled-by-default-devtools.v8-source-rundown-sources',
];

function loadPlaywright() {
  for (const t of [process.env.PLAYWRIGHT_CORE, 'playwright-core', '/tmp/rec/node_modules/playwright-core']) {
    if (!t) continue;
    try { return require(t); } catch (e) { /* next */ }
  }
  throw new Error('playwright-core not found; run: npm install --prefix /tmp/rec playwright-core');
}

async function main() {
  fs.mkdirSync(SITE, { recursive: true });
  execFileSync(path.join(ROOT, 'tests/sourcemaps/node_modules/.bin/esbuild'), [
    'app/src/page.js', '--bundle', '--minify', '--sourcemap=inline', '--format=iife',
    '--log-level=warning', '--outfile=' + path.join(SITE, 'app.js'),
  ], { cwd: path.join(ROOT, 'tests/sourcemaps'), stdio: 'inherit' });
  fs.writeFileSync(path.join(SITE, 'index.html'),
    '<!doctype html><title>cpuflame source maps</title><script src="app.js"></script>\n');

  const server = http.createServer((req, res) => {
    const file = req.url === '/' ? 'index.html' : path.basename(req.url.split('?')[0]);
    const full = path.join(SITE, file);
    if (!fs.existsSync(full)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'Content-Type': file.endsWith('.js') ? 'text/javascript' : 'text/html' });
    res.end(fs.readFileSync(full));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = 'http://127.0.0.1:' + server.address().port;

  const { chromium } = loadPlaywright();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpuflame-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: EXE,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    await page.goto(base + '/index.html', { waitUntil: 'load' });
    const cdp = await context.newCDPSession(page);
    const version = await cdp.send('Browser.getVersion');
    const events = [];
    cdp.on('Tracing.dataCollected', (p) => { for (const e of p.value) events.push(e); });
    const complete = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    // The page is loaded first: the rundown reports its scripts when tracing starts.
    await cdp.send('Tracing.start', {
      transferMode: 'ReportEvents',
      traceConfig: { recordMode: 'recordUntilFull', includedCategories: CATEGORIES },
    });
    await new Promise((r) => setTimeout(r, 100));
    await page.evaluate((ms) => window.runApp(ms), WORK_MS);
    await new Promise((r) => setTimeout(r, 100));
    await cdp.send('Tracing.end');
    await complete;
    const metadata = {
      source: 'DevTools',
      dataOrigin: 'TraceEvents',
      recordedBy: 'cpuflame samples/chrome/sourcemaps/record.js (CDP Tracing.start, ReportEvents)',
      product: version.product,
      categories: CATEGORIES,
      page: base + '/index.html',
    };
    const text = '{"metadata": ' + JSON.stringify(metadata, null, 2) + ',\n"traceEvents": [\n' +
      events.map((e) => JSON.stringify(e)).join(',\n') + '\n]}\n';
    fs.writeFileSync(path.join(__dirname, 'inline-map.trace.json'), text);
    const catchup = events.filter((e) => e.name === 'ScriptCatchup');
    console.log(events.length + ' events, ' + catchup.length + ' ScriptCatchup, ' + version.product);
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
    server.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
