// The workload of tests/ci_gate.rs, recorded at test time with
//   node --single-threaded --cpu-prof --cpu-prof-interval 500 workload.js
// (--single-threaded: V8 compiles on the main thread, so both functions are
// optimised at the same point of every run; on a busy machine a starved
// background compiler left one of them unoptimised for a varying while).
// slowFn and steadyFn run the same loop, in short alternating calls; with
// SLOW=1, slowFn does four times the work (the regression a CI gate must
// catch) and steadyFn the same. The same code in both keeps their ratio
// steady on a busy machine, where other processes slow some instruction
// mixes more than others and drift over a run.
'use strict';

const factor = process.env.SLOW === '1' ? 4 : 1;

function slowFn(n) {
  let x = 0;
  for (let i = 0; i < n; i++) x += Math.sqrt(i) * Math.sin(i);
  return x;
}

function steadyFn(n) {
  let x = 0;
  for (let i = 0; i < n; i++) x += Math.sqrt(i) * Math.sin(i);
  return x;
}

let sink = 0;
for (let round = 0; round < 800; round++) {
  sink += slowFn(20000 * factor);
  sink += steadyFn(20000);
}
if (Number.isNaN(sink)) console.log(sink);
