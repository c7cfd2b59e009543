#!/usr/bin/env node
// Prints the counts that samples/chrome/README.md tabulates, for any of the sample formats:
//   node samples/chrome/inspect.js [--check] FILE...
// Formats: CDP Profiler.Profile (.cpuprofile), Chrome trace events (object form, bare array, or a bare array
// with the closing ']' missing), JS Self-Profiling ProfilerTrace. Plain node, no dependencies.
// --check exits 1 unless a trace has >=2 Profile events on different tids with samples in their chunks.
'use strict';

const fs = require('fs');
const path = require('path');

function parseLenient(text) {
  try { return JSON.parse(text); } catch (e) { /* maybe truncated */ }
  let t = text.trimEnd();
  if (t.startsWith('[')) {
    if (t.endsWith(',')) t = t.slice(0, -1);
    return JSON.parse(t + ']');
  }
  throw new Error('not JSON and not a truncated event array');
}

function detect(j) {
  if (Array.isArray(j)) return 'trace-array';
  if (j && Array.isArray(j.traceEvents)) return 'trace-object';
  if (j && Array.isArray(j.nodes) && ('samples' in j || 'startTime' in j)) return 'cpuprofile';
  if (j && Array.isArray(j.frames) && Array.isArray(j.stacks) && Array.isArray(j.samples)) return 'profiler-trace';
  return 'unknown';
}

const SPECIAL = ['(root)', '(program)', '(idle)', '(garbage collector)'];

function inspectCpuProfile(p) {
  const samples = p.samples || [];
  const deltas = p.timeDeltas || [];
  const names = {};
  for (const n of p.nodes) names[n.id] = n.callFrame.functionName;
  const special = {};
  for (const s of SPECIAL) special[s] = samples.filter((id) => names[id] === s).length;
  const fnNames = [...new Set(p.nodes.map((n) => n.callFrame.functionName).filter((n) => n && !SPECIAL.includes(n)))];
  return {
    format: 'CDP Profiler.Profile (.cpuprofile)',
    profiles: 1,
    nodes: p.nodes.length,
    samples: samples.length,
    timeDeltas: deltas.length,
    negativeTimeDeltas: deltas.filter((d) => d < 0).length,
    zeroTimeDeltas: deltas.filter((d) => d === 0).length,
    durationUs: p.endTime - p.startTime,
    sumDeltasUs: deltas.reduce((a, b) => a + b, 0),
    samplesOnSpecialNodes: special,
    nodesWithHitCount: p.nodes.filter((n) => 'hitCount' in n).length,
    nodesWithPositionTicks: p.nodes.filter((n) => n.positionTicks && n.positionTicks.length).length,
    nodesWithChildren: p.nodes.filter((n) => n.children && n.children.length).length,
    nodesWithParentField: p.nodes.filter((n) => 'parent' in n).length,
    scriptIdType: [...new Set(p.nodes.map((n) => typeof n.callFrame.scriptId))],
    urls: [...new Set(p.nodes.map((n) => n.callFrame.url).filter(Boolean))],
    functionNames: fnNames,
  };
}

function inspectTrace(events, container) {
  const threadNames = {};
  const processNames = {};
  for (const e of events) {
    if (e.ph !== 'M') continue;
    if (e.name === 'thread_name') threadNames[e.pid + ':' + e.tid] = e.args && e.args.name;
    if (e.name === 'process_name') processNames[e.pid] = e.args && e.args.name;
  }
  // ts order
  let backwardTs = 0;
  for (let i = 1; i < events.length; i++) if (events[i].ts < events[i - 1].ts) backwardTs++;

  const profiles = new Map(); // pid:id -> info
  const key = (e) => e.pid + ':' + e.id;
  const get = (e) => {
    const k = key(e);
    if (!profiles.has(k)) profiles.set(k, { key: k, chunks: 0, chunksBeforeProfile: 0, nodes: 0, samples: 0,
      timeDeltas: 0, negativeTimeDeltas: 0, chunksWithLines: 0, chunksWithColumns: 0, chunksWithTraceIds: 0,
      chunksWithoutData: 0, chunkTids: new Set(), fnNames: new Set(), nodeNames: {}, sampleNames: {} });
    return profiles.get(k);
  };
  for (const e of events) {
    if (e.name === 'Profile') {
      const p = get(e);
      p.pid = e.pid; p.tid = e.tid; p.id = e.id; p.ts = e.ts;
      p.thread = threadNames[e.pid + ':' + e.tid];
      p.process = processNames[e.pid];
      const d = (e.args && e.args.data) || {};
      p.source = d.source; p.argsStartTime = d.startTime;
    } else if (e.name === 'ProfileChunk') {
      const p = get(e);
      p.chunks++;
      if (p.tid === undefined) p.chunksBeforeProfile++;
      p.chunkTids.add(threadNames[e.pid + ':' + e.tid] || String(e.tid));
      const d = e.args && e.args.data;
      if (!d || (!d.cpuProfile && !d.timeDeltas)) { p.chunksWithoutData++; continue; }
      const cp = d.cpuProfile || {};
      for (const n of cp.nodes || []) {
        p.nodes++;
        p.nodeNames[n.id] = n.callFrame.functionName;
        if (n.callFrame.functionName && !SPECIAL.includes(n.callFrame.functionName)) p.fnNames.add(n.callFrame.functionName);
      }
      for (const s of cp.samples || []) {
        p.samples++;
        const nm = p.nodeNames[s] || '?';
        if (SPECIAL.includes(nm)) p.sampleNames[nm] = (p.sampleNames[nm] || 0) + 1;
      }
      for (const t of d.timeDeltas || []) { p.timeDeltas++; if (t < 0) p.negativeTimeDeltas++; }
      if (d.lines) p.chunksWithLines++;
      if (d.columns) p.chunksWithColumns++;
      if (cp.trace_ids) p.chunksWithTraceIds++;
    }
  }
  const list = [...profiles.values()].map((p) => ({
    profile: p.key, tid: p.tid, thread: p.thread, process: p.process, source: p.source,
    tsMinusArgsStartTimeUs: p.ts !== undefined && p.argsStartTime !== undefined ? p.ts - p.argsStartTime : undefined,
    chunks: p.chunks, chunksBeforeProfileEvent: p.chunksBeforeProfile, chunksWithoutData: p.chunksWithoutData,
    chunkThreads: [...p.chunkTids], nodes: p.nodes, samples: p.samples, timeDeltas: p.timeDeltas,
    negativeTimeDeltas: p.negativeTimeDeltas, chunksWithLines: p.chunksWithLines,
    chunksWithColumns: p.chunksWithColumns, chunksWithTraceIds: p.chunksWithTraceIds,
    samplesOnSpecialNodes: p.sampleNames, functionNames: [...p.fnNames],
  }));
  const threads = {};
  for (const [k, v] of Object.entries(threadNames)) threads[k] = v;
  return {
    format: 'Chrome trace events (' + container + ')',
    events: events.length,
    eventsOutOfTsOrder: backwardTs,
    processes: processNames,
    threadNameEvents: Object.keys(threadNames).length,
    profiles: list.length,
    profileThreads: list.map((p) => p.tid + ' ' + p.thread),
    samples: list.reduce((a, p) => a + p.samples, 0),
    negativeTimeDeltas: list.reduce((a, p) => a + p.negativeTimeDeltas, 0),
    profileDetails: list,
  };
}

