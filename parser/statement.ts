/**
 * Statement dispatch on the first word(s), shared by parseStatement and EXPLAIN.
 *
 *   "SHOW STREAMS"                 -> Show { what: 'streams' }
 *   "EXPLAIN (ANALYZE) SELECT 1"   -> Explain { analyze: true, statement: Query }
 */
import { featureNotSupported } from '../runtime/sql/errors.js';
import type { Statement } from './ast.js';
import type { Cursor } from './cursor.js';
import { parseCreateTable } from './ddl/create-table.js';
import { parseCreateView } from './ddl/create-view.js';
import { parseDrop } from './ddl/drop.js';
import { parseDelete } from './dml/delete.js';
import { parseInsert } from './dml/insert.js';
import { parseUpdate } from './dml/update.js';
import { parseQuery } from './query/select.js';
import { parseCreateMaterializedView } from './streaming/create-materialized-view.js';
import { parseCreateIndex } from './ddl/create-index.js';
import { parseCreateSink } from './streaming/create-sink.js';
import { parseCreateStream } from './streaming/create-stream.js';
import { parseReset, parseSet } from './utility/set.js';
import { parseShow } from './utility/show.js';
import { parseBegin, parseTransactionEnd } from './utility/transaction.js';
import { parseAlterRole, parseCreateRole, parseDropRole, parseGrant } from './utility/users.js';
import { parseCopy } from './utility/copy.js';
import { parseClose, parseDeclareCursor, parseFetch } from './utility/sql-cursor.js';
import { parseSubscribe } from './streaming/subscribe.js';

/** PostgreSQL commands Eddy does not implement: 0A000 rather than a syntax error. */
const UNSUPPORTED_COMMANDS = new Set([
  'alter', 'call', 'cluster', 'comment', 'do', 'execute', 'grant', 'import',
  'load', 'lock', 'merge', 'prepare', 'reassign', 'refresh', 'reindex', 'release', 'revoke', 'savepoint',
  'security', 'truncate',
]);

const UNSUPPORTED_CREATE = new Set([
  'aggregate', 'cast', 'collation', 'conversion', 'database', 'domain', 'event', 'extension', 'foreign', 'function',
  'global', 'group', 'index', 'language', 'local', 'operator', 'policy', 'procedure', 'publication', 'role', 'rule',
  'schema', 'sequence', 'server', 'statistics', 'subscription', 'tablespace', 'temp', 'temporary', 'text', 'transform',
  'trigger', 'type', 'unique', 'unlogged', 'user',
]);

/** Parses one statement at the cursor (the caller checks what follows). */
export function parseStatementAt(c: Cursor): Statement {
  const t = c.tok;
  const pos = t.start + 1;
  if (t.kind === 'punct' && t.value === '(') return { kind: 'Query', query: parseQuery(c) };
  if (t.kind !== 'ident') return c.fail();
  switch (t.value) {
    case 'select':
    case 'values':
    case 'with':
    case 'table':
      return { kind: 'Query', query: parseQuery(c) };
    case 'insert':
      c.next();
      return parseInsert(c, pos);
    case 'update':
      c.next();
      return parseUpdate(c, pos);
    case 'delete':
      c.next();
      return parseDelete(c, pos);
    case 'create':
      c.next();
      return parseCreate(c, pos);
    case 'drop':
      c.next();
      if (c.isKw('role') || c.isKw('user')) return parseDropRole(c, pos);
      return parseDrop(c, pos);
    case 'alter':
      c.next();
      if (c.isKw('role') || c.isKw('user')) return parseAlterRole(c, pos);
      throw featureNotSupported('ALTER', pos);
    case 'grant':
    case 'revoke':
      c.next();
      return parseGrant(c, pos, t.value === 'revoke');
    case 'show':
      c.next();
      return parseShow(c, pos);
    case 'explain':
      c.next();
      return parseExplain(c, pos);
    case 'flush':
      c.next();
      return { kind: 'Flush', pos };
    case 'subscribe':
      c.next();
      return parseSubscribe(c, pos);
    case 'copy':
      c.next();
      return parseCopy(c, pos);
    case 'set':
      c.next();
      return parseSet(c, pos);
    case 'reset':
      c.next();
      return parseReset(c, pos);
    case 'begin':
      c.next();
      return parseBegin(c, pos, false);
    case 'start':
      c.next();
      return parseBegin(c, pos, true);
    case 'commit':
    case 'end':
      c.next();
      return parseTransactionEnd(c, pos, 'Commit');
    case 'rollback':
    case 'abort':
      c.next();
      return parseTransactionEnd(c, pos, 'Rollback');
    case 'discard':
      c.next();
      return parseDiscard(c, pos);
    case 'declare':
      c.next();
      return parseDeclareCursor(c, pos);
    case 'fetch':
    case 'move':
      c.next();
      return parseFetch(c, pos, t.value === 'move');
    case 'close':
      c.next();
      return parseClose(c, pos);
    case 'deallocate':
      c.next();
      c.acceptKw('prepare');
      if (c.acceptKw('all')) return { kind: 'Deallocate', name: 'all', pos };
      return { kind: 'Deallocate', name: c.colId(), pos };
    case 'listen':
      c.next();
      c.colId();
      return { kind: 'NoOp', tag: 'LISTEN', pos };
    case 'unlisten':
      c.next();
      if (!c.acceptOp('*')) c.colId();
      return { kind: 'NoOp', tag: 'UNLISTEN', pos };
    case 'notify':
      c.next();
      c.colId();
      if (c.acceptPunct(',') && c.next().kind !== 'string') c.fail(c.peek(-1));
      return { kind: 'NoOp', tag: 'NOTIFY', pos };
    case 'analyze':
    case 'analyse':
    case 'vacuum':
    case 'checkpoint':
      c.next();
      skipRest(c);
      return { kind: 'NoOp', tag: t.value === 'analyse' ? 'ANALYZE' : t.value.toUpperCase(), pos };
    default:
      if (UNSUPPORTED_COMMANDS.has(t.value)) throw featureNotSupported(t.value.toUpperCase(), pos);
      return c.fail();
  }
}

