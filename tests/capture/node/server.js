'use strict';
// cpuflame capture test: an HTTP server with a CPU-heavy handler, and the
// on-demand profile endpoint pattern (GET /profile/cpu?duration=SECONDS).
const http = require('http');
const inspector = require('inspector');
const zlib = require('zlib');

function handleChecksumRequest(n) {
  let h = 0;
  for (let i = 0; i < n; i++) h = (h * 31 + (i % 97)) | 0;
  return h;
}

function profileFor(seconds, gzip, res) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable', () => session.post('Profiler.start', () => {
    setTimeout(() => session.post('Profiler.stop', (err, { profile }) => {
      session.disconnect();
      if (err) { res.writeHead(500); res.end(String(err)); return; }
      const body = JSON.stringify(profile);
      if (gzip) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(zlib.gzipSync(body));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      }
    }), seconds * 1000);
  }));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/profile/cpu') return profileFor(Number(url.searchParams.get('duration') || 1), url.searchParams.has('gzip'), res);
  res.end(String(handleChecksumRequest(200000)));
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
