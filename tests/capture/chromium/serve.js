'use strict';
// Serve this directory on 127.0.0.1 (a free port, printed as `listening PORT`).
const http = require('http');
const fs = require('fs');
const path = require('path');
const types = { '.html': 'text/html', '.js': 'text/javascript' };
const server = http.createServer((req, res) => {
  const name = path.basename(new URL(req.url, 'http://x').pathname) || 'page.html';
  fs.readFile(path.join(__dirname, name), (err, data) => {
    if (err) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': types[path.extname(name)] || 'text/plain' });
    res.end(data);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
