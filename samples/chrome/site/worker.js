// Dedicated Web Worker for cpuflame's Chromium sample recordings.
'use strict';

function workerFib(n) {
  return n < 2 ? n : workerFib(n - 1) + workerFib(n - 2);
}

function workerHashString(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

const WORKER_ITEMS = [];
for (let i = 0; i < 3000; i++) WORKER_ITEMS.push('worker-item-' + i + '-' + (i * 31));

function workerHashMany(n) {
  let x = 0;
  for (let i = 0; i < n; i++) x ^= workerHashString(WORKER_ITEMS[i % WORKER_ITEMS.length]);
  return x;
}

function workerMatMul(size) {
  const a = new Float64Array(size * size), b = new Float64Array(size * size), c = new Float64Array(size * size);
  for (let i = 0; i < a.length; i++) { a[i] = i % 7; b[i] = i % 5; }
  for (let i = 0; i < size; i++)
    for (let k = 0; k < size; k++) {
      const aik = a[i * size + k];
      for (let j = 0; j < size; j++) c[i * size + j] += aik * b[k * size + j];
    }
  return c[size + 1];
}

function workerLoop(ms) {
  const end = performance.now() + ms;
  let acc = 0, rounds = 0;
  while (performance.now() < end) {
    acc += workerFib(22);
    acc += workerHashMany(3000);
    acc += workerMatMul(60);
    rounds++;
  }
  return { acc, rounds };
}

function workerMakeGarbage(ms) {
  const end = performance.now() + ms;
  let n = 0, keep = null;
  while (performance.now() < end) {
    const chunk = [];
    for (let i = 0; i < 2000; i++) chunk.push({ i: i, s: 'g' + i, a: [i, i + 1, i + 2] });
    keep = chunk[1999];
    n++;
  }
  return n + (keep ? keep.i : 0);
}

function workerSleep(ms) {
  return new Promise(function workerIdleTimer(resolve) { setTimeout(resolve, ms); });
}

async function workerSelfProfile(ms) {
  const info = { typeofProfiler: typeof Profiler, crossOriginIsolated: self.crossOriginIsolated };
  if (typeof Profiler === 'undefined') return Object.assign(info, { error: 'Profiler is not defined in the worker' });
  let p;
  try {
    p = new Profiler({ sampleInterval: 10, maxBufferSize: 10000 });
  } catch (e) {
    return Object.assign(info, { error: 'new Profiler() threw: ' + e.name + ': ' + e.message });
  }
  const a = workerLoop(ms / 2);
  await workerSleep(150);
  const g = workerMakeGarbage(ms / 4);
  await workerSleep(50);
  const b = workerLoop(ms / 4);
  const trace = await p.stop();
  const body = JSON.stringify(trace);
  const r = await fetch('/save?name=worker-self-profiling.json', { method: 'POST', body: body });
  return Object.assign(info, { saved: r.status, bytes: body.length, samples: trace.samples.length,
                               rounds: a.rounds + b.rounds, garbage: g });
}

self.onmessage = async function (e) {
  const msg = e.data;
  if (msg.cmd === 'work') {
    const r = workerLoop(msg.ms);
    r.garbage = msg.garbageMs ? workerMakeGarbage(msg.garbageMs) : 0;
    self.postMessage(r);
  } else if (msg.cmd === 'selfprofile') {
    self.postMessage(await workerSelfProfile(msg.ms));
  } else if (msg.cmd === 'probe') {
    const r = { typeofProfiler: typeof Profiler, crossOriginIsolated: self.crossOriginIsolated };
    if (typeof Profiler !== 'undefined') {
      try {
        const p = new Profiler({ sampleInterval: 10, maxBufferSize: 100 });
        const t = await p.stop();
        r.construct = 'ok (' + t.samples.length + ' samples)';
      } catch (e) {
        r.construct = e.name + ': ' + e.message;
      }
    }
    self.postMessage(r);
  }
};
