/**
 * Array functions (PostgreSQL's array_* family) over one-dimensional arrays.
 * `array` slots take any array type; results use the argument's element type.
 */
import { SqlArray } from '../../sql/array.js';
import { formatText } from '../../sql/text-io.js';
import { valuesEqual } from '../../sql/compare.js';
import { T, TypeId, arrayOf, type SqlType } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';
import { fn, fnBind, type FunctionDef } from './function-def.js';

const A = TypeId.Array;
const elemOf = (ts: readonly SqlType[]) => ts[0].elem ?? T.text;
const sameArray = (ts: readonly SqlType[]) => ts[0];

/** array_to_string(arr, delim [, null_string]): elements through their output function. */
function arrayToString(elem: SqlType) {
  return (args: Value[]): Value => {
    const [a, d, nullText] = args;
    if (a === null || d === null) return null;
    const parts: string[] = [];
    for (const x of (a as SqlArray).items) {
      if (x === null) {
        if (nullText !== undefined && nullText !== null) parts.push(nullText as string);
      } else parts.push(formatText(elem, x));
    }
    return parts.join(d as string);
  };
}

function dimOne(f: (a: SqlArray) => Value) {
  return ([a, d]: Value[]): Value => ((d as number) !== 1 || (a as SqlArray).length === 0 ? null : f(a as SqlArray));
}

export const ARRAY_FUNCTIONS: readonly FunctionDef[] = [
  fnBind('array_to_string', [A, TypeId.Text], T.text, (ts) => arrayToString(elemOf(ts))),
  fnBind('array_to_string', [A, TypeId.Text, TypeId.Text], T.text, (ts) => arrayToString(elemOf(ts)), { strict: false }),
  fn('array_length', [A, TypeId.Int4], T.int4, dimOne((a) => a.length)),
  fn('array_upper', [A, TypeId.Int4], T.int4, dimOne((a) => a.lower + a.length - 1)),
  fn('array_lower', [A, TypeId.Int4], T.int4, dimOne((a) => a.lower)),
  fn('array_ndims', [A], T.int4, ([a]) => ((a as SqlArray).length === 0 ? null : 1)),
  fn('cardinality', [A], T.int4, ([a]) => (a as SqlArray).length),
  fn('array_dims', [A], T.text, ([a]) => {
    const arr = a as SqlArray;
    return arr.length === 0 ? null : `[${arr.lower}:${arr.lower + arr.length - 1}]`;
  }),
  fn('array_cat', [A, A], sameArray, ([a, b]) => {
    if (a === null) return b;
    if (b === null) return a;
    return new SqlArray([...(a as SqlArray).items, ...(b as SqlArray).items], (a as SqlArray).lower);
  }, { strict: false }),
  fn('array_append', [A, 'anyelement'], sameArray, ([a, x]) => new SqlArray([...(a === null ? [] : (a as SqlArray).items), x]), { strict: false }),
  fn('array_prepend', ['anyelement', A], (ts) => ts[1], ([x, a]) => new SqlArray([x, ...(a === null ? [] : (a as SqlArray).items)]), { strict: false }),
  fnBind('array_position', [A, 'anyelement'], T.int4, (ts) => {
    const id = elemOf(ts).id;
    return ([a, x]) => {
      if (a === null) return null;
      const arr = a as SqlArray;
      const i = arr.items.findIndex((v) => (x === null ? v === null : v !== null && valuesEqual(id, v, x)));
      return i < 0 ? null : arr.lower + i;
    };
  }, { strict: false }),
  fnBind('array_remove', [A, 'anyelement'], sameArray, (ts) => {
    const id = elemOf(ts).id;
    return ([a, x]) => {
      if (a === null) return null;
      return new SqlArray((a as SqlArray).items.filter((v) => !(x === null ? v === null : v !== null && valuesEqual(id, v, x))));
    };
  }, { strict: false }),
  fn('string_to_array', [TypeId.Text, TypeId.Text], arrayOf(T.text), ([s, d]) => stringToArray(s, d, null), { strict: false }),
  // The third argument: fields equal to it become NULL.
  fn('string_to_array', [TypeId.Text, TypeId.Text, TypeId.Text], arrayOf(T.text), ([s, d, n]) => stringToArray(s, d, n as string | null), { strict: false }),
];

function stringToArray(s: Value, d: Value, nullString: string | null): Value {
  if (s === null) return null;
  const text = s as string;
  if (text === '') return new SqlArray([]);
  const parts = d === null ? [...text] : d === '' ? [text] : text.split(d as string);
  return new SqlArray(nullString === null ? parts : parts.map((p) => (p === nullString ? null : p)));
}