function parseCreate(c: Cursor, pos: number): Statement {
  const orReplace = c.acceptKws('or', 'replace');
  if (c.acceptKws('materialized', 'view')) return parseCreateMaterializedView(c, pos, orReplace);
  if (c.acceptKw('view')) return parseCreateView(c, pos, orReplace);
  if ((c.isKw('temp') || c.isKw('temporary')) && c.isKw('view', 1)) {
    c.next();
    c.next();
    return parseCreateView(c, pos, orReplace);
  }
  if (!orReplace) {
    if (c.acceptKw('stream')) return parseCreateStream(c, pos);
    if (c.acceptKw('table')) return parseCreateTable(c, pos);
    if (c.acceptKw('sink')) return parseCreateSink(c, pos);
    if ((c.isKw('role') || c.isKw('user')) && !c.isKw('mapping', 1)) return parseCreateRole(c, pos);
    if (c.acceptKw('index')) return parseCreateIndex(c, pos, false);
    if (c.acceptKws('unique', 'index')) return parseCreateIndex(c, pos, true);
  }
  if (c.tok.kind === 'ident' && UNSUPPORTED_CREATE.has(c.tok.value)) throw featureNotSupported(`CREATE ${c.tok.value.toUpperCase()}`, c.pos());
  return c.fail();
}

/** EXPLAIN [ANALYZE] [VERBOSE] statement | EXPLAIN ( option [value], ... ) statement */
function parseExplain(c: Cursor, pos: number): Statement {
  let analyze = false;
  let verbose = false;
  if (c.isPunct('(') && !c.isAnyKw(['select', 'values', 'with', 'table'], 1) && !c.isPunct('(', 1)) {
    c.next();
    do {
      const name = c.colLabel();
      let on = true;
      if (!c.isPunct(',') && !c.isPunct(')')) {
        const v = c.next();
        if (v.kind === 'ident' && (v.value === 'false' || v.value === 'off')) on = false;
        else if (v.kind === 'integer' && v.value === '0') on = false;
      }
      if (name === 'analyze' || name === 'analyse') analyze = on;
      else if (name === 'verbose') verbose = on;
    } while (c.acceptPunct(','));
    c.expectPunct(')');
  } else {
    if (c.acceptKw('analyze') || c.acceptKw('analyse')) analyze = true;
    if (c.acceptKw('verbose')) verbose = true;
  }
  const statement = parseStatementAt(c);
  return { kind: 'Explain', statement, analyze, verbose, pos };
}

function parseDiscard(c: Cursor, pos: number): Statement {
  const t = c.tok;
  if (t.kind === 'ident') {
    switch (t.value) {
      case 'all':
      case 'plans':
      case 'sequences':
      case 'temp':
        c.next();
        return { kind: 'Discard', what: t.value, pos };
      case 'temporary':
        c.next();
        return { kind: 'Discard', what: 'temp', pos };
      default:
        break;
    }
  }
  return c.fail();
}

/** Consumes the rest of a no-op statement (its arguments do not matter). */
function skipRest(c: Cursor): void {
  while (!c.atStatementEnd()) c.next();
}
