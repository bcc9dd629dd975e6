/**
 * to_char(number, format): PostgreSQL's numeric formatting (formatting.c, NUM_* patterns) with
 * the C locale ('.' decimal point, ',' group separator, '-'/'+' signs, ' ' currency symbol).
 *
 *   to_char(-12, '9999')      = '  -12'      to_char(0.5, '9.99')   = '  .50'
 *   to_char(-12, '9999PR')    = '  <12>'     to_char(1, 'FM9.9')    = '1.'
 *   to_char(1234, '9.99EEEE') = ' 1.23e+03'  to_char(1994, 'RN')    = '        MCMXCIV'
 *
 * The processor mirrors PostgreSQL's step by step, including its quirks (an exhausted digit
 * string ends the output, as the C code writes a NUL there).
 */
import { Decimal } from '../../sql/decimal.js';
import { rint } from '../../sql/interval.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { scanQuotedFormatText } from './format-quoted.js';

type Key =
  | 'COMMA' | 'DEC' | '0' | '9' | 'B' | 'C' | 'D' | 'E' | 'FM' | 'G' | 'L' | 'MI' | 'PL' | 'PR'
  | 'RN' | 'rn' | 'SG' | 'SP' | 'S' | 'TH' | 'th' | 'V';

type Node = { kind: 'action'; key: Key } | { kind: 'char'; ch: string };

/** NUM_keywords in PostgreSQL's order (first prefix match wins). */
const KEYWORDS: readonly [string, Key][] = [
  [',', 'COMMA'], ['.', 'DEC'], ['0', '0'], ['9', '9'], ['B', 'B'], ['C', 'C'], ['D', 'D'], ['EEEE', 'E'],
  ['FM', 'FM'], ['G', 'G'], ['L', 'L'], ['MI', 'MI'], ['PL', 'PL'], ['PR', 'PR'], ['RN', 'RN'], ['SG', 'SG'],
  ['SP', 'SP'], ['S', 'S'], ['TH', 'TH'], ['V', 'V'], ['b', 'B'], ['c', 'C'], ['d', 'D'], ['eeee', 'E'],
  ['fm', 'FM'], ['g', 'G'], ['l', 'L'], ['mi', 'MI'], ['pl', 'PL'], ['pr', 'PR'], ['rn', 'rn'], ['sg', 'SG'],
  ['sp', 'SP'], ['s', 'S'], ['th', 'th'], ['v', 'V'],
];

const F = {
  DECIMAL: 1 << 1,
  LDECIMAL: 1 << 2,
  ZERO: 1 << 3,
  BLANK: 1 << 4,
  FILLMODE: 1 << 5,
  LSIGN: 1 << 6,
  BRACKET: 1 << 7,
  MINUS: 1 << 8,
  PLUS: 1 << 9,
  ROMAN: 1 << 10,
  MULTI: 1 << 11,
  PLUS_POST: 1 << 12,
  MINUS_POST: 1 << 13,
  EEEE: 1 << 14,
} as const;

type LSign = 'none' | 'pre' | 'post';

interface NumDesc {
  pre: number;
  post: number;
  lsign: LSign;
  flag: number;
  preLsignNum: number;
  multi: number;
  zeroStart: number;
  zeroEnd: number;
}

function syntaxError(message: string, detail?: string): SqlError {
  return new SqlError(SqlState.SyntaxError, message, { detail });
}

function parseFormat(fmt: string): Node[] {
  const nodes: Node[] = [];
  let i = 0;
  outer: while (i < fmt.length) {
    const code = fmt.charCodeAt(i);
    if (code >= 32 && code < 127) {
      for (const [name, key] of KEYWORDS) {
        if (fmt.startsWith(name, i)) {
          nodes.push({ kind: 'action', key });
          i += name.length;
          continue outer;
        }
      }
    }
    if (fmt[i] === '"') {
      i = scanQuotedFormatText(fmt, i, (ch) => nodes.push({ kind: 'char', ch }));
      continue;
    }
    if (fmt[i] === '\\' && fmt[i + 1] === '"') i++;
    const ch = String.fromCodePoint(fmt.codePointAt(i)!);
    nodes.push({ kind: 'char', ch });
    i += ch.length;
  }
  return nodes;
}

