#!/usr/bin/env node
// Records real Chromium CPU profiles of samples/chrome/site/ for cpuflame's tests.
//
//   apt-get install -y chromium
//   npm install --prefix /tmp/rec playwright-core      # NOT into the repo; never `npx playwright install`
//   node samples/chrome/record.js                        # finds /tmp/rec/node_modules by itself
//
// Environment: PLAYWRIGHT_CORE=<path to playwright-core>  (default: require() then /tmp/rec/node_modules)
//              CHROMIUM=<binary>                          (default: /usr/bin/chromium)
//              WORK_MS=<ms of CPU work per recording>     (default: 600; self-profiling runs 1.5x that)
//              TRACE_MS=<ms of CPU work in the trace>     (default: 500)
//              OUT_DIR=<output dir>                       (default: this script's directory)
//
// Everything is served from 127.0.0.1 by a tiny HTTP server in this script. Outputs (in OUT_DIR):
//   page-worker.trace.json        CDP Tracing (DevTools Performance categories) of the page + its dedicated worker
//   page-worker.truncated.json    DERIVED from the above: bare event array, trailing comma, no closing ']'
//   page.cpuprofile               CDP Profiler.start/stop of the page's main thread (bare Profile object)
//   self-profiling.json           JS Self-Profiling API ProfilerTrace from the main thread (Document-Policy: js-profiling)
//   self-profiling-markers.json   the same with --enable-blink-features=ExperimentalJSProfilerMarkers on a COOP/COEP page
//   worker-self-profiling.json    the same API inside the dedicated worker (needs Blink flags, see FLAG_SETS)
//   worker-self-profiling.probe.json  what `typeof Profiler` etc. gave in the worker under each header/flag variant
'use strict';

const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');

function loadPlaywright() {
  const tries = [process.env.PLAYWRIGHT_CORE, 'playwright-core', '/tmp/rec/node_modules/playwright-core'].filter(Boolean);
  for (const t of tries) {
    try { return require(t); } catch (e) { /* next */ }
  }
  throw new Error('playwright-core not found; run: npm install --prefix /tmp/rec playwright-core');
}

const { chromium } = loadPlaywright();
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';
const WORK_MS = Number(process.env.WORK_MS || 600);
const TRACE_MS = Number(process.env.TRACE_MS || 500); // shorter: trace size grows with time (~1 KB/ms)
const OUT_DIR = path.resolve(process.env.OUT_DIR || __dirname);
const SITE = path.join(__dirname, 'site');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// A subset of the categories DevTools' Performance panel enables (TimelineController). Left out to keep the file
// under ~500 KB: disabled-by-default-devtools.timeline (thousands of RunTask events, 1-1.4 MB per run here),
// .timeline.frame, screenshots, paint, latencyInfo, loading, v8.compile and source rundown.
const TRACE_CATEGORIES = [
  '__metadata',
  'blink.console',
  'blink.user_timing',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline.stack',
  'disabled-by-default-v8.cpu_profiler',
  'v8.execute',
  'v8',
];

const SAVE_NAMES = new Set(['self-profiling.json', 'self-profiling-markers.json', 'worker-self-profiling.json']);

// ---------------------------------------------------------------- server
const saveWaiters = new Map(); // name -> resolve
function waitForSave(name, ms) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { saveWaiters.delete(name); reject(new Error('timeout waiting for POST ' + name)); }, ms);
    saveWaiters.set(name, (info) => { clearTimeout(t); resolve(info); });
    saveWaiters.get(name).cancel = () => { clearTimeout(t); saveWaiters.delete(name); };
  });
}

const requestLog = [];
function startServer() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requestLog.push(req.method + ' ' + req.url);
    if (req.method === 'POST' && url.pathname === '/save') {
      const name = url.searchParams.get('name');
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (!SAVE_NAMES.has(name)) { res.writeHead(400); res.end('bad name'); return; }
        const body = Buffer.concat(chunks);
        JSON.parse(body.toString('utf8')); // must be JSON
        fs.writeFileSync(path.join(OUT_DIR, name), body);
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        const w = saveWaiters.get(name);
        if (w) { saveWaiters.delete(name); w({ name, bytes: body.length }); }
      });
      return;
    }
    if (url.pathname === '/favicon.ico') { res.writeHead(204); res.end(); return; }
    const file = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    if (!['index.html', 'app.js', 'worker.js'].includes(file)) { res.writeHead(404); res.end(); return; }
    const headers = {
      'Content-Type': file.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-store',
    };
    // ?dp=1 on the page, or on worker.js: send the js-profiling Document-Policy with that response.
    if (url.searchParams.get('dp') === '1') headers['Document-Policy'] = 'js-profiling';
    // ?coi=1: also make the response cross-origin isolated (COOP/COEP), for the worker probe matrix.
    if (url.searchParams.get('coi') === '1') {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    res.writeHead(200, headers);
    res.end(fs.readFileSync(path.join(SITE, file)));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---------------------------------------------------------------- browser
async function launch(extraArgs) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpuflame-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: EXE,
    headless: true,
    args: ARGS.concat(extraArgs || []),
  });
  return { context, userDataDir };
}

