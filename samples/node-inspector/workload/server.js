'use strict';
// cpuflame sample: a small HTTP server with a CPU-heavy route and an on-demand profiling route
// (in-process inspector.Session, the approach described in Hiro's "Implementing a Node.js Profiler").
//
//   GET /work?n=N            CPU-heavy: builds N records, sorts them, renders an HTML table, hashes it
//   GET /health              trivial
//   GET /profile?seconds=S   runs Profiler.start, waits S seconds, Profiler.stop, returns the profile JSON
//
// Listens on 127.0.0.1 only. PORT env (default 0 = ephemeral); the chosen port is printed as "listening <port>".
const http = require('http');
const inspector = require('inspector');
const crypto = require('crypto');

function makeRecords(n, seed) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = { id: i, name: 'user' + ((i * 2654435761 + seed) % 100003), score: (i * 31 + seed) % 1000 };
  }
  return out;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function renderTable(records) {
  let html = '<table>';
  for (const r of records) html += `<tr><td>${r.id}</td><td>${escapeHtml(r.name)}</td><td>${r.score}</td></tr>`;
  return html + '</table>';
}

function handleWork(n, seed) {
  const records = makeRecords(n, seed).sort((a, b) => a.score - b.score || a.id - b.id);
  const html = renderTable(records);
  const digest = crypto.createHash('sha256').update(html).digest('hex');
  return { n, bytes: html.length, digest };
}

function captureProfile(seconds, intervalUs) {
  return new Promise((resolve, reject) => {
    const session = new inspector.Session();
    session.connect();
    const post = (method, params) =>
      new Promise((res, rej) => session.post(method, params || {}, (err, r) => (err ? rej(err) : res(r))));
    post('Profiler.enable')
      .then(() => post('Profiler.setSamplingInterval', { interval: intervalUs }))
      .then(() => post('Profiler.start'))
      .then(() => new Promise((r) => setTimeout(r, seconds * 1000)))
      .then(() => post('Profiler.stop'))
      .then(({ profile }) => post('Profiler.disable').then(() => profile))
      .then((profile) => { session.disconnect(); resolve(profile); })
      .catch((e) => { session.disconnect(); reject(e); });
  });
}

let seed = 0;
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/work') {
    const n = Math.min(Number(url.searchParams.get('n')) || 2000, 50000);
    const body = JSON.stringify(handleWork(n, seed++));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  } else if (url.pathname === '/profile') {
    const seconds = Math.min(Number(url.searchParams.get('seconds')) || 1, 30);
    const interval = Number(url.searchParams.get('interval')) || 1000;
    captureProfile(seconds, interval).then(
      (profile) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-disposition': `attachment; filename="server-${Date.now()}.cpuprofile"`,
        });
        res.end(JSON.stringify(profile));
      },
      (err) => { res.writeHead(500); res.end(String(err)); }
    );
  } else if (url.pathname === '/health') {
    res.end('ok');
  } else if (url.pathname === '/quit') {
    res.end('bye');
    server.close();
  } else {
    res.writeHead(404); res.end();
  }
});

server.listen(Number(process.env.PORT) || 0, '127.0.0.1', () => {
  console.log('listening', server.address().port);
});