/** NUMDesc_prepare over all nodes. */
function describe(nodes: readonly Node[]): NumDesc {
  const num: NumDesc = { pre: 0, post: 0, lsign: 'none', flag: 0, preLsignNum: 0, multi: 0, zeroStart: 0, zeroEnd: 0 };
  const is = (f: number) => (num.flag & f) !== 0;
  for (const n of nodes) {
    if (n.kind !== 'action') continue;
    if (is(F.EEEE) && n.key !== 'E') throw syntaxError('"EEEE" must be the last pattern used');
    switch (n.key) {
      case '9':
        if (is(F.BRACKET)) throw syntaxError('"9" must be ahead of "PR"');
        if (is(F.MULTI)) {
          num.multi++;
          break;
        }
        if (is(F.DECIMAL)) num.post++;
        else num.pre++;
        break;
      case '0':
        if (is(F.BRACKET)) throw syntaxError('"0" must be ahead of "PR"');
        if (!is(F.ZERO) && !is(F.DECIMAL)) {
          num.flag |= F.ZERO;
          num.zeroStart = num.pre + 1;
        }
        if (!is(F.DECIMAL)) num.pre++;
        else num.post++;
        num.zeroEnd = num.pre + num.post;
        break;
      case 'B':
        if (num.pre === 0 && num.post === 0 && !is(F.ZERO)) num.flag |= F.BLANK;
        break;
      case 'D':
      case 'DEC':
        if (n.key === 'D') num.flag |= F.LDECIMAL;
        if (is(F.DECIMAL)) throw syntaxError('multiple decimal points');
        if (is(F.MULTI)) throw syntaxError('cannot use "V" and decimal point together');
        num.flag |= F.DECIMAL;
        break;
      case 'FM':
        num.flag |= F.FILLMODE;
        break;
      case 'S':
        if (is(F.LSIGN)) throw syntaxError('cannot use "S" twice');
        if (is(F.PLUS) || is(F.MINUS) || is(F.BRACKET)) {
          throw syntaxError('cannot use "S" and "PL"/"MI"/"SG"/"PR" together');
        }
        if (!is(F.DECIMAL)) {
          num.lsign = 'pre';
          num.preLsignNum = num.pre;
          num.flag |= F.LSIGN;
        } else if (num.lsign === 'none') {
          num.lsign = 'post';
          num.flag |= F.LSIGN;
        }
        break;
      case 'MI':
        if (is(F.LSIGN)) throw syntaxError('cannot use "S" and "MI" together');
        num.flag |= F.MINUS;
        if (is(F.DECIMAL)) num.flag |= F.MINUS_POST;
        break;
      case 'PL':
        if (is(F.LSIGN)) throw syntaxError('cannot use "S" and "PL" together');
        num.flag |= F.PLUS;
        if (is(F.DECIMAL)) num.flag |= F.PLUS_POST;
        break;
      case 'SG':
        if (is(F.LSIGN)) throw syntaxError('cannot use "S" and "SG" together');
        num.flag |= F.MINUS | F.PLUS;
        break;
      case 'PR':
        if (is(F.LSIGN) || is(F.PLUS) || is(F.MINUS)) {
          throw syntaxError('cannot use "PR" and "S"/"PL"/"MI"/"SG" together');
        }
        num.flag |= F.BRACKET;
        break;
      case 'RN':
      case 'rn':
        num.flag |= F.ROMAN;
        break;
      case 'V':
        if (is(F.DECIMAL)) throw syntaxError('cannot use "V" and decimal point together');
        num.flag |= F.MULTI;
        break;
      case 'E':
        if (is(F.EEEE)) throw syntaxError('cannot use "EEEE" twice');
        if (is(F.BLANK) || is(F.FILLMODE) || is(F.LSIGN) || is(F.BRACKET) || is(F.MINUS) || is(F.PLUS) ||
          is(F.ROMAN) || is(F.MULTI)) {
          throw syntaxError(
            '"EEEE" is incompatible with other formats',
            '"EEEE" may only be used together with digit and decimal point patterns.',
          );
        }
        num.flag |= F.EEEE;
        break;
      default:
        break;
    }
  }
  return num;
}

