// Hot functions of the test app: each spins for the time it is given, so
// that a 100 µs sampler sees it many times. Each shape V8 names differently.

// A function declaration.
export function sumSquares(ms) {
  const end = Date.now() + ms;
  let s = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 20000; i++) s += Math.sqrt(i * 1.5);
  }
  return s;
}

// An arrow bound to a constant.
export const hashText = (ms) => {
  const end = Date.now() + ms;
  let h = 7;
  while (Date.now() < end) {
    for (let i = 0; i < 20000; i++) h = (h * 31 + i) % 1000003;
  }
  return h;
};

// A class method.
export class Shape {
  constructor(side) {
    this.side = side;
  }

  area(ms) {
    const end = Date.now() + ms;
    let a = 0;
    while (Date.now() < end) {
      for (let i = 0; i < 20000; i++) a += this.side * (i % 7);
    }
    return a;
  }
}
