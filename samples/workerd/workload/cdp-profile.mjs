// Minimal CDP client: profile a running workerd through its inspector.
// Usage: node cdp-profile.mjs INSPECTOR_PORT HTTP_PORT OUT.cpuprofile [ROUNDS=8] [INTERVAL_US=500]
// Needs the `ws` package: set WS_MODULE=/path/to/node_modules/ws (kept out of samples/).
// ROUTES env: comma-separated worker paths requested each round (default /primes,/render,/pbkdf2).
// Only talks to 127.0.0.1.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const WebSocket = require(process.env.WS_MODULE || "ws");
const [ip, hp, out, rounds = "8", interval = "500"] = process.argv.slice(2);
if (!out) { console.error("usage: node cdp-profile.mjs INSPECTOR_PORT HTTP_PORT OUT [ROUNDS] [INTERVAL_US]"); process.exit(2); }

const targets = await (await fetch(`http://127.0.0.1:${ip}/json`)).json();
console.error("targets:", JSON.stringify(targets.map((t) => ({ id: t.id, title: t.title, url: t.webSocketDebuggerUrl }))));
const target = targets.find((t) => t.webSocketDebuggerUrl);
if (!target) throw new Error("no inspectable target");
const wsUrl = target.webSocketDebuggerUrl.replace(/^ws:\/\/[^/]+/, `ws://127.0.0.1:${ip}`);

const ws = new WebSocket(wsUrl);
await new Promise((res, rej) => { ws.once("open", res); ws.once("error", rej); });
let nextId = 1;
const pending = new Map();
ws.on("message", (data) => {
  const msg = JSON.parse(data.toString());
  if (msg.id && pending.has(msg.id)) {
    const { resolve, reject } = pending.get(msg.id);
    pending.delete(msg.id);
    msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result);
  }
});
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const id = nextId++;
  pending.set(id, { resolve, reject });
  ws.send(JSON.stringify({ id, method, params }));
});

await send("Profiler.enable");
try { await send("Profiler.setSamplingInterval", { interval: Number(interval) }); }
catch (e) { console.error("setSamplingInterval failed (ignored):", e.message); }
await send("Profiler.start");
const t0 = Date.now();
for (let i = 0; i < Number(rounds); i++) {
  for (const path of (process.env.ROUTES || "/primes,/render,/pbkdf2").split(",")) {
    const r = await fetch(`http://127.0.0.1:${hp}${path}`);
    await r.text();
  }
  await new Promise((r) => setTimeout(r, 20)); // small gap between request batches
}
const { profile } = await send("Profiler.stop");
console.error(`profiled ${Date.now() - t0} ms, ${profile.nodes.length} nodes, ${(profile.samples || []).length} samples`);
writeFileSync(out, JSON.stringify(profile));
ws.close();
