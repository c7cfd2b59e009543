'use strict';
// Worker 1: string hashing (FNV-1a) in a loop.
const { parentPort, workerData } = require('worker_threads');

function fnv1a(str) {
  let h = 2166136261;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

function hashWorkerLoop(ms) {
  const end = Date.now() + ms;
  let acc = 0, i = 0;
  while (Date.now() < end) {
    acc ^= fnv1a('worker-hash-' + i++ + '-' + acc);
  }
  return i;
}

parentPort.postMessage({ worker: 'hash', iterations: hashWorkerLoop(workerData.ms) });
