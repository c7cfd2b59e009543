#!/usr/bin/env node
// Prints one JSON line of statistics about .cpuprofile files (optionally .gz):
// bytes, node count, sample count, share of the bytes taken by `nodes`,
// distinct functions, max depth, profiled duration.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
for (const f of process.argv.slice(2)) {
  let buf = fs.readFileSync(f);
  const fileBytes = buf.length;
  if (f.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  const text = buf.toString('utf8');
  const p = JSON.parse(text);
  const nodesBytes = JSON.stringify(p.nodes).length;
  const fns = new Set();
  const depth = new Map([[p.nodes[0].id, 0]]);
  let maxDepth = 0;
  for (const n of p.nodes) {
    const cf = n.callFrame;
    fns.add(`${cf.functionName}\u0000${cf.url}\u0000${cf.lineNumber}\u0000${cf.columnNumber}`);
    const d = depth.get(n.id) || 0;
    if (d > maxDepth) maxDepth = d;
    for (const c of n.children || []) depth.set(c, d + 1);
  }
  console.log(JSON.stringify({
    file: f,
    bytes: fileBytes,
    json_bytes: text.length,
    nodes: p.nodes.length,
    samples: p.samples.length,
    nodes_share: Number((nodesBytes / text.length).toFixed(4)),
    distinct_functions: fns.size,
    max_depth: maxDepth,
    profiled_seconds: (p.endTime - p.startTime) / 1e6,
  }));
}