async function close(b) {
  await b.context.close();
  fs.rmSync(b.userDataDir, { recursive: true, force: true });
}

async function newPage(b, url) {
  const page = await b.context.newPage();
  page.on('console', (m) => console.log('  [console.' + m.type() + '] ' + m.text()));
  page.on('pageerror', (e) => console.log('  [pageerror] ' + e.message));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function browserVersion(b) {
  const page = await b.context.newPage();
  const cdp = await b.context.newCDPSession(page);
  const v = await cdp.send('Browser.getVersion');
  await page.close();
  return v;
}

// 1. DevTools-style performance trace through CDP Tracing (ReportEvents, as DevTools does).
async function recordTrace(b, base, version) {
  const page = await newPage(b, base + '/index.html');
  const cdp = await b.context.newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (p) => { for (const e of p.value) events.push(e); });
  const complete = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  const startTime = new Date().toISOString();
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { recordMode: 'recordUntilFull', includedCategories: TRACE_CATEGORIES },
  });
  await sleep(100); // let every process start tracing/sampling
  const result = await page.evaluate((ms) => window.runMainAndWorker(ms, 0), TRACE_MS);
  await sleep(100);
  await cdp.send('Tracing.end');
  await complete;
  await page.close();
  console.log('  trace: ' + events.length + ' events; page result ' + JSON.stringify(result));

  // DevTools (Chrome >= 114) TraceSaving layout: metadata first, then one event per line.
  const metadata = {
    source: 'DevTools',
    startTime,
    dataOrigin: 'TraceEvents',
    hostDPR: 1,
    recordedBy: 'cpuflame samples/chrome/record.js (CDP Tracing.start, ReportEvents)',
    product: version.product,
    categories: TRACE_CATEGORIES,
  };
  const text = '{"metadata": ' + JSON.stringify(metadata, null, 2) + ',\n"traceEvents": [\n' +
    events.map((e) => JSON.stringify(e)).join(',\n') + '\n]}\n';
  fs.writeFileSync(path.join(OUT_DIR, 'page-worker.trace.json'), text);

  // 5. Derived "truncated" form: bare array, no closing bracket (old DevTools / chrome://tracing files).
  const trunc = '[' + events.map((e) => JSON.stringify(e)).join(',\n') + ',\n';
  fs.writeFileSync(path.join(OUT_DIR, 'page-worker.truncated.json'), trunc);
  return events;
}

// 2. Plain CDP Profiler.start / Profiler.stop.
async function recordCpuProfile(b, base) {
  const page = await newPage(b, base + '/index.html');
  const cdp = await b.context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  const result = await page.evaluate((ms) => window.runMainAndWorker(ms, 100), WORK_MS);
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.send('Profiler.disable');
  await page.close();
  console.log('  cpuprofile: ' + profile.nodes.length + ' nodes, ' + profile.samples.length + ' samples; ' +
    JSON.stringify(result));
  fs.writeFileSync(path.join(OUT_DIR, 'page.cpuprofile'), JSON.stringify(profile));
}

// 3. JS Self-Profiling API on the main thread.
async function recordSelfProfiling(b, base, name, query) {
  const page = await newPage(b, base + '/index.html' + query);
  const saved = waitForSave(name, 30000);
  const result = await page.evaluate(([ms, n]) => window.selfProfileMain(ms, n), [WORK_MS * 1.5, name]);
  console.log('  self-profiling: ' + JSON.stringify(result));
  if (result.error) throw new Error(result.error);
  await saved;
  await page.close();
}

