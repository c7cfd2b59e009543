'use strict';
// Worker 2: dense matrix multiplication.
const { parentPort, workerData } = require('worker_threads');

function makeMatrix(n, seed) {
  const m = new Float64Array(n * n);
  for (let i = 0; i < m.length; i++) m[i] = ((i * 7 + seed) % 13) / 13;
  return m;
}

function matMul(a, b, n) {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      for (let j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
    }
  return c;
}

function matrixWorkerLoop(ms) {
  const end = Date.now() + ms;
  const n = 64;
  let a = makeMatrix(n, 1), count = 0;
  const b = makeMatrix(n, 2);
  while (Date.now() < end) { a = matMul(a, b, n); for (let i = 0; i < a.length; i++) a[i] %= 1; count++; }
  return count;
}

parentPort.postMessage({ worker: 'matrix', multiplications: matrixWorkerLoop(workerData.ms) });
