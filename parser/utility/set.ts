/**
 * SET / RESET:
 *   SET [SESSION | LOCAL] name { TO | = } { value [, ...] | DEFAULT }
 *   SET [SESSION | LOCAL] TIME ZONE { 'zone' | LOCAL | DEFAULT }     -> name 'timezone'
 *   SET SESSION CHARACTERISTICS AS TRANSACTION ... / SET TRANSACTION ...  -> NoOp 'SET'
 *   RESET name | ALL | TIME ZONE
 *
 *   "set search_path to public, '$user'" -> Set { name: 'search_path', values: ['public', '$user'] }
 */
import { featureNotSupported } from '../../runtime/sql/errors.js';
import type { Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { parseOptionValue } from '../ddl/common.js';
import { skipTransactionModes } from './transaction.js';

type SetStmt = Extract<Statement, { kind: 'Set' }>;

/** A configuration parameter name: word [. word]*, lower-cased. */
function parseVarName(c: Cursor): string {
  let name = c.colLabel();
  while (c.isPunct('.') && c.isColLabel(1)) {
    c.next();
    name += `.${c.next().value}`;
  }
  return name.toLowerCase();
}

/** After SET. */
export function parseSet(c: Cursor, pos: number): Statement {
  let local = false;
  if (c.isKw('local') && !c.isOp('=', 1) && !c.isKw('to', 1)) {
    c.next();
    local = true;
  } else if (c.isKw('session') && !c.isOp('=', 1) && !c.isKw('to', 1)) {
    if (c.isKw('characteristics', 1)) {
      c.next();
      c.next();
      c.expectKw('as');
      c.expectKw('transaction');
      skipTransactionModes(c);
      return { kind: 'NoOp', tag: 'SET', pos };
    }
    if (c.isKw('authorization', 1)) {
      c.next();
      c.next();
      return setStmt('session_authorization', c.acceptKw('default') ? 'default' : [parseOptionValue(c)], local, pos);
    }
    c.next();
  }
  if (c.isKw('transaction') && !c.isOp('=', 1) && !c.isKw('to', 1)) {
    c.next();
    if (c.isKw('snapshot')) throw featureNotSupported('SET TRANSACTION SNAPSHOT', c.pos());
    skipTransactionModes(c);
    return { kind: 'NoOp', tag: 'SET', pos };
  }
  if (c.isKw('time') && c.isKw('zone', 1)) {
    c.next();
    c.next();
    if (c.acceptKw('local') || c.acceptKw('default')) return setStmt('timezone', 'default', local, pos);
    if (c.acceptKw('interval')) {
      if (c.tok.kind !== 'string') c.fail();
      const v = c.next().value;
      while (c.isColLabel() && !c.isPunct(';')) c.next();
      return setStmt('timezone', [v], local, pos);
    }
    return setStmt('timezone', [parseOptionValue(c)], local, pos);
  }
  if (c.isKw('names') && !c.isOp('=', 1) && !c.isKw('to', 1)) {
    c.next();
    return setStmt('client_encoding', c.acceptKw('default') ? 'default' : [parseOptionValue(c)], local, pos);
  }
  if (c.isKw('schema') && c.peek(1).kind === 'string') {
    c.next();
    return setStmt('search_path', [c.next().value], local, pos);
  }
  if (c.isKw('role') && !c.isOp('=', 1) && !c.isKw('to', 1)) {
    c.next();
    return setStmt('role', c.acceptKw('none') ? ['none'] : [parseOptionValue(c)], local, pos);
  }
  const name = parseVarName(c);
  if (c.isKw('from') && c.isKw('current', 1)) throw featureNotSupported('SET ... FROM CURRENT', c.pos());
  if (!c.acceptKw('to') && !c.acceptOp('=')) c.fail();
  if (c.acceptKw('default')) return setStmt(name, 'default', local, pos);
  const values: string[] = [];
  do values.push(parseOptionValue(c));
  while (c.acceptPunct(','));
  return setStmt(name, values, local, pos);
}

function setStmt(name: string, values: string[] | 'default', local: boolean, pos: number): SetStmt {
  return { kind: 'Set', name, values, local, pos };
}

/** After RESET. */
export function parseReset(c: Cursor, pos: number): Statement {
  if (c.acceptKw('all')) return { kind: 'Reset', name: 'all', pos };
  if (c.acceptKws('time', 'zone')) return { kind: 'Reset', name: 'timezone', pos };
  if (c.acceptKws('session', 'authorization')) return { kind: 'Reset', name: 'session_authorization', pos };
  if (c.acceptKws('transaction', 'isolation', 'level')) return { kind: 'Reset', name: 'transaction_isolation', pos };
  return { kind: 'Reset', name: parseVarName(c), pos };
}