// 4. JS Self-Profiling API inside a dedicated worker: probe which headers/flags expose it, record if one does.
const WORKER_VARIANTS = [
  { name: 'page dp, worker no header', page: '?dp=1', worker: '' },
  { name: 'page dp, worker dp', page: '?dp=1', worker: '?dp=1' },
  { name: 'page no header, worker dp', page: '', worker: '?dp=1' },
  { name: 'page dp+coi, worker dp+coi', page: '?dp=1&coi=1', worker: '?dp=1&coi=1' },
];
// Chromium 156 has the Blink runtime features ProfilerAPIForDedicatedWorker (exposes Profiler in dedicated workers)
// and DocumentPolicyInDedicatedWorker (applies the worker script response's Document-Policy header); names found
// with `strings` in the binary. Both are off by default; --enable-experimental-web-platform-features turns both on.
// The first flag set under which the worker can construct a Profiler is used for worker-self-profiling.json.
const FLAG_SETS = [
  { name: 'default flags', args: [] },
  { name: '--enable-blink-features=ProfilerAPIForDedicatedWorker',
    args: ['--enable-blink-features=ProfilerAPIForDedicatedWorker'] },
  { name: '--enable-blink-features=ProfilerAPIForDedicatedWorker,DocumentPolicyInDedicatedWorker',
    args: ['--enable-blink-features=ProfilerAPIForDedicatedWorker,DocumentPolicyInDedicatedWorker'] },
  { name: '--enable-experimental-web-platform-features', args: ['--enable-experimental-web-platform-features'] },
];
// ProfilerSample.marker is behind this Blink runtime feature (not on by default in Chromium 156). Blink's
// ProfilerTraceBuilder::GetMarker exposes gc/paint/script markers only to cross-origin-isolated pages, hence ?coi=1.
const MARKER_FLAG = '--enable-blink-features=ExperimentalJSProfilerMarkers';

async function probeWorker(b, base, v) {
  const page = await newPage(b, base + '/index.html' + v.page);
  const main = await page.evaluate(() => window.mainProbe());
  let worker;
  try {
    worker = await page.evaluate((q) => window.workerProbe(q), v.worker);
  } catch (e) {
    worker = { error: String(e.message || e) };
  }
  await page.close();
  return { variant: v.name, pageUrl: '/index.html' + v.page, workerUrl: '/worker.js' + v.worker, main, worker };
}

async function recordWorkerSelfProfiling(base, version) {
  const probes = [];
  let recorded = null;
  for (const fset of FLAG_SETS) {
    const b = await launch(fset.args);
    for (const v of WORKER_VARIANTS) {
      const p = await probeWorker(b, base, v);
      p.flags = fset.name;
      probes.push(p);
      console.log('  probe [' + fset.name + '] ' + v.name + ': main ' + JSON.stringify(p.main) +
        ', worker ' + JSON.stringify(p.worker));
      if (!recorded && p.worker.construct && p.worker.construct.startsWith('ok')) {
        const page = await newPage(b, base + '/index.html' + v.page);
        const saved = waitForSave('worker-self-profiling.json', 30000);
        const r = await page.evaluate(([ms, q]) => window.selfProfileWorker(ms, q), [WORK_MS * 1.5, v.worker]);
        console.log('  worker self-profiling: ' + JSON.stringify(r));
        if (!r.error) { await saved; recorded = { flags: fset.name, variant: v.name, result: r }; }
        else { p.recordError = r.error; saveWaiters.get('worker-self-profiling.json').cancel(); saved.catch(() => {}); }
        await page.close();
      }
    }
    await close(b);
  }
  fs.writeFileSync(path.join(OUT_DIR, 'worker-self-profiling.probe.json'),
    JSON.stringify({ product: version.product, recorded, probes }, null, 2) + '\n');
  return recorded;
}

async function main() {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const server = await startServer();
  const base = 'http://127.0.0.1:' + server.address().port;
  console.log('serving ' + SITE + ' at ' + base + ', writing to ' + OUT_DIR);
  const b = await launch();
  try {
    const version = await browserVersion(b);
    console.log('browser: ' + version.product + ' / ' + version.userAgent);
    console.log('1+5. trace'); await recordTrace(b, base, version);
    console.log('2. cpuprofile'); await recordCpuProfile(b, base);
    console.log('3. self-profiling (main thread)'); await recordSelfProfiling(b, base, 'self-profiling.json', '?dp=1');
    await close(b);
    console.log('3b. self-profiling (main thread) with ' + MARKER_FLAG + ', cross-origin isolated page');
    const bm = await launch([MARKER_FLAG]);
    await recordSelfProfiling(bm, base, 'self-profiling-markers.json', '?dp=1&coi=1');
    await close(bm);
    console.log('4. self-profiling (worker)');
    const w = await recordWorkerSelfProfiling(base, version);
    if (!w) console.log('  worker self-profiling NOT recorded: see worker-self-profiling.probe.json');
  } finally {
    server.close();
  }
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
module.exports = { startServer, launch, close, newPage, probeWorker, recordSelfProfiling, waitForSave, WORKER_VARIANTS };