// ------------------------------------------------------------------ roman numerals and ordinals

const RM1 = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX'];
const RM10 = ['X', 'XX', 'XXX', 'XL', 'L', 'LX', 'LXX', 'LXXX', 'XC'];
const RM100 = ['C', 'CC', 'CCC', 'CD', 'D', 'DC', 'DCC', 'DCCC', 'CM'];

function intToRoman(n: number): string {
  if (n > 3999 || n < 1) return '#'.repeat(15);
  const s = String(n);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 49; // digit - 1
    const len = s.length - i;
    if (d < 0) continue;
    if (len > 3) out += 'M'.repeat(d + 1);
    else if (len === 3) out += RM100[d];
    else if (len === 2) out += RM10[d];
    else out += RM1[d];
  }
  return out;
}

function ordinalSuffix(num: string, upper: boolean): string {
  const last = num[num.length - 1];
  if (!(last >= '0' && last <= '9')) throw syntaxError(`"${num}" is not a number`);
  let s = 'th';
  if (!(num.length > 1 && num[num.length - 2] === '1')) {
    if (last === '1') s = 'st';
    else if (last === '2') s = 'nd';
    else if (last === '3') s = 'rd';
  }
  return upper ? s.toUpperCase() : s;
}

// ------------------------------------------------------------------ the processor (NUM_processor)

const NUL = '\0';

