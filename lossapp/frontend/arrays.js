// plotly's JSON arrays: plain lists or base64 typed arrays {dtype, bdata}
const DTYPES = {f8: Float64Array, f4: Float32Array, i4: Int32Array, i2: Int16Array, i1: Int8Array,
                u4: Uint32Array, u2: Uint16Array, u1: Uint8Array};
export function decode(arr) {
  if (arr === undefined || arr === null) return new Float64Array(0);
  if (Array.isArray(arr)) return Float64Array.from(arr);
  if (arr.bdata !== undefined) {
    const bin = atob(arr.bdata);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return Float64Array.from(new (DTYPES[arr.dtype] || Float64Array)(bytes.buffer));
  }
  return Float64Array.from(arr);
}

export function nearest(xs, m) {
  let lo = 0, hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= m) lo = mid; else hi = mid;
  }
  return Math.abs(xs[hi] - m) < Math.abs(xs[lo] - m) ? hi : lo;
}

export function finiteRange(arrays, pad = 0.06, xs = null, window = null) {
  let lo = Infinity, hi = -Infinity;
  arrays.forEach((a, k) => {
    const x = xs && xs[k];
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (x && window && (x[i] < window[0] || x[i] > window[1])) continue;
      if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    }
  });
  if (lo > hi) return null;
  const span = hi > lo ? hi - lo : Math.max(Math.abs(hi), 1.0);
  return [lo - pad * span, hi + pad * span];
}
