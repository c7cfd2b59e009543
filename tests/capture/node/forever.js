'use strict';
// cpuflame capture test: busy until interrupted.
function foreverBusyLoop() {
  let x = 0;
  for (let i = 0; i < 1e6; i++) x += Math.sqrt(i);
  return x;
}
console.log('started');
setInterval(foreverBusyLoop, 1);
//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbImZvcmV2ZXItc3JjLnRzIl0sIm5hbWVzIjpbXSwibWFwcGluZ3MiOiJBQUFBIn0=
