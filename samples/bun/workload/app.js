// cpuflame sample workload for `bun --cpu-prof`: two CPU bursts separated by a 200 ms idle gap.
// JavaScriptCore takes no samples while idle, so the profile shows one long timeDelta (~200 ms).
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function buildIndex(words) {
  const index = new Map();
  for (const w of words) {
    const key = w.slice(0, 2);
    let list = index.get(key);
    if (!list) index.set(key, (list = []));
    list.push(w);
  }
  return index;
}

function makeWords(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(((i * 2654435761) >>> 0).toString(36));
  return out;
}

function sortWords(words) {
  return words.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const burst = {
  first(ms) {
    const end = performance.now() + ms;
    let n = 0;
    while (performance.now() < end) n += fib(20);
    return n;
  },
  second(ms) {
    const end = performance.now() + ms;
    const words = makeWords(5000);
    let n = 0;
    while (performance.now() < end) n += buildIndex(sortWords(words)).size;
    return n;
  },
};

const a = burst.first(300);
await new Promise((resolve) => setTimeout(resolve, 200)); // idle gap
const b = burst.second(300);
console.log("done", a > 0, b > 0);
