// cpuflame sample workload for `deno run --cpu-prof`. TypeScript, ~0.8 s of CPU work.
// Uses Web APIs (TextEncoder, crypto.subtle, URL) and node: compat so ext:/node: frames appear.
import { createHash } from "node:crypto";

interface Item {
  id: number;
  label: string;
  weight: number;
}

function makeItems(n: number): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < n; i++) {
    items.push({ id: i, label: `item-${(i * 7919) % 10007}`, weight: (i * 37) % 101 });
  }
  return items;
}

function rankItems(items: Item[]): Item[] {
  return [...items].sort((a, b) => b.weight - a.weight || a.label.localeCompare(b.label));
}

function encodeAll(items: Item[]): number {
  const enc = new TextEncoder();
  let bytes = 0;
  for (const it of items) bytes += enc.encode(JSON.stringify(it)).length;
  return bytes;
}

function nodeHash(items: Item[]): string {
  const h = createHash("sha1");
  for (const it of items) h.update(it.label);
  return h.digest("hex");
}

class Collatz {
  static longest(limit: number): number {
    let best = 0;
    for (let n = 1; n < limit; n++) {
      let x = n, steps = 0;
      while (x !== 1) { x = x % 2 ? 3 * x + 1 : x / 2; steps++; }
      if (steps > best) best = steps;
    }
    return best;
  }
}

async function digestLoop(rounds: number): Promise<number> {
  const data = new TextEncoder().encode("cpuflame".repeat(4096));
  let total = 0;
  for (let i = 0; i < rounds; i++) {
    const d = await crypto.subtle.digest("SHA-256", data);
    total += new Uint8Array(d)[0];
  }
  return total;
}

function busyFor(ms: number, fn: () => unknown): number {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) { fn(); n++; }
  return n;
}

const items = makeItems(4000);
let total = 0;
total += busyFor(150, () => rankItems(items));
total += busyFor(120, () => encodeAll(items.slice(0, 800)));
total += busyFor(120, () => nodeHash(items));
total += busyFor(150, () => Collatz.longest(20000));
total += await digestLoop(300);
await new Promise((r) => setTimeout(r, 100));
total += busyFor(100, () => new URL(`https://example.com/a/b?x=${Math.random()}`).searchParams.get("x"));
console.log("done", total > 0);
