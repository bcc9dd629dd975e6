/**
 * Transaction control: BEGIN [WORK | TRANSACTION] [modes], START TRANSACTION [modes],
 * COMMIT / END, ROLLBACK / ABORT [WORK | TRANSACTION] [AND NO CHAIN].
 * Modes (ISOLATION LEVEL ..., READ ONLY | READ WRITE, [NOT] DEFERRABLE) are accepted and ignored.
 */
import { featureNotSupported } from '../../runtime/sql/errors.js';
import type { Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';

/** [mode [[,] mode ...]] */
export function skipTransactionModes(c: Cursor): void {
  let first = true;
  for (;;) {
    if (!first && c.isPunct(',')) c.next();
    first = false;
    if (c.acceptKws('isolation', 'level')) {
      if (c.acceptKw('serializable')) continue;
      if (c.acceptKws('repeatable', 'read')) continue;
      if (c.acceptKws('read', 'committed')) continue;
      if (c.acceptKws('read', 'uncommitted')) continue;
      c.fail();
    }
    if (c.acceptKws('read', 'only') || c.acceptKws('read', 'write')) continue;
    if (c.acceptKw('deferrable') || c.acceptKws('not', 'deferrable')) continue;
    if (c.isPunct(',')) c.fail();
    return;
  }
}

/** BEGIN / START TRANSACTION, after the first word. */
export function parseBegin(c: Cursor, pos: number, start: boolean): Statement {
  if (start) c.expectKw('transaction');
  else if (!c.acceptKw('work')) c.acceptKw('transaction');
  skipTransactionModes(c);
  return { kind: 'Begin', pos };
}

/** COMMIT / END / ROLLBACK / ABORT, after the first word. */
export function parseTransactionEnd(c: Cursor, pos: number, kind: 'Commit' | 'Rollback'): Statement {
  if (kind === 'Rollback' && (c.isKw('to') || (c.isAnyKw(['work', 'transaction']) && c.isKw('to', 1)))) {
    throw featureNotSupported('SAVEPOINT', c.pos());
  }
  if (kind === 'Commit' && c.isKw('prepared')) throw featureNotSupported('two-phase commit', c.pos());
  if (!c.acceptKw('work')) c.acceptKw('transaction');
  if (c.acceptKw('and')) {
    if (!c.acceptKw('no')) throw featureNotSupported('AND CHAIN', c.pos());
    c.expectKw('chain');
  }
  return { kind, pos };
}
