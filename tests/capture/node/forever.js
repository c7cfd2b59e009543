'use strict';
// cpuflame capture test: busy until interrupted.
function foreverBusyLoop() {
  let x = 0;
  for (let i = 0; i < 1e6; i++) x += Math.sqrt(i);
  return x;
}
console.log('started');
setInterval(foreverBusyLoop, 1);
