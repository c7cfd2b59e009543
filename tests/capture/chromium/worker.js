// cpuflame capture test: a dedicated worker busy in a named function.
function dedicatedWorkerBusy() {
  let h = 0;
  for (let i = 0; i < 300000; i++) h = Math.imul(h ^ i, 16777619);
  return h;
}
setInterval(dedicatedWorkerBusy, 2);
