// The number format of the pages (Python's lossapp.formatting.fmt): fixed decimals for ordinary sizes, Python's
// "g" format for large and tiny ones, 'inf'/'nan' spelled out. Rounded as Python rounds: the exact binary value,
// half to even (JavaScript's toFixed rounds a tie such as 0.03125 away from zero). tests/fmt_cases.json holds
// the cases both sides are tested on.

const TINY = 1e-9;

// The exact decimal digits of |v| (finite): integer part and fraction, trailing zeros dropped. toFixed(100) is
// exact down to 2**-48; a tie of the few digits shown cannot sit further down.
function exactDigits(v) {
  const a = Math.abs(v);
  if (a >= 1e21) return [BigInt(a).toString(), ''];
  const [whole, fraction] = a.toFixed(100).split('.');
  return [whole, fraction.replace(/0+$/, '')];
}

// The first `keep` digits of `digits`, rounded half to even on what follows (one digit longer on a carry).
function roundDigits(digits, keep) {
  if (keep >= digits.length) return digits.padEnd(keep, '0');
  if (keep < 0) return '';
  const head = digits.slice(0, keep);
  const next = Number(digits[keep]);
  const beyond = /[1-9]/.test(digits.slice(keep + 1));
  const last = keep ? Number(head[keep - 1]) : 0;
  if (!(next > 5 || (next === 5 && (beyond || last % 2 === 1)))) return head;
  const out = head.split('');
  let i = out.length - 1;
  while (i >= 0 && out[i] === '9') out[i--] = '0';
  if (i < 0) return '1' + out.join('');
  out[i] = String(Number(out[i]) + 1);
  return out.join('');
}

// Python's f"{v:.{d}f}"
export function fixed(v, d) {
  const [whole, fraction] = exactDigits(v);
  const r = roundDigits(whole + fraction, whole.length + d);
  const cut = r.length - d;
  const head = r.slice(0, cut).replace(/^0+(?=\d)/, '') || '0';
  return (v < 0 ? '-' : '') + head + (d > 0 ? '.' + r.slice(cut) : '');
}

function trimZeros(s) {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

// Python's f"{v:.{p}g}" for a finite, non-zero v
export function general(v, precision) {
  const p = Math.max(precision, 1);  // as Python: a precision of 0 means 1
  const [whole, fraction] = exactDigits(v);
  const digits = whole + fraction;
  const first = digits.search(/[1-9]/);
  const keep = first + p;
  const r = roundDigits(digits, keep);
  const point = whole.length + (r.length - keep);  // a carry past the front moves the point one digit right
  const lead = r.search(/[1-9]/);
  const exp = point - 1 - lead;
  const sig = r.slice(lead, lead + p).padEnd(p, '0');
  const sign = v < 0 ? '-' : '';
  if (exp < -4 || exp >= p) {
    const mantissa = trimZeros(sig[0] + '.' + sig.slice(1));
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const body = exp >= 0 ? sig.slice(0, exp + 1) + '.' + sig.slice(exp + 1) : '0.' + '0'.repeat(-exp - 1) + sig;
  return sign + trimZeros(body);
}

export function fmt(v, digits = 4) {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Math.abs(v) < TINY) return fixed(0, digits);
  if (Math.abs(v) >= 1e5 || Math.abs(v) < 10 ** -digits) return general(v, digits);
  return fixed(v, digits);
}

// How many decimals a slider with this step shows (lossapp.controls.decimals_of)
export function decimals(step) {
  if (step <= 0 || step >= 1) return 0;
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}
