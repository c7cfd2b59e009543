'use strict';
// cpuflame capture test: a main thread and two worker_threads doing distinct
// CPU work; exits with the code given as the first argument.
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

function spin(ms, fn) {
  const end = Date.now() + ms;
  let acc = 0;
  while (Date.now() < end) acc += fn();
  return acc;
}

function mainPrimeSieve() {
  const n = 20000, sieve = new Uint8Array(n + 1);
  let c = 0;
  for (let i = 2; i <= n; i++) {
    if (sieve[i]) continue;
    c++;
    for (let j = i * i; j <= n; j += i) sieve[j] = 1;
  }
  return c;
}

function workerAlphaHash() {
  let h = 2166136261;
  for (let i = 0; i < 200000; i++) h = Math.imul(h ^ (i & 255), 16777619);
  return h & 1;
}

function workerBetaMatrix() {
  const a = new Float64Array(400).fill(1.5);
  let s = 0;
  for (let i = 0; i < 20; i++) for (let j = 0; j < 20; j++) for (let k = 0; k < 20; k++) s += a[i * 20 + k] * a[k * 20 + j];
  return s > 0 ? 1 : 0;
}

if (isMainThread) {
  const code = Number(process.argv[2] || 0);
  // The workers start a little after the main thread, so their bands start later.
  spin(150, mainPrimeSieve);
  const done = ['alpha', 'beta'].map((kind) => new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: kind });
    w.once('message', resolve);
    w.once('error', reject);
  }));
  spin(250, mainPrimeSieve);
  Promise.all(done).then((r) => {
    console.log('workers done', r.join(' '));
    process.exitCode = code;
  });
} else {
  const fn = workerData === 'alpha' ? workerAlphaHash : workerBetaMatrix;
  parentPort.postMessage(`${workerData}:${spin(300, fn) > 0}`);
}
