// cpuflame sample worker: /primes (pure JS), /render (string building), /pbkdf2 (WebCrypto, like workerd#1754's repro).
import { Buffer } from "node:buffer";

const encoder = new TextEncoder();

function countPrimes(limit) {
  let count = 0;
  outer: for (let n = 2; n < limit; n++) {
    for (let d = 2; d * d <= n; d++) if (n % d === 0) continue outer;
    count++;
  }
  return count;
}

function renderRows(n) {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push(`<li data-i="${i}">${(i * 2654435761 >>> 0).toString(16)}</li>`);
  return `<ul>${rows.join("")}</ul>`;
}

async function pbkdf2Derive(password, iterations) {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return Buffer.from(bits).toString("base64");
}

const routes = {
  "/primes": () => String(countPrimes(60000)),
  "/render": () => String(renderRows(20000).length),
  "/pbkdf2": () => pbkdf2Derive("hello!", 50000),
};

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    const handler = routes[pathname];
    if (!handler) return new Response("not found", { status: 404 });
    return new Response(await handler());
  },
};
