// cpuflame HTML report: every view of one profile, drawn from the model cpuflame embeds.
// Hand-written, no framework, no network. Profile text (names, URLs, titles) reaches the
// page only through textContent and canvas fillText, never as markup.
'use strict';
(async function main() {
  const $ = (id) => document.getElementById(id);
  const status = $('status');

  // ---- The model: base64 of gzipped JSON (see src/export/html/model.rs). ----
  let M;
  try {
    const b64 = $('model').textContent.trim();
    const raw = atob(b64);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    M = JSON.parse(await new Response(stream).text());
  } catch (e) {
    status.textContent = 'This report cannot be read: ' + e;
    return;
  }

  const N = M.parent.length;
  const parent = new Int32Array(N);
  const label = new Int32Array(N);
  const depth = new Int32Array(N);
  parent[0] = -1;
  label[0] = -1;
  for (let i = 1; i < N; i++) {
    parent[i] = i - M.parent[i];
    label[i] = M.label[i];
    depth[i] = depth[parent[i]] + 1;
  }
  const selfAll = Float64Array.from(M.self);
  const base = M.base ? Float64Array.from(M.base) : null;
  const S = M.strings;
  const cats = M.cats;
  const colors = M.colors;
  const isTime = M.time;

  // Children, sorted by name as flame graphs are (stable layout whatever the weights).
  const kidCount = new Int32Array(N + 1);
  for (let i = 1; i < N; i++) kidCount[parent[i] + 1]++;
  for (let i = 1; i <= N; i++) kidCount[i] += kidCount[i - 1];
  const kidStart = kidCount;
  const kids = new Int32Array(Math.max(N - 1, 0));
  {
    const fill = kidStart.slice(0, N);
    for (let i = 1; i < N; i++) kids[fill[parent[i]]++] = i;
    for (let p = 0; p < N; p++) {
      const a = kidStart[p], b = kidStart[p + 1];
      if (b - a > 1) {
        const part = Array.from(kids.subarray(a, b)).sort((x, y) => {
          const sx = S[label[x]], sy = S[label[y]];
          return sx < sy ? -1 : sx > sy ? 1 : 0;
        });
        kids.set(part, a);
      }
    }
  }
  const kidsOf = (i) => kids.subarray(kidStart[i], kidStart[i + 1]);

  // Whether a node's label already appears above it: a recursive call counts
  // once in a function's total (as DevTools' bottom-up view and -f table do).
  const recursive = new Uint8Array(N);
  {
    const onPath = new Int32Array(S.length);
    const stack = [0];
    while (stack.length) {
      const v = stack.pop();
      if (v < 0) { onPath[label[~v]]--; continue; }
      if (v > 0) {
        if (onPath[label[v]] > 0) recursive[v] = 1;
        onPath[label[v]]++;
        stack.push(~v);
      }
      const k = kidsOf(v);
      for (let j = k.length - 1; j >= 0; j--) stack.push(k[j]);
    }
  }

  // Runs per source, times relative to the source's --from/--to origin.
  const sources = M.sources.map((s) => {
    const n = s.runs.length / 3;
    const stack = new Int32Array(n), start = new Float64Array(n), w = new Float64Array(n);
    let end = 0;
    for (let r = 0; r < n; r++) {
      stack[r] = s.runs[3 * r];
      start[r] = end + s.runs[3 * r + 1];
      w[r] = s.runs[3 * r + 2];
      end = start[r] + w[r];
    }
    let maxDepth = 0;
    for (let r = 0; r < n; r++) if (depth[stack[r]] > maxDepth) maxDepth = depth[stack[r]];
    return { name: s.name, first: s.first, end: Math.max(s.end, end), drawn: s.drawn, n, stack, start, w, maxDepth };
  });
  // With sample-count weights a run's weight is a count, not a span: no timeline views.
  const withRuns = isTime ? sources.filter((s) => s.n > 0) : [];
  const timeEnd = Math.max(1, ...sources.map((s) => s.end));
  // A window needs every sample's time: runs must cover the whole tree (not a
  // hit-count profile) and weights must be durations.
  const runsTotal = withRuns.reduce((a, s) => a + s.w.reduce((x, y) => x + y, 0), 0);
  const allTotal = selfAll.reduce((a, b) => a + b, 0);
  const canWindow = isTime && !base && withRuns.length > 0 && Math.abs(runsTotal - allTotal) <= 1e-6 * Math.max(1, allTotal);

  // ---- State ----
  let cur = selfAll;           // self weights in the window
  let tot = totals(cur);       // total weights in the window
  let baseTot = base ? totals(base) : null;
  let zoom = 0;                // zoomed node of the flame graph
  let selected = -1;           // selected function (label id)
  let match = null;            // Uint8Array per label, or null
  let win = null;              // {from, to} µs, or null
  let lastDrawMs = 0;          // how long the last zoom, selection or window took to redraw

  function totals(selfw) {
    const t = Float64Array.from(selfw);
    for (let i = N - 1; i > 0; i--) t[parent[i]] += t[i];
    return t;
  }
  function amount(w) {
    return isTime ? (w / 1000).toFixed(2) + ' ms' : String(Math.round(w));
  }
  function pct(w, of) {
    return of > 0 ? (100 * w / of).toFixed(1) + ' %' : '0.0 %';
  }
  function fmtTime(us, step) {
    const s = step === undefined ? us : step;
    if (s >= 1e6 || us >= 1e7) return (us / 1e6).toFixed(s >= 1e6 ? 0 : s >= 1e5 ? 1 : 2) + ' s';
    if (s >= 1e3 || us >= 1e4) return (us / 1e3).toFixed(s >= 1e3 ? 0 : s >= 100 ? 1 : 2) + ' ms';
    return us.toFixed(0) + ' µs';
  }
  // "fib (src/a.js:3:1)" -> ["fib", "src/a.js:3:1"] for frames that carry a location.
  function split(l) {
    const s = S[l];
    const c = cats[l];
    if ((c === 'application' || c === 'node_modules' || c === 'runtime') && s.endsWith(')')) {
      const i = s.lastIndexOf(' (');
      if (i >= 0) return [s.slice(0, i), s.slice(i + 2, -1)];
    }
    return [s, ''];
  }
  const nameOf = (i) => (i === 0 ? 'all' : S[label[i]]);

  // ---- Header, legend, about ----
  document.title = M.title;
  $('icicle').checked = Boolean(M.inverted);
  $('title').textContent = M.title;
  $('subtitle').textContent = M.subtitle;
  $('facts').textContent = sources.length > 1
    ? 'Sources: ' + sources.map((s) => s.name).join(' · ')
    : '';
  {
    const lg = $('legend');
    const t = document.createElement('span');
    t.textContent = M.legend.title;
    lg.appendChild(t);
    for (const e of M.legend.entries) {
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = e.color;
      const tx = document.createElement('span');
      tx.textContent = e.text;
      lg.appendChild(sw);
      lg.appendChild(tx);
    }
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = '#e040c0';
    const tx = document.createElement('span');
    tx.textContent = 'search match';
    lg.appendChild(sw);
    lg.appendChild(tx);
    for (const n of M.notes) {
      const li = document.createElement('li');
      li.textContent = n;
      $('notes').appendChild(li);
    }
    $('about').textContent = 'Made by cpuflame ' + M.version +
      (M.options.length ? ' · ' + M.options.join(' · ') : '') +
      (base ? ' · compared against ' + M.baseName + ' (base scaled to the same total)' : '');
  }

  // ---- Canvas helpers ----
  // Every canvas is as wide as the page. The width is read once per redraw: reading it
  // after the table's rows were replaced would force the browser to lay out the whole page.
  let widthCache = 0;
  function viewWidth() {
    if (!widthCache) widthCache = $('flame').clientWidth || document.body.clientWidth;
    return widthCache;
  }
  const ROW = 17;
  const FONT = '12px monospace';
  function setup(canvas, cssH) {
    const dpr = window.devicePixelRatio || 1;
    const cssW = viewWidth();
    canvas.style.height = cssH + 'px';
    canvas.width = Math.max(1, Math.round(cssW * dpr));
    canvas.height = Math.max(1, Math.round(cssH * dpr));
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    return { ctx, w: cssW, h: cssH };
  }
  let charW = 7.2;
  {
    const c = document.createElement('canvas').getContext('2d');
    c.font = FONT;
    charW = c.measureText('MMMMMMMMMM').width / 10 || 7.2;
  }
  // The text that fits in `w` px: the start of it (function name first), cut on the right.
  function fit(s, w) {
    const n = Math.floor((w - 6) / charW);
    if (n < 3) return '';
    return s.length <= n ? s : s.slice(0, n - 1) + '…';
  }
  function diffColor(now, was) {
    const d = now - was;
    const m = Math.max(now, was);
    const a = m > 0 ? Math.min(1, Math.abs(d) / m) : 0;
    if (a < 0.02) return 'rgb(245,245,245)';
    const k = Math.round(235 - 175 * a);
    return d > 0 ? `rgb(255,${k},${k})` : `rgb(${k},${k},255)`;
  }

  const tip = $('tip');
  function showTip(ev, lines) {
    tip.textContent = lines.join('\n');
    tip.hidden = false;
    const x = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    const y = ev.clientY + 16 + tip.offsetHeight > window.innerHeight ? ev.clientY - tip.offsetHeight - 8 : ev.clientY + 16;
    tip.style.left = Math.max(0, x) + 'px';
    tip.style.top = Math.max(0, y) + 'px';
  }
  function hideTip() { tip.hidden = true; }
  function nodeTip(i, t, self, zoomTotal) {
    const [name, loc] = i === 0 ? ['all', ''] : split(label[i]);
    const total = tot[0];
    const lines = [name];
    if (loc) lines.push(loc);
    lines.push(`self:  ${amount(self)} (${pct(self, total)} of all)`);
    lines.push(`total: ${amount(t)} (${pct(t, total)} of all, ${pct(t, zoomTotal)} of the zoomed frame)`);
    return lines;
  }

  // ---- Tree drawing (flame graph and the two halves of the sandwich) ----
  // tree: { value(i), label(i) -> string, color(i), kids(i), self(i) }.
  // path: nodes drawn full width above `root` (the zoomed frame's ancestors).
  function layout(tree, root, path, width) {
    const rects = [];
    path.forEach((i, d) => rects.push({ i, x: 0, w: width, d }));
    const d0 = path.length;
    const scale = tree.value(root) > 0 ? width / tree.value(root) : 0;
    const stack = [[root, 0, d0]];
    while (stack.length) {
      const [i, x, d] = stack.pop();
      const w = tree.value(i) * scale;
      rects.push({ i, x, w, d });
      let cx = x;
      for (const k of tree.kids(i)) {
        const kw = tree.value(k) * scale;
        if (kw >= 0.35) stack.push([k, cx, d + 1]);
        cx += kw;
      }
    }
    return rects;
  }
  function paint(canvas, tree, rects, down, highlight) {
    let maxD = 0;
    for (const r of rects) if (r.d > maxD) maxD = r.d;
    const H = (maxD + 1) * ROW + 2;
    const { ctx, w } = setup(canvas, H);
    ctx.clearRect(0, 0, w, H);
    const byDepth = [];
    for (const r of rects) {
      r.y = down ? r.d * ROW : H - (r.d + 1) * ROW;
      (byDepth[r.d] = byDepth[r.d] || []).push(r);
      const m = highlight(r.i);
      ctx.fillStyle = m === 1 ? '#e040c0' : tree.color(r.i);
      ctx.fillRect(r.x, r.y, Math.max(r.w - 0.5, 0.5), ROW - 1);
      if (m === 2) {
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 2;
        ctx.strokeRect(r.x + 1, r.y + 1, Math.max(r.w - 2.5, 0.5), ROW - 3);
      }
      const t = fit(tree.label(r.i), r.w);
      if (t) {
        ctx.fillStyle = '#000';
        ctx.fillText(t, r.x + 3, r.y + ROW / 2);
      }
    }
    for (const row of byDepth) if (row) row.sort((a, b) => a.x - b.x);
    return byDepth;
  }
  function hit(byDepth, canvas, ev, down) {
    const b = canvas.getBoundingClientRect();
    const x = ev.clientX - b.left, y = ev.clientY - b.top;
    const H = b.height;
    const d = down ? Math.floor(y / ROW) : Math.floor((H - y) / ROW);
    const row = byDepth[d];
    if (!row) return null;
    for (const r of row) if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + ROW) return r;
    return null;
  }
  function mark(l) {
    if (l < 0) return 0;
    if (match && match[l]) return 1;
    return l === selected ? 2 : 0;
  }

  // ---- Flame graph ----
  const flame = $('flame');
  let flameRects = [], flameRows = [];
  const mainTree = {
    value: (i) => tot[i],
    label: (i) => (i === 0 ? 'all' : S[label[i]]),
    color: (i) => (i === 0 ? '#cdc3af' : base ? diffColor(tot[i], baseTot[i]) : colors[label[i]]),
    kids: kidsOf,
  };
  function icicle() { return $('icicle').checked; }
  function drawFlame() {
    const path = [];
    for (let p = parent[zoom]; p >= 0; p = parent[p]) path.unshift(p);
    const w = viewWidth();
    flameRects = layout(mainTree, zoom, path, w);
    flameRows = paint(flame, mainTree, flameRects, icicle(), (i) => mark(label[i]));
    const crumbs = $('crumbs');
    crumbs.textContent = '';
    for (const p of path.concat([zoom])) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = p === 0 ? 'all' : split(label[p])[0];
      b.title = nameOf(p);
      b.addEventListener('click', () => { zoom = p; drawFlame(); });
      crumbs.appendChild(b);
    }
  }
  flame.addEventListener('mousemove', (ev) => {
    const r = hit(flameRows, flame, ev, icicle());
    if (!r) return hideTip();
    const lines = nodeTip(r.i, tot[r.i], cur[r.i], tot[zoom]);
    if (base) lines.push(`base total: ${amount(baseTot[r.i])} · Δ ${amount(tot[r.i] - baseTot[r.i])}`);
    showTip(ev, lines);
  });
  flame.addEventListener('mouseleave', hideTip);
  flame.addEventListener('click', (ev) => {
    const r = hit(flameRows, flame, ev, icicle());
    if (!r) return;
    zoom = r.i;
    const t = performance.now();
    if (r.i > 0) select(label[r.i]); else drawFlame();
    lastDrawMs = performance.now() - t;
  });
  $('icicle').addEventListener('change', drawFlame);

  // ---- Top functions table ----
  let rows = [];
  let sortKey = 'self', sortDesc = true;
  const columns = [
    ['#', 'rank', false], ['function', 'name', true], ['self', 'self', false], ['self %', 'self', false],
    ['total', 'total', false], ['total %', 'total', false],
  ].concat(base ? [['base self', 'bself', false], ['Δ self', 'dself', false], ['base total', 'btotal', false], ['Δ total', 'dtotal', false]] : [])
    .concat([['location', 'loc', true]]);
  function computeRows() {
    const nL = S.length;
    const sw = new Float64Array(nL), tw = new Float64Array(nL), seen = new Uint8Array(nL);
    const bs = base ? new Float64Array(nL) : null, bt = base ? new Float64Array(nL) : null;
    for (let i = 1; i < N; i++) {
      const l = label[i];
      if (tot[i] > 0 || (base && baseTot[i] > 0)) seen[l] = 1;
      sw[l] += cur[i];
      if (!recursive[i]) tw[l] += tot[i];
      if (base) {
        bs[l] += base[i];
        if (!recursive[i]) bt[l] += baseTot[i];
      }
    }
    rows = [];
    for (let l = 0; l < nL; l++) {
      if (!seen[l] || cats[l] === 'thread / file') continue;
      if (!(tw[l] > 0) && !(base && bt[l] > 0)) continue;
      const [name, loc] = split(l);
      const r = { l, name, loc, self: sw[l], total: tw[l] };
      if (base) Object.assign(r, { bself: bs[l], btotal: bt[l], dself: sw[l] - bs[l], dtotal: tw[l] - bt[l] });
      rows.push(r);
    }
  }
  function drawTable() {
    const head = $('table-head');
    head.textContent = '';
    for (const [title, key, isText] of columns) {
      const th = document.createElement('th');
      th.textContent = title + (key === sortKey && title !== 'self %' && title !== 'total %' ? (sortDesc ? ' ▾' : ' ▴') : '');
      if (isText) th.className = 'text';
      th.addEventListener('click', () => {
        if (key === 'rank') return;
        if (sortKey === key) sortDesc = !sortDesc; else { sortKey = key; sortDesc = !isText; }
        drawTable();
      });
      head.appendChild(th);
    }
    const f = $('filter').value.toLowerCase();
    const shown = rows.filter((r) => !f || S[r.l].toLowerCase().includes(f));
    shown.sort((a, b) => {
      const x = a[sortKey], y = b[sortKey];
      let c = typeof x === 'string' ? (x < y ? -1 : x > y ? 1 : 0) : x - y;
      if (sortDesc) c = -c;
      return c || b.self - a.self || b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
    const body = $('table-body');
    body.textContent = '';
    const total = tot[0];
    const LIMIT = 200;
    shown.slice(0, LIMIT).forEach((r, k) => {
      const tr = document.createElement('tr');
      tr.dataset.label = String(r.l);
      if (r.l === selected) tr.className = 'selected';
      else if (match && match[r.l]) tr.className = 'match';
      const cells = [String(k + 1), r.name, amount(r.self), pct(r.self, total), amount(r.total), pct(r.total, total)];
      if (base) cells.push(amount(r.bself), signed(r.dself), amount(r.btotal), signed(r.dtotal));
      cells.push(r.loc);
      cells.forEach((c, j) => {
        const td = document.createElement('td');
        td.textContent = c;
        const key = columns[j][1];
        if (columns[j][2]) { td.className = 'text'; td.title = c; }
        if (key === 'dself' || key === 'dtotal') td.className = r[key] > 0 ? 'grew' : r[key] < 0 ? 'shrank' : '';
        tr.appendChild(td);
      });
      tr.addEventListener('click', () => select(r.l));
      body.appendChild(tr);
    });
    $('table-note').textContent = `${Math.min(LIMIT, shown.length)} of ${shown.length} functions shown` +
      (f ? ` (filtered from ${rows.length})` : '') + `; total ${amount(total)}` + (win ? ' in the window' : '') + '.';
  }
  function signed(w) { return (w > 0 ? '+' : '') + amount(w); }
  $('filter').addEventListener('input', drawTable);

  // ---- Search ----
  let matchedShare = null;
  function applySearch() {
    const q = $('search').value;
    const out = $('matched');
    match = null;
    matchedShare = null;
    if (q) {
      let re;
      try { re = new RegExp(q); } catch (e) { out.textContent = 'invalid regular expression'; return; }
      match = new Uint8Array(S.length);
      for (let l = 0; l < S.length; l++) match[l] = re.test(S[l]) ? 1 : 0;
      // A stack counts once when any of its frames matches.
      const inMatch = new Uint8Array(N);
      let w = 0;
      for (let i = 1; i < N; i++) {
        inMatch[i] = match[label[i]] || inMatch[parent[i]];
        if (inMatch[i]) w += cur[i];
      }
      matchedShare = tot[0] > 0 ? 100 * w / tot[0] : 0;
      out.textContent = `Matched: ${matchedShare.toFixed(1)} %`;
      out.dataset.weight = String(w);
    } else {
      out.textContent = '';
    }
  }
  $('search').addEventListener('input', () => { applySearch(); drawViews(); });

  // ---- Sandwich ----
  function sandwichTrees(l) {
    const mk = () => ({ lab: [l], val: [0], self: [0], kid: [[]], key: new Map() });
    const callers = mk(), callees = mk();
    const nL = S.length;
    const child = (t, p, lab) => {
      const k = p * nL + lab;
      let c = t.key.get(k);
      if (c === undefined) {
        c = t.lab.length;
        t.lab.push(lab); t.val.push(0); t.self.push(0); t.kid.push([]);
        t.kid[p].push(c);
        t.key.set(k, c);
      }
      return c;
    };
    const stackN = [], stackT = [];
    for (let i = 1; i < N; i++) {
      if (label[i] !== l || recursive[i] || !(tot[i] > 0)) continue;
      const v = tot[i];
      callers.val[0] += v;
      callees.val[0] += v;
      let c = 0;
      for (let p = parent[i]; p > 0; p = parent[p]) {
        c = child(callers, c, label[p]);
        callers.val[c] += v;
      }
      stackN.push(i); stackT.push(0);
      while (stackN.length) {
        const n = stackN.pop(), t = stackT.pop();
        callees.self[t] += cur[n];
        for (const k of kidsOf(n)) {
          if (!(tot[k] > 0)) continue;
          const tk = child(callees, t, label[k]);
          callees.val[tk] += tot[k];
          stackN.push(k); stackT.push(tk);
        }
      }
    }
    const byName = (t) => (a, b) => (S[t.lab[a]] < S[t.lab[b]] ? -1 : S[t.lab[a]] > S[t.lab[b]] ? 1 : 0);
    for (const t of [callers, callees]) for (const k of t.kid) if (k.length > 1) k.sort(byName(t));
    const view = (t) => ({
      value: (i) => t.val[i],
      label: (i) => S[t.lab[i]],
      color: (i) => colors[t.lab[i]],
      kids: (i) => t.kid[i],
      t,
    });
    return { callers: view(callers), callees: view(callees) };
  }
  const viewMs = {};
  let sandwich = null, sandwichFor = -1, sandwichCur = null, callerRows = [], calleeRows = [];
  function drawSandwich() {
    const cv = [$('callers'), $('callees')];
    if (selected < 0) {
      for (const c of cv) setup(c, 1);
      sandwich = null;
      return;
    }
    const [name, loc] = split(selected);
    $('sandwich-what').textContent = `${name}${loc ? ' (' + loc + ')' : ''}: callers above, callees below, merged across all call sites`;
    // Made again only when the function or the window changes (not on a zoom or a search).
    if (!sandwich || sandwichFor !== selected || sandwichCur !== cur) {
      const t = performance.now();
      sandwich = sandwichTrees(selected);
      viewMs.sandwichBuild = Math.round(performance.now() - t);
      sandwichFor = selected;
      sandwichCur = cur;
    }
    const w = viewWidth();
    callerRows = paint(cv[0], sandwich.callers, layout(sandwich.callers, 0, [], w), false, (i) => (i === 0 ? 2 : mark(sandwich.callers.t.lab[i])));
    calleeRows = paint(cv[1], sandwich.callees, layout(sandwich.callees, 0, [], w), true, (i) => (i === 0 ? 2 : mark(sandwich.callees.t.lab[i])));
  }
  [['callers', () => callerRows, false, 'callers'], ['callees', () => calleeRows, true, 'callees']].forEach(([id, rowsOf, down, which]) => {
    const c = $(id);
    c.addEventListener('mousemove', (ev) => {
      if (!sandwich) return;
      const r = hit(rowsOf(), c, ev, down);
      if (!r) return hideTip();
      const t = sandwich[which].t;
      const [name, loc] = split(t.lab[r.i]);
      const lines = [name];
      if (loc) lines.push(loc);
      lines.push(`${which === 'callers' ? 'time in ' + split(selected)[0] + ' through this path' : 'total'}: ${amount(t.val[r.i])} (${pct(t.val[r.i], tot[0])} of all, ${pct(t.val[r.i], t.val[0])} of the selected function)`);
      showTip(ev, lines);
    });
    c.addEventListener('mouseleave', hideTip);
    c.addEventListener('click', (ev) => {
      if (!sandwich) return;
      const r = hit(rowsOf(), c, ev, down);
      if (r && r.i > 0) select(sandwich[which].t.lab[r.i]);
    });
  });

  function select(l) {
    const t = performance.now();
    selected = l;
    drawViews();
    lastDrawMs = performance.now() - t;
  }

  // ---- Overview ----
  const overview = $('overview');
  const BAND = 30, AXIS = 18;
  let drag = null;
  function ticks(v0, v1, width) {
    const raw = (v1 - v0) / Math.max(1, width / 110);
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw) || 10 * p;
    const out = [];
    for (let t = Math.ceil(v0 / step) * step; t <= v1; t += step) out.push(t);
    return { step, out };
  }
  function drawOverview() {
    if (!withRuns.length) { $('overview-section').hidden = true; return; }
    const H = withRuns.length * BAND + AXIS;
    const { ctx, w } = setup(overview, H);
    ctx.clearRect(0, 0, w, H);
    const cols = Math.max(1, Math.floor(w));
    const per = timeEnd / cols;
    withRuns.forEach((s, k) => {
      const busy = new Float64Array(cols);
      for (let r = 0; r < s.n; r++) {
        let a = s.start[r];
        const b = a + s.w[r];
        while (a < b) {
          const c = Math.min(cols - 1, Math.floor(a / per));
          const e = Math.min(b, (c + 1) * per);
          busy[c] += Math.max(0, e - a);
          if (e <= a) break;
          a = e;
        }
      }
      const y0 = k * BAND;
      ctx.fillStyle = k % 2 ? '#f6f6f6' : '#fbfbfb';
      ctx.fillRect(0, y0, w, BAND - 2);
      ctx.fillStyle = '#e8743b';
      for (let c = 0; c < cols; c++) {
        const f = Math.min(1, busy[c] / per);
        if (f > 0) ctx.fillRect(c, y0 + (BAND - 2) * (1 - f), 1, (BAND - 2) * f);
      }
      ctx.fillStyle = '#000';
      ctx.fillText(fit(s.name, w / 2), 4, y0 + 9);
    });
    const { step, out } = ticks(0, timeEnd, w);
    ctx.fillStyle = '#444';
    for (const t of out) {
      const x = (t / timeEnd) * w;
      ctx.fillRect(x, H - AXIS, 1, 4);
      ctx.fillText(fmtTime(t, step), x + 2, H - AXIS + 10);
    }
    const sel = drag ? [Math.min(drag.a, drag.b), Math.max(drag.a, drag.b)] : win ? [win.from, win.to] : null;
    if (sel) {
      ctx.fillStyle = 'rgba(40,90,200,0.18)';
      const x0 = (sel[0] / timeEnd) * w, x1 = (sel[1] / timeEnd) * w;
      ctx.fillRect(x0, 0, Math.max(1, x1 - x0), H - AXIS);
      ctx.fillStyle = 'rgba(40,90,200,0.9)';
      ctx.fillRect(x0, 0, 1, H - AXIS);
      ctx.fillRect(x1, 0, 1, H - AXIS);
    }
  }
  const x2t = (ev) => {
    const b = overview.getBoundingClientRect();
    return Math.max(0, Math.min(timeEnd, ((ev.clientX - b.left) / b.width) * timeEnd));
  };
  overview.addEventListener('mousedown', (ev) => {
    if (!canWindow) return;
    drag = { a: x2t(ev), b: x2t(ev), x: ev.clientX };
    ev.preventDefault();
  });
  window.addEventListener('mousemove', (ev) => {
    if (!drag) return;
    drag.b = x2t(ev);
    drawOverview();
  });
  window.addEventListener('mouseup', (ev) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (Math.abs(ev.clientX - d.x) < 3) setWindow(null);
    else setWindow({ from: Math.round(Math.min(d.a, d.b)), to: Math.round(Math.max(d.a, d.b)) });
  });
  overview.addEventListener('mousemove', (ev) => {
    if (drag) return;
    const b = overview.getBoundingClientRect();
    const k = Math.floor((ev.clientY - b.top) / BAND);
    if (k >= withRuns.length) return hideTip();
    showTip(ev, [withRuns[k].name, `${fmtTime(x2t(ev))} from the start`, canWindow ? 'drag to select a time window' : base ? 'a --diff report has no time window' : 'this profile has no sample times to select by']);
  });
  overview.addEventListener('mouseleave', hideTip);
  $('clear-window').addEventListener('click', () => setWindow(null));

  // Self weights of the samples inside [from, to): each run is a span of
  // contiguous samples with one stack, clipped at the edges exactly as
  // cpuflame --from/--to clips edge samples.
  function setWindow(w) {
    const t0 = performance.now();
    win = w && w.to > w.from ? w : null;
    if (!win) {
      cur = selfAll;
    } else {
      cur = new Float64Array(N);
      for (const s of withRuns) {
        for (let r = 0; r < s.n; r++) {
          const a = Math.max(s.start[r], win.from), b = Math.min(s.start[r] + s.w[r], win.to);
          if (b > a) cur[s.stack[r]] += b - a;
        }
      }
    }
    tot = totals(cur);
    if (!(tot[zoom] > 0)) zoom = 0;
    const el = $('window');
    if (win) {
      el.textContent = `Window: ${fmtTime(win.from, 1)} – ${fmtTime(win.to, 1)} (cpuflame --from ${win.from}us --to ${win.to}us)`;
      el.dataset.from = String(win.from);
      el.dataset.to = String(win.to);
    } else {
      el.textContent = '';
      delete el.dataset.from;
      delete el.dataset.to;
    }
    $('clear-window').hidden = !win;
    computeRows();
    applySearch();
    drawViews();
    lastDrawMs = performance.now() - t0;
  }

  // ---- Flame chart ----
  const chart = $('chart');
  let v0 = 0, v1 = timeEnd;
  let chartRows = [];
  const TRACK_HEAD = 16;
  // Each source's frames per depth as time intervals (node, start, end), made once from
  // the runs: consecutive runs sharing a frame at a depth extend one interval.
  function intervals(s) {
    if (s.iv) return s.iv;
    const iv = [];
    for (let d = 0; d <= s.maxDepth; d++) iv.push({ node: [], t0: [], t1: [] });
    const path = [];
    for (let r = 0; r < s.n; r++) {
      const a = s.start[r], b = a + s.w[r];
      path.length = 0;
      for (let n = s.stack[r]; n > 0; n = parent[n]) path.push(n);
      const D = path.length;
      for (let d = 1; d <= D; d++) {
        const n = path[D - d];
        const v = iv[d];
        const last = v.node.length - 1;
        if (last >= 0 && v.node[last] === n && Math.abs(a - v.t1[last]) <= 1e-9 * Math.max(1, a)) v.t1[last] = b;
        else { v.node.push(n); v.t0.push(a); v.t1.push(b); }
      }
    }
    s.iv = iv.map((v) => ({ node: Int32Array.from(v.node), t0: Float64Array.from(v.t0), t1: Float64Array.from(v.t1) }));
    return s.iv;
  }
  function drawChart() {
    if (!withRuns.length) { $('chart-section').hidden = true; return; }
    const heights = withRuns.map((s) => TRACK_HEAD + s.maxDepth * ROW + 4);
    const H = AXIS + heights.reduce((a, b) => a + b, 0);
    const { ctx, w } = setup(chart, H);
    ctx.clearRect(0, 0, w, H);
    const scale = w / (v1 - v0);
    const { step, out } = ticks(v0, v1, w);
    ctx.fillStyle = '#444';
    for (const t of out) {
      const x = (t - v0) * scale;
      ctx.fillRect(x, AXIS - 4, 1, 4);
      ctx.fillText(fmtTime(t, step), x + 2, 7);
    }
    ctx.fillStyle = '#eee';
    for (const t of out) ctx.fillRect((t - v0) * scale, AXIS, 1, H - AXIS);
    chartRows = [];
    let y0 = AXIS;
    withRuns.forEach((s, k) => {
      ctx.fillStyle = '#f2efe8';
      ctx.fillRect(0, y0, w, TRACK_HEAD - 2);
      ctx.fillStyle = '#000';
      ctx.fillText(fit(s.name, w), 4, y0 + 7);
      const top = y0 + TRACK_HEAD;
      const rowsHere = [];
      const px = 1 / scale;
      const iv = intervals(s);
      // Per depth: the intervals in view, neighbours of one frame closer than a pixel drawn as one.
      for (let d = 1; d < iv.length; d++) {
        const { node, t0, t1 } = iv[d];
        let lo = 0, hi = node.length;
        while (lo < hi) { const m = (lo + hi) >> 1; if (t1[m] < v0) lo = m + 1; else hi = m; }
        let pn = -1, pa = 0, pb = 0;
        const flush = () => {
          if (pn < 0) return;
          const x = (pa - v0) * scale, xe = (pb - v0) * scale;
          const r = { i: pn, x, w: xe - x, y: top + (d - 1) * ROW, d, t0: pa, t1: pb, track: k };
          if (r.w >= 0.35) {
            const m = mark(label[pn]);
            ctx.fillStyle = m === 1 ? '#e040c0' : colors[label[pn]];
            ctx.fillRect(r.x, r.y, Math.max(r.w - 0.5, 0.5), ROW - 1);
            if (m === 2) { ctx.strokeStyle = '#000'; ctx.lineWidth = 2; ctx.strokeRect(r.x + 1, r.y + 1, Math.max(r.w - 2.5, 0.5), ROW - 3); }
            const t = fit(S[label[pn]], r.w);
            if (t) { ctx.fillStyle = '#000'; ctx.fillText(t, r.x + 3, r.y + ROW / 2); }
            (rowsHere[d] = rowsHere[d] || []).push(r);
          }
          pn = -1;
        };
        for (let j = lo; j < node.length && t0[j] <= v1; j++) {
          if (node[j] === pn && t0[j] - pb < px) { pb = t1[j]; continue; }
          flush();
          pn = node[j]; pa = t0[j]; pb = t1[j];
        }
        flush();
      }
      chartRows.push({ top, rows: rowsHere });
      y0 += heights[k];
    });
  }
  function chartHit(ev) {
    const b = chart.getBoundingClientRect();
    const x = ev.clientX - b.left, y = ev.clientY - b.top;
    for (const tr of chartRows) {
      const d = Math.floor((y - tr.top) / ROW) + 1;
      const row = tr.rows[d];
      if (!row || y < tr.top) continue;
      for (const r of row) if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + ROW) return r;
    }
    return null;
  }
  let pan = null;
  chart.addEventListener('mousemove', (ev) => {
    if (pan) {
      const dt = ((ev.clientX - pan.x) / viewWidth()) * (pan.v1 - pan.v0);
      setView(pan.v0 - dt, pan.v1 - dt);
      pan.moved = true;
      return;
    }
    const r = chartHit(ev);
    if (!r) return hideTip();
    const lines = nodeTip(r.i, tot[r.i], cur[r.i], tot[zoom]);
    lines.push(`this span: ${fmtTime(r.t0)} – ${fmtTime(r.t1)} (${fmtTime(r.t1 - r.t0)})`);
    showTip(ev, lines);
  });
  chart.addEventListener('mousedown', (ev) => { pan = { x: ev.clientX, v0, v1, moved: false }; ev.preventDefault(); chart.focus(); });
  window.addEventListener('mouseup', (ev) => {
    if (!pan) return;
    const p = pan;
    pan = null;
    if (!p.moved) {
      const r = chartHit(ev);
      if (r) select(label[r.i]);
    }
  });
  chart.addEventListener('mouseleave', hideTip);
  function setView(a, b) {
    const span = Math.max(b - a, 10);
    if (span >= timeEnd) { a = 0; b = timeEnd; } else {
      if (a < 0) { b -= a; a = 0; }
      if (b > timeEnd) { a -= b - timeEnd; b = timeEnd; }
    }
    v0 = a; v1 = b;
    drawChart();
  }
  function zoomAt(f, at) {
    setView(at - (at - v0) * f, at + (v1 - at) * f);
  }
  chart.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const b = chart.getBoundingClientRect();
    const at = v0 + ((ev.clientX - b.left) / b.width) * (v1 - v0);
    if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
      const dt = ((ev.deltaX || ev.deltaY) / b.width) * (v1 - v0);
      setView(v0 + dt, v1 + dt);
    } else {
      zoomAt(ev.deltaY > 0 ? 1.25 : 0.8, at);
    }
  }, { passive: false });
  chart.addEventListener('keydown', (ev) => {
    const mid = (v0 + v1) / 2, span = v1 - v0;
    if (ev.key === '+' || ev.key === '=') zoomAt(0.8, mid);
    else if (ev.key === '-' || ev.key === '_') zoomAt(1.25, mid);
    else if (ev.key === 'ArrowLeft') setView(v0 - span / 10, v1 - span / 10);
    else if (ev.key === 'ArrowRight') setView(v0 + span / 10, v1 + span / 10);
    else if (ev.key === '0') setView(0, timeEnd);
    else return;
    ev.preventDefault();
  });

  // ---- Everything ----
  // The views a click looks at first (overview, flame graph, table) are drawn at once; the
  // sandwich and the flame chart right after, so a zoom or a selection shows without waiting
  // for them.
  let pending = 0, settledMs = 0, changedAt = 0;
  function timed(name, draw) {
    const t = performance.now();
    draw();
    viewMs[name] = Math.round(performance.now() - t);
  }
  function drawViews() {
    widthCache = 0;
    viewWidth();
    changedAt = performance.now();
    timed('overview', drawOverview);
    timed('flame', drawFlame);
    timed('table', drawTable);
    if (!pending) {
      pending = setTimeout(() => {
        timed('sandwich', drawSandwich);
        timed('chart', drawChart);
        pending = 0;
        settledMs = performance.now() - changedAt;
      }, 0);
    }
  }
  window.addEventListener('resize', drawViews);
  status.textContent = '';
  status.hidden = true;
  if (!isTime) $('window').textContent = 'Sample-count weights: no timeline, no time window.';
  const firstDraw = performance.now();
  computeRows();
  drawViews();
  const firstDrawMs = performance.now() - firstDraw;
  // Milliseconds from the start of navigation to the first view drawn.
  const readyAtMs = performance.now();

  // A small read-only view of the page's state, for tests and the curious.
  window.cpuflameReport = Object.freeze({
    flameFrames: () => flameRects.map((r) => ({ name: nameOf(r.i), x: r.x, y: r.y, w: r.w, depth: r.d, self: cur[r.i], total: tot[r.i] })),
    zoomed: () => nameOf(zoom),
    rows: () => rows.map((r) => ({ name: r.name, loc: r.loc, self: r.self, total: r.total, bself: r.bself, btotal: r.btotal })),
    total: () => tot[0],
    matchedShare: () => matchedShare,
    window: () => win,
    selected: () => (selected < 0 ? null : S[selected]),
    sandwich: () => sandwich && {
      callers: sandwich.callers.t.kid[0].map((i) => S[sandwich.callers.t.lab[i]]),
      callees: sandwich.callees.t.kid[0].map((i) => S[sandwich.callees.t.lab[i]]),
      total: sandwich.callers.t.val[0],
    },
    chartFrames: () => chartRows.flatMap((t) => t.rows.flat().map((r) => ({ name: nameOf(r.i), x: r.x, y: r.y, w: r.w, track: r.track }))),
    chartView: () => ({ from: v0, to: v1, tracks: withRuns.length }),
    timeEnd,
    timings: () => ({ firstDrawMs, lastDrawMs, settledMs, readyAtMs, viewMs: { ...viewMs } }),
    idle: () => !pending,
  });
  document.body.dataset.ready = '1';
})();
