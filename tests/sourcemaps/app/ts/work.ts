// The test app in TypeScript, for tsc: the same shapes as src/work.js.

// A function declaration.
export function sumSquares(ms: number): number {
  const end: number = Date.now() + ms;
  let s = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 20000; i++) s += Math.sqrt(i * 1.5);
  }
  return s;
}

// An arrow bound to a constant.
export const hashText = (ms: number): number => {
  const end: number = Date.now() + ms;
  let h = 7;
  while (Date.now() < end) {
    for (let i = 0; i < 20000; i++) h = (h * 31 + i) % 1000003;
  }
  return h;
};

// A class method.
export class Shape {
  constructor(private readonly side: number) {}

  area(ms: number): number {
    const end: number = Date.now() + ms;
    let a = 0;
    while (Date.now() < end) {
      for (let i = 0; i < 20000; i++) a += this.side * (i % 7);
    }
    return a;
  }
}
