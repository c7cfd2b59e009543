// cpuflame capture test: Deno busy for a moment, then exits with code 4.
function denoShortWork(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.sqrt(i) % 7;
  return s;
}
const end = Date.now() + 600;
let total = 0;
while (Date.now() < end) total += denoShortWork(100000);
console.log("deno done", total > 0);
Deno.exit(4);
