/**
 * DROP STREAM | TABLE | MATERIALIZED VIEW | VIEW | SINK | INDEX [IF EXISTS] a, b [CASCADE | RESTRICT]
 *
 *   "drop materialized view if exists a, b cascade"
 *     -> Drop { objectKind: 'materialized view', names: ['a', 'b'], ifExists: true, cascade: true }
 */
import type { ObjectKind, Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { parseObjectName } from './common.js';

type Drop = Extract<Statement, { kind: 'Drop' }>;

/** After DROP. */
export function parseDrop(c: Cursor, pos: number): Drop {
  let objectKind: ObjectKind;
  if (c.acceptKws('materialized', 'view')) objectKind = 'materialized view';
  else if (c.acceptKw('stream')) objectKind = 'stream';
  else if (c.acceptKw('table')) objectKind = 'table';
  else if (c.acceptKw('view')) objectKind = 'view';
  else if (c.acceptKw('sink')) objectKind = 'sink';
  else if (c.acceptKw('index')) objectKind = 'index';
  else return c.fail();
  const ifExists = c.acceptKws('if', 'exists');
  const names: string[] = [];
  do names.push(parseObjectName(c).name);
  while (c.acceptPunct(','));
  let cascade = false;
  if (c.acceptKw('cascade')) cascade = true;
  else c.acceptKw('restrict');
  return { kind: 'Drop', objectKind, names, ifExists, cascade, pos };
}
