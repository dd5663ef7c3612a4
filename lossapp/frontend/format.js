// the number format of the pages (lossapp.views.fmt)
export function fmt(v, digits = 4) {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Math.abs(v) < 1e-9) return (0).toFixed(digits);
  if (Math.abs(v) >= 1e5 || Math.abs(v) < 10 ** -digits) {
    let s = v.toPrecision(digits);
    if (s.includes('e')) {
      let [m, e] = s.split('e');
      if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
      const sign = e[0] === '-' ? '-' : '+';
      e = e.replace(/^[+-]/, '');
      s = m + 'e' + sign + (e.length < 2 ? '0' + e : e);
    }
    return s;
  }
  return v.toFixed(digits);
}

export function decimals(step) {
  if (step <= 0 || step >= 1) return 0;
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}
