'use strict';
// Parsing helpers. Function names containing ';', '<', '>', '&', '"' and non-ASCII characters
// exercise escaping in folded / SVG / HTML output.
//
// NOTE (V8 quirk, observed on Node 20): the profiler reports the *parse-time* name of a function.
// String-literal keys ("parse;fast"() {}) therefore show up verbatim, but runtime-computed keys
// (['parse;computed']() {}) do not: V8 reports the inferred name of the enclosing binding
// ("parsers") or "" instead. Both variants are called so the profile shows both behaviours.

const parsers = {
  // Literal method name containing a semicolon (the folded-stack separator).
  'parse;fast'(text) {
    return text.split('\n').map((line) => line.split(',').map(Number));
  },
  // Computed key: appears as "parsers" in the profile, not "parse;computed".
  ['parse;computed'](text) {
    let n = 0;
    for (const line of text.split('\n')) n += line.length;
    return n;
  },
  // Quote, ampersand and non-ASCII characters.
  'λ "quoted" & ünïcode'(text) {
    let h = 0;
    for (let i = 0; i < text.length; i++) h = (h * 33 + text.charCodeAt(i)) | 0;
    return h;
  },
};

class Tokenizer {
  // Static method whose name contains XML special characters.
  static '<init>&co'(n) {
    const parts = [];
    for (let i = 0; i < n; i++) parts.push(`k${i}=v${(i * 7919) % 1000}`);
    return parts.join(';');
  }

  // Computed static key: appears as "" (anonymous) in the profile.
  static ['<computed>&co'](n) {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(97 + (i % 26));
    return s;
  }

  static tokenize(src) {
    return src.split(';').map((kv) => {
      const [k, v] = kv.split('=');
      return { k, v: Number(v) };
    });
  }
}

function makeCsv(rows, cols) {
  const lines = [];
  for (let r = 0; r < rows; r++) {
    const cells = [];
    for (let c = 0; c < cols; c++) cells.push((r * 31 + c * 17) % 997);
    lines.push(cells.join(','));
  }
  return lines.join('\n');
}

function parseCsv(text) {
  return parsers['parse;fast'](text);
}

function scanCsv(text) {
  return parsers['parse;computed'](text) + parsers['λ "quoted" & ünïcode'](text);
}

module.exports = { parseCsv, scanCsv, makeCsv, Tokenizer };
