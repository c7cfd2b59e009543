// cpuflame capture test: Bun busy in a named function, then exits with code 5.
function bunBusyStrings(n) {
  let s = "";
  for (let i = 0; i < n; i++) s = (s + i.toString(36)).slice(-64);
  return s.length;
}
const end = Date.now() + 600;
let total = 0;
while (Date.now() < end) total += bunBusyStrings(20000);
console.log("bun done", total > 0);
if (process.argv[2] === "serve") {
  setInterval(() => bunBusyStrings(20000), 5);
} else {
  process.exit(5);
}