function process(nodes: readonly Node[], num: NumDesc, number: string, outPreSpaces: number, sign: string): string {
  const is = (f: number) => (num.flag & f) !== 0;
  if (num.zeroStart) num.zeroStart--;
  if (is(F.EEEE)) return number;
  if (is(F.ROMAN)) {
    num.lsign = 'none';
    num.preLsignNum = 0;
    num.post = 0;
    num.pre = 0;
    outPreSpaces = 0;
    sign = '';
    num.flag = (is(F.FILLMODE) ? F.FILLMODE : 0) | F.ROMAN;
  }
  let signWrote: boolean;
  if (is(F.PLUS) || is(F.MINUS)) {
    signWrote = !(is(F.PLUS) && !is(F.MINUS));
  } else {
    if (sign !== '-' && is(F.FILLMODE)) num.flag &= ~F.BRACKET;
    signWrote = sign === '+' && is(F.FILLMODE) && !is(F.LSIGN);
    if (num.lsign === 'pre' && num.pre === num.preLsignNum) num.lsign = 'post';
  }
  let numCount = num.post + num.pre - 1;
  // lastRelevant: index into number of the last relevant decimal digit (FM with a decimal point).
  let lastRelevant = -1;
  if (is(F.FILLMODE) && is(F.DECIMAL)) {
    const dot = number.indexOf('.');
    if (dot >= 0) {
      lastRelevant = dot;
      for (let p = dot + 1; p < number.length; p++) if (number[p] !== '0') lastRelevant = p;
      if (num.zeroEnd > outPreSpaces) {
        const lastZero = Math.min(number.length - 1, num.zeroEnd - outPreSpaces);
        if (lastRelevant < lastZero) lastRelevant = lastZero;
      }
    }
  }
  if (!signWrote && outPreSpaces === 0) numCount++;

  const charAt = (p: number) => (p < number.length ? number[p] : NUL);
  let out = '';
  let numIn = false;
  let numCurr = 0;
  let numberP = 0;
  const isPredecSpace = () => !is(F.ZERO) && numberP === 0 && number[0] === '0' && num.post !== 0;
  const relevantIsDot = () => lastRelevant >= 0 && number[lastRelevant] === '.';

  const numpart = (key: Key): void => {
    if (is(F.ROMAN)) return;
    if (
      !signWrote &&
      (numCurr >= outPreSpaces || (is(F.ZERO) && num.zeroStart === numCurr)) &&
      (!isPredecSpace() || relevantIsDot())
    ) {
      if (is(F.LSIGN)) {
        if (num.lsign === 'pre') {
          out += sign === '-' ? '-' : '+';
          signWrote = true;
        }
      } else if (is(F.BRACKET)) {
        out += sign === '+' ? ' ' : '<';
        signWrote = true;
      } else if (sign === '+') {
        if (!is(F.FILLMODE)) out += ' ';
        signWrote = true;
      } else if (sign === '-') {
        out += '-';
        signWrote = true;
      }
    }
    if (key === '9' || key === '0' || key === 'D' || key === 'DEC') {
      if (numCurr < outPreSpaces && (num.zeroStart > numCurr || !is(F.ZERO))) {
        if (!is(F.FILLMODE)) out += ' ';
      } else if (is(F.ZERO) && numCurr < outPreSpaces && num.zeroStart <= numCurr) {
        out += '0';
        numIn = true;
      } else {
        if (charAt(numberP) === '.') {
          if (!relevantIsDot()) out += '.';
          else if (is(F.FILLMODE) && relevantIsDot()) out += '.';
        } else if (lastRelevant >= 0 && numberP > lastRelevant && key !== '0') {
          // trailing zero dropped by FM
        } else if (isPredecSpace()) {
          if (!is(F.FILLMODE)) out += ' ';
          else if (relevantIsDot()) out += '0';
        } else {
          out += charAt(numberP);
          numIn = true;
        }
        if (numberP < number.length) numberP++;
      }
      let end = numCount + (outPreSpaces ? 1 : 0) + (is(F.DECIMAL) ? 1 : 0);
      if (lastRelevant >= 0 && lastRelevant === numberP) end = numCurr;
      if (numCurr + 1 === end) {
        if (signWrote && is(F.BRACKET)) out += sign === '+' ? ' ' : '>';
        else if (is(F.LSIGN) && num.lsign === 'post') out += sign === '-' ? '-' : '+';
      }
    }
    numCurr++;
  };

  for (const n of nodes) {
    if (n.kind === 'char') {
      out += n.ch;
      continue;
    }
    switch (n.key) {
      case '9':
      case '0':
      case 'DEC':
      case 'D':
        numpart(n.key);
        break;
      case 'COMMA':
      case 'G':
        if (!numIn) {
          if (!is(F.FILLMODE)) out += ' ';
        } else out += ',';
        break;
      case 'L':
        out += ' ';
        break;
      case 'RN':
        out += is(F.FILLMODE) ? number : number.padStart(15);
        break;
      case 'rn':
        out += (is(F.FILLMODE) ? number : number.padStart(15)).toLowerCase();
        break;
      case 'TH':
      case 'th':
        if (is(F.ROMAN) || number[0] === '#' || sign === '-' || is(F.DECIMAL)) break;
        out += ordinalSuffix(number, n.key === 'TH');
        break;
      case 'MI':
        if (sign === '-') out += '-';
        else if (!is(F.FILLMODE)) out += ' ';
        break;
      case 'PL':
        if (sign === '+') out += '+';
        else if (!is(F.FILLMODE)) out += ' ';
        break;
      case 'SG':
        out += sign;
        break;
      default:
        break;
    }
  }
  const nul = out.indexOf(NUL);
  return nul >= 0 ? out.slice(0, nul) : out;
}

// ------------------------------------------------------------------ exact float printing (printf)

