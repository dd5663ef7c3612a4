// The JavaScript number format equals Python's lossapp.views.fmt on every case of tests/fmt_cases.json (which
// tests/test_fmt_table.py checks against Python), and slider decimals equal lossapp.controls.decimals_of.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import test from 'node:test';

import {decimals, fmt} from '../../lossapp/frontend/format.js';

const table = JSON.parse(readFileSync(new URL('../fmt_cases.json', import.meta.url), 'utf8'));
const number = (v) => ({inf: Infinity, '-inf': -Infinity, nan: NaN}[v] ?? v);

test('fmt prints every case of the shared table as Python does', () => {
  assert.ok(table.cases.length > 500);
  const wrong = table.cases.filter(([v, d, text]) => fmt(number(v), d) !== text)
    .map(([v, d, text]) => `fmt(${v}, ${d}) = ${fmt(number(v), d)}, Python ${text}`);
  assert.deepEqual(wrong, []);
});

test('fmt rounds exact ties to even, as Python does (toFixed would not)', () => {
  assert.equal((0.03125).toFixed(4), '0.0313');
  assert.equal(fmt(0.03125), '0.0312');
  assert.equal(fmt(123450), '1.234e+05');
  assert.equal(fmt(0.5, 0), '0.5');
});

test('decimals of a slider step', () => {
  assert.deepEqual([0.05, 0.1, 1, 2, 0.001, 0.25].map(decimals), [2, 1, 0, 0, 3, 1]);
});
