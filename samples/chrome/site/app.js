// Main-thread CPU work for cpuflame's Chromium sample recordings.
// Driven by samples/chrome/record.js through page.evaluate(); every function
// is named so that it shows up as its own frame.
'use strict';

function mainIsPrime(n) {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

function mainCountPrimes(limit) {
  let count = 0;
  for (let n = 2; n < limit; n++) if (mainIsPrime(n)) count++;
  return count;
}

function mainMandelbrotPoint(cx, cy) {
  let x = 0, y = 0, i = 0;
  while (i < 200 && x * x + y * y < 4) {
    const t = x * x - y * y + cx;
    y = 2 * x * y + cy;
    x = t;
    i++;
  }
  return i;
}

function mainMandelbrot(size) {
  let sum = 0;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      sum += mainMandelbrotPoint(-2 + (3 * px) / size, -1.5 + (3 * py) / size);
    }
  }
  return sum;
}

function mainMakeRecords(n) {
  // Allocates a lot of short-lived objects (garbage).
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push({ id: i, name: 'rec' + ((i * 7919) % 10007), score: Math.sin(i) * 1000 });
  }
  return out;
}

function mainSortRecords(n) {
  const recs = mainMakeRecords(n);
  recs.sort(function byScore(a, b) { return a.score - b.score; });
  return recs[0].id;
}

function mainWorkLoop(ms) {
  const end = performance.now() + ms;
  let acc = 0, rounds = 0;
  while (performance.now() < end) {
    acc += mainCountPrimes(20000);
    acc += mainMandelbrot(60);
    acc += mainSortRecords(2000);
    rounds++;
  }
  return { acc, rounds };
}

function mainMakeGarbage(ms) {
  // Mostly allocation, to provoke GC samples.
  const end = performance.now() + ms;
  let keep = null, n = 0;
  while (performance.now() < end) {
    const chunk = [];
    for (let i = 0; i < 2000; i++) chunk.push(new Array(16).fill(i).map(String));
    keep = chunk[chunk.length - 1];
    n++;
  }
  return n + (keep ? keep.length : 0);
}

function mainLayoutThrash(ms) {
  // Forced style recalculation + layout (style/layout markers where Chromium exposes them).
  const box = document.getElementById('status');
  const end = performance.now() + ms;
  let h = 0, i = 0;
  while (performance.now() < end) {
    box.style.width = (100 + (i++ % 50)) + 'px';
    h += box.offsetHeight + getComputedStyle(box).width.length;
  }
  return h;
}

function sleep(ms) {
  return new Promise(function idleTimer(resolve) { setTimeout(resolve, ms); });
}

let worker = null;
function getWorker(query) {
  if (!worker) worker = new Worker('worker.js' + (query || ''));
  return worker;
}

function askWorker(msg, query) {
  const w = getWorker(query);
  return new Promise(function (resolve, reject) {
    w.onmessage = function (e) { resolve(e.data); };
    w.onerror = function (e) { reject(new Error('worker error: ' + (e.message || e))); };
    w.postMessage(msg);
  });
}

// Trace / cpuprofile recording: main thread and worker busy at the same time.
// garbageMs > 0 adds an allocation-heavy phase on both threads (GC samples).
async function runMainAndWorker(ms, garbageMs) {
  document.getElementById('status').textContent = 'working';
  performance.mark('work-start');
  const workerDone = askWorker({ cmd: 'work', ms: ms, garbageMs: garbageMs || 0 });
  const main = mainWorkLoop(ms);
  performance.measure('main thread work', 'work-start');
  const garbage = garbageMs ? mainMakeGarbage(garbageMs) : 0;
  await sleep(50);
  const w = await workerDone;
  document.getElementById('status').textContent = 'done';
  return { main, garbage, worker: w };
}

// JS Self-Profiling API on the main thread; posts the ProfilerTrace to the server.
async function selfProfileMain(ms, saveName) {
  if (typeof Profiler === 'undefined') return { error: 'Profiler is not defined on the main thread' };
  const p = new Profiler({ sampleInterval: 10, maxBufferSize: 10000 });
  const a = mainWorkLoop(ms / 2);
  await sleep(150);                 // idle: samples without stackId
  const g = mainMakeGarbage(ms / 4); // garbage: GC samples
  await sleep(50);
  mainLayoutThrash(ms / 8);
  const b = mainWorkLoop(ms / 4);
  const trace = await p.stop();
  const body = JSON.stringify(trace);
  const r = await fetch('/save?name=' + (saveName || 'self-profiling.json'), { method: 'POST', body: body });
  return { saved: r.status, bytes: body.length, rounds: a.rounds + b.rounds, garbage: g,
           samples: trace.samples.length, sampleIntervalAttr: p.sampleInterval };
}

async function selfProfileWorker(ms, query) {
  return askWorker({ cmd: 'selfprofile', ms: ms }, query);
}

async function mainProbe() {
  const r = { typeofProfiler: typeof Profiler };
  if (typeof Profiler !== 'undefined') {
    try {
      const p = new Profiler({ sampleInterval: 10, maxBufferSize: 100 });
      const t = await p.stop();
      r.construct = 'ok (' + t.samples.length + ' samples)';
    } catch (e) {
      r.construct = e.name + ': ' + e.message;
    }
  }
  return r;
}

async function workerProbe(query) {
  return askWorker({ cmd: 'probe' }, query);
}

window.runMainAndWorker = runMainAndWorker;
window.selfProfileMain = selfProfileMain;
window.selfProfileWorker = selfProfileWorker;
window.workerProbe = workerProbe;
window.mainProbe = mainProbe;
