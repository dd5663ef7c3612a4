// Which traces the fast redraw moves (lossapp/frontend/redraw.js): only scatter data on fixed axes, and a
// full redraw (null) for anything else.
import assert from 'node:assert/strict';
import test from 'node:test';

import {movedTraces} from '../../lossapp/frontend/redraw.js';

const layout = {xaxis: {range: [0, 1]}, yaxis: {range: [0, 1]}};
const a = {type: 'scatter', x: [0, 1], y: [0, 1]};
const b = {type: 'scatter', x: [0, 1], y: [1, 0]};

test('only the traces whose data changed move, when their axes are fixed', () => {
  const shown = {data: [a, b], layout, config: 'c'};
  assert.deepEqual(movedTraces(shown, [a, Object.assign({}, b, {y: [0.5, 0.5]})], layout, 'c'), [1]);
  assert.deepEqual(movedTraces(shown, [a, b], layout, 'c'), []);
});

test('a full redraw for a new layout, another config, another trace type or a free axis', () => {
  const shown = {data: [a], layout, config: 'c'};
  const moved = [Object.assign({}, a, {y: [1, 1]})];
  assert.equal(movedTraces(shown, moved, Object.assign({}, layout, {title: 'new'}), 'c'), null);
  assert.equal(movedTraces(shown, moved, layout, 'other'), null);
  assert.equal(movedTraces(shown, [Object.assign({}, a, {type: 'bar'})], layout, 'c'), null);
  const free = {xaxis: {range: [0, 1]}, yaxis: {autorange: true}};
  assert.equal(movedTraces({data: [a], layout: free, config: 'c'}, moved, free, 'c'), null);
  assert.equal(movedTraces(null, moved, layout, 'c'), null);
});
