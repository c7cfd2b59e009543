'use strict';

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function sortRecords(records) {
  return records.slice().sort(function (a, b) {
    return a.score - b.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  });
}

function jsonRoundTrip(obj, times) {
  let out = obj;
  for (let i = 0; i < times; i++) out = JSON.parse(JSON.stringify(out));
  return out;
}

module.exports = { fib, sortRecords, jsonRoundTrip };