/** Exact decimal expansion of a finite double: value = coef / 10^scale. */
function exactDecimal(x: number): { coef: bigint; scale: number } {
  if (x === 0) return { coef: 0n, scale: 0 };
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const neg = hi >>> 31 === 1;
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (exp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = exp - 1075;
  }
  let coef: bigint;
  let scale: number;
  if (e >= 0) {
    coef = mant << BigInt(e);
    scale = 0;
  } else {
    coef = mant * 5n ** BigInt(-e);
    scale = -e;
  }
  return { coef: neg ? -coef : coef, scale };
}

/** Rounds coef/10^scale to `digits` fractional digits, half to even (glibc printf). */
function roundHalfEven(coef: bigint, scale: number, digits: number): bigint {
  if (digits >= scale) return coef * 10n ** BigInt(digits - scale);
  const div = 10n ** BigInt(scale - digits);
  const neg = coef < 0n;
  const a = neg ? -coef : coef;
  let q = a / div;
  const r = a - q * div;
  const twice = r * 2n;
  if (twice > div || (twice === div && q % 2n === 1n)) q++;
  return neg ? -q : q;
}

function digitsToFixed(q: bigint, digits: number, neg: boolean): string {
  let s = (q < 0n ? -q : q).toString();
  if (digits > 0) {
    if (s.length <= digits) s = '0'.repeat(digits - s.length + 1) + s;
    s = s.slice(0, s.length - digits) + '.' + s.slice(s.length - digits);
  }
  return (neg ? '-' : '') + s;
}

/** printf("%.*f", digits, x) for finite x. */
export function printfFixed(x: number, digits: number): string {
  const { coef, scale } = exactDecimal(x);
  const q = roundHalfEven(coef, scale, digits);
  return digitsToFixed(q, digits, x < 0 || Object.is(x, -0));
}

/** printf("%+.*e", digits, x) for finite x. */
export function printfExp(x: number, digits: number): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '+';
  if (x === 0) return `${sign}${digitsToFixed(0n, digits, false)}e+00`;
  const { coef, scale } = exactDecimal(Math.abs(x));
  const nd = coef.toString().length;
  let exp = nd - 1 - scale;
  // significand = coef / 10^(scale + exp), rounded to `digits` fractional digits
  let q = roundHalfEven(coef, scale + exp, digits);
  if (q.toString().length > digits + 1) {
    exp++;
    q = roundHalfEven(coef, scale + exp, digits);
  }
  const e = Math.abs(exp);
  return `${sign}${digitsToFixed(q, digits, false)}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
}

/** numeric_out_sci: significand rounded half away from zero to `scale` digits, 'e%+03d'. */
function numericOutSci(v: Decimal, scale: number): string {
  if (!v.isFinite()) return v.toString();
  let exponent = 0;
  if (!v.isZero()) {
    const c = v.coefficient < 0n ? -v.coefficient : v.coefficient;
    const p = c.toString().length - 1 - v.scale; // decimal exponent of the leading digit
    exponent = p;
  }
  const sig = Decimal.of(v.coefficient, v.scale + exponent).round(scale);
  const sigText = sig.scale < scale ? Decimal.of(sig.coefficient * 10n ** BigInt(scale - sig.scale), scale).toString() : sig.toString();
  const e = Math.abs(exponent);
  return `${sigText}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
}

// ------------------------------------------------------------------ entry points

interface Prepared {
  nodes: Node[];
  num: NumDesc;
}

const cache = new Map<string, Prepared>();

function prepare(fmt: string): Prepared {
  let p = cache.get(fmt);
  if (p === undefined) {
    const nodes = parseFormat(fmt);
    p = { nodes, num: describe(nodes) };
    if (cache.size > 256) cache.clear();
    cache.set(fmt, p);
  }
  return { nodes: p.nodes, num: { ...p.num } };
}

function overflowed(num: NumDesc): string {
  return '#'.repeat(num.pre) + '.' + '#'.repeat(num.post);
}

