'use strict';
// Request GET PATH (default /) from 127.0.0.1:PORT in a loop, one at a time, until killed.
const http = require('http');
const port = Number(process.argv[2]);
const path = process.argv[3] || '/';
function again() {
  http.get({ host: '127.0.0.1', port, path }, (res) => { res.resume(); res.on('end', again); })
    .on('error', () => setTimeout(again, 20));
}
again();
