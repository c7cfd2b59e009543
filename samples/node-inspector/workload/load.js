'use strict';
// Bounded load generator: sends sequential GET /work requests to 127.0.0.1:PORT only, stopping after
// COUNT requests or MAX_MS milliseconds, whichever comes first.
// Usage: node load.js PORT [COUNT=60] [N=4000] [PAUSE_MS=5] [MAX_MS=10000]
const http = require('http');
const [port, count = 60, n = 4000, pause = 5, maxMs = 10000] = process.argv.slice(2).map(Number);
if (!port) { console.error('usage: node load.js PORT [COUNT] [N] [PAUSE_MS]'); process.exit(2); }

function get(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

(async () => {
  let ok = 0;
  const end = Date.now() + maxMs;
  for (let i = 0; i < count && Date.now() < end; i++) {
    await get(`/work?n=${n}`);
    ok++;
    if (pause) await new Promise((r) => setTimeout(r, pause));
  }
  console.log(`load: ${ok}/${count} requests done`);
})();
