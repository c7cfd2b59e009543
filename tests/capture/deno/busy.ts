// cpuflame capture test: Deno busy in a named function until killed.
function denoBusyFibonacci(n: number): number {
  return n < 2 ? n : denoBusyFibonacci(n - 1) + denoBusyFibonacci(n - 2);
}
console.log("deno ready");
setInterval(() => denoBusyFibonacci(22), 1);
