// Plotly's JSON arrays and the small numeric helpers of the chart component.
import assert from 'node:assert/strict';
import test from 'node:test';

import {decode, finiteRange, nearest} from '../../lossapp/frontend/arrays.js';
import {framePatch, framesFit, rowOf} from '../../lossapp/frontend/frames.js';
import {markersAsShapes} from '../../lossapp/frontend/shapes.js';

const b64 = (typed) => Buffer.from(typed.buffer).toString('base64');

test('decode reads plain lists and base64 typed arrays of every dtype', () => {
  assert.deepEqual(Array.from(decode([1, 2.5])), [1, 2.5]);
  assert.deepEqual(Array.from(decode({dtype: 'f8', bdata: b64(new Float64Array([0.5, -3]))})), [0.5, -3]);
  assert.deepEqual(Array.from(decode({dtype: 'i2', bdata: b64(new Int16Array([-2, 7]))})), [-2, 7]);
  assert.deepEqual(Array.from(decode({dtype: 'u1', bdata: b64(new Uint8Array([255]))})), [255]);
  assert.equal(decode(null).length, 0);
});

test('nearest finds the closest grid point (ties to the lower one)', () => {
  const xs = [0, 1, 2, 3];
  assert.deepEqual([-5, 0.4, 0.5, 0.6, 2.9, 9].map((m) => nearest(xs, m)), [0, 0, 0, 1, 3, 3]);
});

test('finiteRange pads the finite values, optionally inside an x window', () => {
  assert.deepEqual(finiteRange([[0, 10, NaN, Infinity]], 0.1), [-1, 11]);
  assert.deepEqual(finiteRange([[5, 1, 100]], 0, [[0, 1, 2]], [0, 1]), [1, 5]);
  assert.equal(finiteRange([[NaN]]), null);
});

test('a frame table gives the row of a slider value; fit only within its values', () => {
  const table = {dtype: 'f8', bdata: b64(new Float64Array([1, 2, 3, 4, 5, 6])), shape: '3,2'};
  assert.deepEqual(rowOf(table, 1), [3, 4]);
  const f = {values: [0, 1, 2], traces: {0: {y: table}}, stats: {list: [['a'], ['b'], ['c']]}};
  assert.deepEqual(framePatch(f, 2).traces, {0: {y: [5, 6]}});
  assert.deepEqual(framePatch(f, 0).stats, ['a']);
  const st = {frameIds: ['k'], steps: {k: 1}, values: {k: 2}, server: {k: 1}, frames: {k: f}};
  assert.ok(framesFit(st));
  st.values.k = 4;
  assert.ok(!framesFit(st), 'beyond the table: wait for the server');
});

test('marker traces become layout shapes', () => {
  const data = [{x: [0, 1], y: [0, 1]}, {x: [0.5], y: [0.25], meta: {role: 'marker'}, marker: {size: 10}}];
  const out = markersAsShapes(data, {});
  assert.equal(out.data.length, 1);
  assert.deepEqual([out.layout.shapes[0].type, out.layout.shapes[0].xanchor, out.layout.shapes[0].x1], ['circle', 0.5, 5]);
});
