/**
 * SHOW STREAMS | TABLES | MATERIALIZED VIEWS | VIEWS | SINKS | QUERIES  -> Show { what }
 * SHOW name | ALL | TIME ZONE | TRANSACTION ISOLATION LEVEL | SESSION AUTHORIZATION -> Show { variable }
 *
 *   "show time zone" -> Show { variable: 'timezone' }
 */
import type { Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';

type Show = Extract<Statement, { kind: 'Show' }>;
type ShowWhat = NonNullable<Show['what']>;

const LISTS: Record<string, ShowWhat> = {
  streams: 'streams',
  tables: 'tables',
  views: 'views',
  sinks: 'sinks',
  queries: 'queries',
};

/** After SHOW. */
export function parseShow(c: Cursor, pos: number): Show {
  const t = c.tok;
  if (t.kind === 'ident') {
    if (c.isKw('materialized') && c.isKw('views', 1)) {
      c.next();
      c.next();
      return { kind: 'Show', what: 'materialized views', pos };
    }
    const what = LISTS[t.value];
    if (what && (c.isEof(1) || c.isPunct(';', 1))) {
      c.next();
      return { kind: 'Show', what, pos };
    }
    if (c.acceptKws('time', 'zone')) return { kind: 'Show', variable: 'timezone', pos };
    if (c.acceptKws('transaction', 'isolation', 'level')) return { kind: 'Show', variable: 'transaction_isolation', pos };
    if (c.acceptKws('session', 'authorization')) return { kind: 'Show', variable: 'session_authorization', pos };
    if (c.acceptKw('all')) return { kind: 'Show', variable: 'all', pos };
  }
  let name = c.colLabel();
  while (c.isPunct('.') && c.isColLabel(1)) {
    c.next();
    name += `.${c.next().value}`;
  }
  return { kind: 'Show', variable: name.toLowerCase(), pos };
}
