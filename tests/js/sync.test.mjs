// The order of sync messages and replies (lossapp/frontend/sync.js): a reply never overwrites a newer step,
// one message is in flight at a time, and a lost message's values go with the next one.
import assert from 'node:assert/strict';
import test from 'node:test';

import {acknowledge, giveUp, inFlight, newerInBrowser, newSync, nextMessage, touch} from '../../lossapp/frontend/sync.js';

test('a late reply does not overwrite a step made after its message', () => {
  const sync = newSync();
  const values = {rho: 1.1};
  touch(sync, 'rho');
  assert.deepEqual(nextMessage(sync, values), {seq: 1, values: {rho: 1.1}});
  values.rho = 1.5;
  touch(sync, 'rho');  // pressed on while message 1 is in flight
  assert.equal(nextMessage(sync, values), null, 'one message in flight at a time');
  acknowledge(sync, 0);  // a rerun that had started before message 1
  assert.ok(newerInBrowser(sync, 'rho') && inFlight(sync));
  acknowledge(sync, 1);  // the reply to message 1 (rho 1.1): the browser's 1.5 is newer
  assert.ok(newerInBrowser(sync, 'rho'));
  assert.deepEqual(nextMessage(sync, values), {seq: 2, values: {rho: 1.5}});
  acknowledge(sync, 2);
  assert.ok(!newerInBrowser(sync, 'rho'), 'once applied, the server value counts');
  assert.equal(nextMessage(sync, values), null);
});

test('a message carries only the sliders stepped since the last applied one', () => {
  const sync = newSync();
  const values = {t: 9, plen: 8};
  touch(sync, 't');
  assert.deepEqual(nextMessage(sync, values).values, {t: 9}, 'pred_lengths is the server\'s to follow T');
  acknowledge(sync, 1);
  assert.ok(!newerInBrowser(sync, 'plen'));
});

test('a lost message: its values go again with a new number', () => {
  const sync = newSync();
  touch(sync, 'a');
  nextMessage(sync, {a: 1});
  touch(sync, 'b');
  giveUp(sync);
  assert.deepEqual(nextMessage(sync, {a: 1, b: 2}), {seq: 2, values: {a: 1, b: 2}});
});

test('a remounted chart counts on from the number the server has applied', () => {
  const sync = newSync();
  acknowledge(sync, 7);
  touch(sync, 'a');
  assert.equal(nextMessage(sync, {a: 3}).seq, 8);
  acknowledge(sync, 'x');
  acknowledge(sync, -1);
  assert.equal(sync.ack, 7);
});
