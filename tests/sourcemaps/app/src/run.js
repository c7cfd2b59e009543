import { sumSquares, hashText, Shape } from './work.js';

// Calls each hot function twice, so that minifiers keep them apart, and
// runs an anonymous callback.
export function runAll(ms) {
  let total = sumSquares(ms / 2) + sumSquares(ms / 2);
  total += hashText(ms / 2) + hashText(ms / 2);
  const shape = new Shape(3);
  total += shape.area(ms / 2) + shape.area(ms / 2);
  [ms, ms / 4].forEach(function (budget) {
    const end = Date.now() + budget / 2;
    let x = 0;
    while (Date.now() < end) {
      for (let i = 0; i < 20000; i++) x ^= i * 13;
    }
    total += x;
  });
  return total;
}
