// What the browser and the server each know of the sliders' values. Each slider step is stamped with the
// number of the sync message that will carry it; one message is in flight at a time, and the server answers
// with the number of the last message it applied (data.ack). A value the server sends is taken over only for
// a slider with no step the server has not applied yet, so a late reply never overwrites a newer press; and
// each message is sent once the server has applied the previous one, so the server decides what follows what
// (pred_lengths following T) from its own latest values, never from ones the browser had not heard of yet.
// Plain functions over a plain object: tests/js/sync.test.mjs runs them.

export function newSync() {
  return {seq: 0, ack: 0, inflight: 0, touched: {}};
}

// A step of slider `id`: it goes with the next message.
export function touch(sync, id) {
  sync.touched[id] = sync.seq + 1;
}

// A reply from the server that has applied message `ack` (and every one before).
export function acknowledge(sync, ack) {
  if (Number.isSafeInteger(ack) && ack > sync.ack) sync.ack = ack;
  if (sync.seq < sync.ack) sync.seq = sync.ack;  // a remounted chart: the server has heard more than it
  if (sync.inflight <= sync.ack) sync.inflight = 0;
  for (const [id, stamp] of Object.entries(sync.touched)) if (stamp <= sync.ack) delete sync.touched[id];
}

// Whether the browser holds a value of slider `id` the server has not applied yet.
export function newerInBrowser(sync, id) {
  return sync.touched[id] !== undefined && sync.touched[id] > sync.ack;
}

export function inFlight(sync) {
  return sync.inflight > sync.ack;
}

// The next message ({seq, values}: the sliders stepped since the last applied one), or null when there is
// nothing to send or a message is still in flight.
export function nextMessage(sync, values) {
  if (inFlight(sync)) return null;
  const ids = Object.keys(sync.touched).filter((id) => newerInBrowser(sync, id) && id in values);
  if (!ids.length) return null;
  sync.seq += 1;
  sync.inflight = sync.seq;
  for (const id of ids) sync.touched[id] = sync.seq;
  return {seq: sync.seq, values: Object.fromEntries(ids.map((id) => [id, values[id]]))};
}

// A message the server never answered (a rerun that dropped it): the next one carries its values again.
export function giveUp(sync) {
  if (inFlight(sync)) sync.inflight = 0;
}