/** Splits a plain decimal string into sign and digits, computing the left padding. */
function finish(nodes: Node[], num: NumDesc, orgnum: string): string {
  let sign = '+';
  let numstr = orgnum;
  if (numstr.startsWith('-')) {
    sign = '-';
    numstr = numstr.slice(1);
  }
  const dot = numstr.indexOf('.');
  const preLen = dot >= 0 ? dot : numstr.length;
  let outPreSpaces = 0;
  if (preLen < num.pre) outPreSpaces = num.pre - preLen;
  else if (preLen > num.pre) numstr = overflowed(num);
  return process(nodes, num, numstr, outPreSpaces, sign);
}

function eeeeSpecial(num: NumDesc): string {
  const s = '#'.repeat(num.pre + num.post + 6).split('');
  s[0] = ' ';
  s[num.pre + 1] = '.';
  return s.join('');
}

/** to_char(numeric, text); also used for int2/int4/int8 (identical output). */
export function numericToChar(value: Decimal, fmt: string): string {
  if (fmt === '') return '';
  const { nodes, num } = prepare(fmt);
  if (num.flag & F.ROMAN) {
    let r: number;
    try {
      r = value.round(0).toInt4();
    } catch {
      r = 0; // out of range: PostgreSQL errors in numeric_int4; render as overflow
    }
    return process(nodes, num, intToRoman(r), 0, '+');
  }
  if (num.flag & F.EEEE) {
    const orgnum = numericOutSci(value, num.post);
    if (orgnum === 'NaN' || orgnum === 'Infinity' || orgnum === '-Infinity') return process(nodes, num, eeeeSpecial(num), 0, '+');
    return process(nodes, num, orgnum.startsWith('-') ? orgnum : ' ' + orgnum, 0, '+');
  }
  let val = value;
  if (num.flag & F.MULTI) {
    val = val.mul(Decimal.of(10n ** BigInt(num.multi)));
    num.pre += num.multi;
  }
  return finish(nodes, num, val.round(num.post).toString());
}

/** to_char(int4, text): like numeric, but EEEE goes through float8 as in PostgreSQL. */
export function int4ToChar(value: number, fmt: string): string {
  if (fmt === '') return '';
  const { nodes, num } = prepare(fmt);
  if (num.flag & F.EEEE) {
    const s = printfExp(value, num.post);
    return process(nodes, num, s.startsWith('+') ? ' ' + s.slice(1) : s, 0, '+');
  }
  return numericToChar(Decimal.fromInt(value), fmt);
}

/** to_char(float8 | float4, text): DBL_DIG (15) or FLT_DIG (6) significant digits at most. */
export function floatToChar(value: number, fmt: string, maxDigits: 15 | 6): string {
  if (fmt === '') return '';
  const { nodes, num } = prepare(fmt);
  if (num.flag & F.ROMAN) {
    const r = rint(value);
    return process(nodes, num, intToRoman(Number.isFinite(r) && Math.abs(r) < 2 ** 31 ? r : 0), 0, '+');
  }
  if (num.flag & F.EEEE) {
    if (!Number.isFinite(value)) return process(nodes, num, eeeeSpecial(num), 0, '+');
    const s = printfExp(value, num.post);
    return process(nodes, num, s.startsWith('+') ? ' ' + s.slice(1) : s, 0, '+');
  }
  let val = value;
  if (num.flag & F.MULTI) {
    val = value * Math.pow(10, num.multi);
    num.pre += num.multi;
  }
  // PostgreSQL's own snprintf prints NaN / Infinity as words, then lays them out like digits.
  const fixed = (x: number, d: number) =>
    Number.isFinite(x) ? printfFixed(x, d) : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  const preLen = fixed(Math.abs(val), 0).length;
  if (preLen >= maxDigits) num.post = 0;
  else if (preLen + num.post > maxDigits) num.post = maxDigits - preLen;
  return finish(nodes, num, fixed(val, num.post));
}
