'use strict';
// cpuflame sample workload for `node --cpu-prof`. About 1 s of CPU work plus ~150 ms idle.
const { parseCsv, scanCsv, makeCsv, Tokenizer } = require('./src/parse');
const { fib, sortRecords, jsonRoundTrip } = require('./src/work');
const tiny = require('tiny-lib');
const acme = require('@acme/util');

function busyFor(ms, fn) {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) { fn(); n++; }
  return n;
}

function phaseCpu() {
  let total = 0;
  total += busyFor(150, () => fib(22));
  const csv = makeCsv(400, 12);
  total += busyFor(100, () => parseCsv(csv).length);
  total += busyFor(60, () => scanCsv(csv));
  const recs = Array.from({ length: 3000 }, (_, i) => ({ name: 'n' + ((i * 7919) % 3001), score: (i * 37) % 101 }));
  total += busyFor(120, () => sortRecords(recs).length);
  total += busyFor(100, () => jsonRoundTrip({ recs: recs.slice(0, 300) }, 2).recs.length);
  total += busyFor(100, () => Tokenizer.tokenize(Tokenizer['<init>&co'](500)).length);
  total += busyFor(40, () => Tokenizer['<computed>&co'](2000).length);
  total += busyFor(100, () => tiny.hashMany(recs.map((r) => r.name)));
  total += busyFor(100, () => acme.chunk(acme.deepClone(recs.slice(0, 500)), 7).length);
  return total;
}

function phaseGarbage() {
  return busyFor(150, () => acme.makeGarbage(3));
}

const main = async () => {
  const a = phaseCpu();
  const b = phaseGarbage();
  // Idle gap so V8 records (idle) samples.
  await new Promise((resolve) => setTimeout(resolve, 150));
  const c = busyFor(80, () => fib(20));
  console.log('done', a > 0, b > 0, c > 0);
};

main();
