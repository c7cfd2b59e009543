'use strict';
// cpuflame sample: main thread + 2 worker_threads doing different CPU work.
// Record with: node --cpu-prof --cpu-prof-dir=<dir> main.js   -> one CPU.*.cpuprofile per thread.
const { Worker } = require('worker_threads');
const path = require('path');

function primesUpTo(n) {
  const sieve = new Uint8Array(n + 1);
  let count = 0;
  for (let i = 2; i <= n; i++) {
    if (sieve[i]) continue;
    count++;
    for (let j = i * i; j <= n; j += i) sieve[j] = 1;
  }
  return count;
}

function mainThreadWork(ms) {
  const end = Date.now() + ms;
  let total = 0;
  while (Date.now() < end) total += primesUpTo(50000);
  return total;
}

function runWorker(file, data) {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(__dirname, file), { workerData: data });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

async function main() {
  const pending = [
    runWorker('worker-hash.js', { ms: 500 }),
    runWorker('worker-matrix.js', { ms: 500 }),
  ];
  const mine = mainThreadWork(400);
  const results = await Promise.all(pending);
  console.log('main', mine > 0, 'workers', results);
}

main();
