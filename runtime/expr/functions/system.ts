/**
 * System and session information functions. PostgreSQL returns `name` for the user and database
 * functions and regtype for pg_typeof; Eddy has neither type and returns text (same text).
 */
import { typeDisplayName } from '../../sql/cast.js';
import { T, TypeId, sqlType } from '../../sql/types.js';
import { aliases, fn, fnBind, type FunctionDef } from './function-def.js';
import { sleepValue } from '../async-value.js';

export const EDDY_VERSION = 'PostgreSQL 15.0 (Eddy 0.1.0) on x86_64-pc-linux-gnu, compiled by node, 64-bit';

export const SYSTEM_FUNCTIONS: readonly FunctionDef[] = [
  fn('version', [], T.text, () => EDDY_VERSION, { volatility: 'stable' }),
  ...aliases([fn('current_user', [], T.text, (_a, ctx) => ctx.user, { volatility: 'stable' })], [
    'current_user',
    'session_user',
    'user',
    'current_role',
  ]),
  ...aliases([fn('current_database', [], T.text, (_a, ctx) => ctx.database, { volatility: 'stable' })], [
    'current_database',
    'current_catalog',
  ]),
  fn('current_schema', [], T.text, () => 'public', { volatility: 'stable' }),
  // PostgreSQL returns void; the value is an AsyncValue the session awaits without blocking the server.
  fn('pg_sleep', ['float8'], T.text, ([s]) => sleepValue(s as number), { volatility: 'volatile' }),
  // PostgreSQL returns regtype; Eddy has no reg* types and returns the same text as text.
  fnBind('pg_typeof', ['any'], T.text, ([t]) => {
    const name = typeDisplayName(t.id === TypeId.Array || t.id === TypeId.Record ? t : sqlType(t.id));
    return () => name;
  }, { strict: false, volatility: 'stable', keepUnknown: true }),
];
