#!/usr/bin/env node
'use strict';
// Print summary stats for .cpuprofile files (CDP Profiler.Profile, or {profile:{...}} wrapper).
// Usage: node samples/inspect.js FILE... [--json] [--frames]
//   --json    one JSON object per file
//   --frames  also list distinct "functionName  url:line" of non-internal frames (url not node:/ext:/empty)
const fs = require('fs');
const path = require('path');

function stats(file) {
  let p = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (p && p.profile && !p.nodes) p = p.profile;
  const nodes = p.nodes || [];
  const samples = p.samples || [];
  const deltas = p.timeDeltas || [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const root = nodes[0];
  const rootChildren = new Set((root && root.children) || []);
  const metaNames = ['(program)', '(idle)', '(garbage collector)'];
  const meta = {};
  for (const name of metaNames) {
    const ns = nodes.filter((n) => n.callFrame.functionName === name);
    const ids = new Set(ns.map((n) => n.id));
    meta[name] = {
      nodes: ns.length,
      rootChild: ns.some((n) => rootChildren.has(n.id)),
      samples: samples.filter((s) => ids.has(s)).length,
    };
  }
  const urls = new Set();
  let anon = 0;
  const nameSet = new Set();
  for (const n of nodes) {
    const cf = n.callFrame;
    if (cf.url) urls.add(cf.url.replace(/^(file:\/\/\/).*?(\/samples\/)/, '$1…$2'));
    if (cf.functionName === '') anon++;
    nameSet.add(cf.functionName);
  }
  const urlSchemes = {};
  for (const u of urls) {
    const m = /^([a-z][a-z0-9+.-]*:)/i.exec(u);
    const k = m ? m[1] : (u.startsWith("/") ? "abs-path" : "bare");
    urlSchemes[k] = (urlSchemes[k] || 0) + 1;
  }
  const sumDeltas = deltas.reduce((a, b) => a + b, 0);
  const maxDelta = deltas.length ? Math.max(...deltas) : 0;
  const ids = nodes.map((n) => n.id);
  const sortedIdsInOrder = ids.every((id, i) => i === 0 || id > ids[i - 1]);
  const missingSampleIds = samples.filter((s) => !byId.has(s)).length;
  // hitCount should equal the number of samples whose top node is that node (V8); old workerd breaks this.
  const perNode = new Map();
  for (const s of samples) perNode.set(s, (perNode.get(s) || 0) + 1);
  const hitCountMismatchNodes = nodes.filter((n) => typeof n.hitCount === 'number' && n.hitCount !== (perNode.get(n.id) || 0)).length;
  const hitCountTotal = nodes.reduce((a, n) => a + (n.hitCount || 0), 0);
  const positionTicksMismatchNodes = nodes.filter((n) => Array.isArray(n.positionTicks) && n.positionTicks.reduce((a, t) => a + t.ticks, 0) !== (n.hitCount || 0)).length;
  return {
    file: path.basename(file),
    bytes: fs.statSync(file).size,
    nodes: nodes.length,
    maxId: ids.length ? Math.max(...ids) : 0,
    idsAscendingInArray: sortedIdsInOrder,
    samples: samples.length,
    timeDeltas: deltas.length,
    rootSamples: root ? samples.filter((s) => s === root.id).length : 0,
    missingSampleIds,
    hitCountTotal,
    hitCountMismatchNodes,
    positionTicksMismatchNodes,
    negativeDeltas: deltas.filter((d) => d < 0).length,
    minDelta: deltas.length ? Math.min(...deltas) : 0,
    maxDelta,
    firstDelta: deltas[0],
    nonIntegerDeltas: deltas.filter((d) => !Number.isInteger(d)).length,
    startTime: p.startTime,
    endTime: p.endTime,
    startTimeLooksEpochUs: p.startTime > 1e15,
    durationMs: +((p.endTime - p.startTime) / 1000).toFixed(1),
    sumDeltasMs: +(sumDeltas / 1000).toFixed(1),
    meta,
    anonymousNodes: anon,
    distinctFunctionNames: nameSet.size,
    hasPositionTicks: nodes.some((n) => Array.isArray(n.positionTicks)),
    scriptIdTypes: [...new Set(nodes.map((n) => typeof n.callFrame.scriptId))].join(','),
    urlSchemes,
  };
}

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const withFrames = args.includes('--frames');
const files = args.filter((a) => !a.startsWith('--'));

function frames(file) {
  let p = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (p && p.profile && !p.nodes) p = p.profile;
  const seen = new Map();
  for (const n of p.nodes) {
    const cf = n.callFrame;
    if (!cf.url || /^(node|ext|bun|internal|node-internal):/.test(cf.url)) continue;
    const key = `${JSON.stringify(cf.functionName)}  ${cf.url.replace(/^.*\/samples\//, 'samples/')}:${cf.lineNumber}`;
    seen.set(key, (seen.get(key) || 0) + (n.hitCount || 0));
  }
  return [...seen].map(([k, v]) => `    ${String(v).padStart(5)}  ${k}`).join('\n');
}
if (!files.length) {
  console.error('usage: node inspect.js FILE.cpuprofile... [--json]');
  process.exit(2);
}
let rc = 0;
for (const f of files) {
  try {
    const s = stats(f);
    if (asJson) { console.log(JSON.stringify(s)); continue; }
    console.log(`== ${f}`);
    for (const [k, v] of Object.entries(s)) {
      if (k === 'file') continue;
      console.log(`  ${k.padEnd(22)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
    }
    if (withFrames) console.log('  frames (self hits, name, url:line0):\n' + frames(f));
  } catch (e) {
    rc = 1;
    console.log(`== ${f}\n  ERROR ${e.message}`);
  }
}
process.exit(rc);
