/**
 * float4/float8 text output as PostgreSQL 12+ with extra_float_digits = 1: the shortest digits
 * that round-trip, in fixed notation for decimal exponents in [-4, 15) (float8) or [-4, 6)
 * (float4), else 'd.ddde+XX' with at least two exponent digits.
 *
 *   formatFloat8(1e20) -> '1e+20'     formatFloat8(1e-5) -> '1e-05'     formatFloat4(1e6) -> '1e+06'
 */
/**
 * float8out / float4out with extra_float_digits = 1: shortest round-trip digits, fixed notation
 * for decimal exponents in [-4, 15) (float8) or [-4, 6) (float4), else 'd.ddde+XX'.
 */
function formatShortest(digits: string, exp: number, neg: boolean, maxFixedExp: number): string {
  let s: string;
  if (exp >= -4 && exp < maxFixedExp) {
    if (exp < 0) {
      s = '0.' + '0'.repeat(-exp - 1) + digits;
    } else if (digits.length <= exp + 1) {
      s = digits + '0'.repeat(exp + 1 - digits.length);
    } else {
      s = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
    }
  } else {
    const e = Math.abs(exp);
    s =
      digits[0] +
      (digits.length > 1 ? '.' + digits.slice(1) : '') +
      (exp < 0 ? 'e-' : 'e+') +
      (e < 10 ? '0' + e : String(e));
  }
  return neg ? '-' + s : s;
}

function splitExponential(str: string): { digits: string; exp: number } {
  // str like "1.2345e+20" or "5e-7"
  const e = str.indexOf('e');
  const mant = str.slice(0, e);
  const exp = Number(str.slice(e + 1));
  return { digits: mant.replace('.', ''), exp };
}

export function formatFloat8(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const neg = v < 0;
  const a = neg ? -v : v;
  // Fast path: integers below 1e15 print as themselves.
  if (Number.isInteger(a) && a < 1e15) return (neg ? '-' : '') + String(a);
  const { digits, exp } = splitExponential(a.toExponential());
  return formatShortest(digits, exp, neg, 15);
}

export function formatFloat4(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const f = Math.fround(v);
  const neg = f < 0;
  const a = neg ? -f : f;
  let str = '';
  for (let p = 1; p <= 9; p++) {
    str = a.toExponential(p - 1);
    if (Math.fround(Number(str)) === a) break;
  }
  const { digits, exp } = splitExponential(str);
  return formatShortest(digits.replace(/0+$/, '') || '0', exp, neg, 6);
}