function inspectProfilerTrace(t) {
  const noStack = t.samples.filter((s) => s.stackId === undefined || s.stackId === null);
  const markers = {};
  for (const s of t.samples) if ('marker' in s) markers[s.marker] = (markers[s.marker] || 0) + 1;
  let backward = 0;
  for (let i = 1; i < t.samples.length; i++) if (t.samples[i].timestamp < t.samples[i - 1].timestamp) backward++;
  const gaps = [];
  for (let i = 1; i < t.samples.length; i++) gaps.push(t.samples[i].timestamp - t.samples[i - 1].timestamp);
  gaps.sort((a, b) => a - b);
  return {
    format: 'JS Self-Profiling ProfilerTrace',
    profiles: 1,
    resources: t.resources,
    frames: t.frames.length,
    framesWithoutResourceId: t.frames.filter((f) => f.resourceId === undefined).length,
    framesWithoutLine: t.frames.filter((f) => f.line === undefined).length,
    stacks: t.stacks.length,
    rootStacks: t.stacks.filter((s) => s.parentId === undefined).length,
    stacksWithParentIdZero: t.stacks.filter((s) => s.parentId === 0).length,
    samples: t.samples.length,
    samplesWithoutStackId: noStack.length,
    samplesWithStackIdZero: t.samples.filter((s) => s.stackId === 0).length,
    markers,
    backwardTimestamps: backward,
    negativeTimestamps: t.samples.filter((s) => s.timestamp < 0).length,
    firstTimestampMs: t.samples.length ? t.samples[0].timestamp : undefined,
    lastTimestampMs: t.samples.length ? t.samples[t.samples.length - 1].timestamp : undefined,
    medianGapMs: gaps.length ? +gaps[gaps.length >> 1].toFixed(3) : undefined,
    maxGapMs: gaps.length ? +gaps[gaps.length - 1].toFixed(3) : undefined,
    frameNames: [...new Set(t.frames.map((f) => f.name))],
  };
}

function inspectFile(file) {
  const text = fs.readFileSync(file, 'utf8');
  let truncated = false;
  let j;
  try { j = JSON.parse(text); } catch (e) { j = parseLenient(text); truncated = true; }
  const kind = detect(j);
  let r;
  if (kind === 'cpuprofile') r = inspectCpuProfile(j);
  else if (kind === 'trace-object') r = inspectTrace(j.traceEvents, 'object form' +
    (j.metadata ? ', metadata keys: ' + Object.keys(j.metadata).join(',') : ', no metadata'));
  else if (kind === 'trace-array') r = inspectTrace(j, 'bare array' + (truncated ? ', TRUNCATED: closing ] missing' : ''));
  else if (kind === 'profiler-trace') r = inspectProfilerTrace(j);
  else r = { format: 'unknown', keys: Object.keys(j) };
  return Object.assign({ file: path.basename(file), bytes: Buffer.byteLength(text) }, r);
}

function main() {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const files = args.filter((a) => a !== '--check');
  if (!files.length) {
    for (const f of fs.readdirSync(__dirname).sort()) {
      if (/\.(json|cpuprofile)$/.test(f) && !f.endsWith('.probe.json')) files.push(path.join(__dirname, f));
    }
  }
  let ok = true;
  for (const f of files) {
    const r = inspectFile(f);
    console.log(JSON.stringify(r, null, 2));
    if (check && r.format.startsWith('Chrome trace')) {
      const withSamples = r.profileDetails.filter((p) => p.samples > 0 && p.tid !== undefined);
      const tids = new Set(withSamples.map((p) => p.tid));
      const pass = withSamples.length >= 2 && tids.size >= 2;
      console.log('CHECK ' + r.file + ': ' + (pass ? 'ok' : 'FAILED') + ' (' + withSamples.length +
        ' profiles with samples on ' + tids.size + ' tids: ' + withSamples.map((p) => p.thread).join(', ') + ')');
      if (!pass) ok = false;
    }
  }
  if (!ok) process.exit(1);
}

main();
