/**
 * COPY FROM STDIN and COPY TO STDOUT in PostgreSQL's text and CSV formats.
 *
 *   COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER)
 *     -> CopyInResponse; every CopyData is decoded as it arrives (rows may span messages) and each
 *        field goes through its column type's input function; CopyDone writes all rows in ONE
 *        epoch (a bad row fails the whole COPY, nothing is written) -> COPY n
 *   COPY (SELECT ...) TO STDOUT | COPY t TO STDOUT | COPY (SUBSCRIBE v) TO STDOUT
 *     -> CopyOutResponse, one CopyData per row, CopyDone, COPY n (a subscription never ends)
 *
 * Server files and programs are refused as for a PostgreSQL user without pg_read_server_files.
 */
import { StringDecoder } from 'node:string_decoder';
import type { CopyStatement } from '../../parser/ast.js';
import { parseStatement } from '../../parser/parse.js';
import { SqlError, isSqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { T, TypeId, type SqlType } from '../../runtime/sql/types.js';
import type { Row, Value } from '../../runtime/sql/values.js';
import { formatText, parseText } from '../../runtime/sql/text-io.js';
import type { EvalContext } from '../../runtime/expr/eval-context.js';
import { compileExpr } from '../../runtime/expr/compile.js';
import { prepareBatch } from '../../runtime/batch/executor.js';
import { planBatch } from '../../planner/planner.js';
import { ParamTypes } from '../../planner/bind/coerce.js';
import type { CancelSignal, CopyInReceiver, StatementResult } from './session-api.js';
import type { SessionDeps } from './session.js';
import type { DmlPlanner } from './dml.js';
import type { Planned } from './planned.js';
import { BAD_COPY_FILE_FORMAT, CopyDecoder, copyFormatFromOptions, encodeCopyRow, type CopyFormat } from './copy-codec.js';
import { planSubscription, subscribeTarget } from './subscribe.js';

/** COPY input is decoded in slices of up to this many bytes, or whatever arrived when input pauses. */
const DECODE_SLICE = 256 * 1024;

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function planCopy(s: CopyStatement, deps: SessionDeps, dml: DmlPlanner, evalContext: () => EvalContext, version: number): Planned {
  if (s.endpoint !== 'stdio') {
    const from = s.direction === 'from';
    throw new SqlError(SqlState.InsufficientPrivilege, `must be superuser or have privileges of the ${s.endpoint === 'program' ? 'pg_execute_server_program' : from ? 'pg_read_server_files' : 'pg_write_server_files'} role to COPY ${from ? 'from' : 'to'} a ${s.endpoint === 'program' ? 'program' : 'file'}`, {
      position: s.pos,
      hint: 'Anyone can COPY to stdout or from stdin. psql\'s \\copy command also works for anyone.',
    });
  }
  const fmt = copyFormatFromOptions(s.options);
  return s.direction === 'from' ? planCopyFrom(s, fmt, deps, dml, evalContext, version) : planCopyTo(s, fmt, deps, evalContext, version);
}

// ---------------------------------------------------------------------------------- COPY FROM

function planCopyFrom(s: CopyStatement, fmt: CopyFormat, deps: SessionDeps, dml: DmlPlanner, evalContext: () => EvalContext, version: number): Planned {
  if (s.source.kind !== 'relation') throw new SqlError(SqlState.SyntaxError, 'COPY FROM needs a table or stream', { position: s.pos });
  const engine = deps.engine;
  const obj = dml.targetRelation(s.source.name, 'insert into', s.pos);
  const cols = obj.columns;
  const targets: number[] = [];
  for (const n of s.source.columns ?? cols.map((c) => c.name)) {
    const i = cols.findIndex((c) => c.name === n);
    if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${n}" of relation "${obj.name}" does not exist`, { position: s.pos });
    if (targets.includes(i)) throw new SqlError(SqlState.DuplicateColumn, `column "${n}" specified more than once`, { position: s.pos });
    targets.push(i);
  }
  const name = obj.name;
  return {
    catalogVersion: version,
    columns: null,
    paramTypes: [],
    run: () => {
      const ctx = evalContext();
      // Omitted columns take their DEFAULT (evaluated per row, like INSERT), else NULL.
      const fillers = cols.map((c, i) => {
        if (targets.includes(i) || !c.defaultSql) return null;
        const f = compileExpr(dml.bindDefault(c, new ParamTypes()), { ctx });
        return () => f([]);
      });
      const types = targets.map((i) => cols[i].type);
      const colNames = targets.map((i) => cols[i].name);
      const width = cols.length;
      const rows: Row[] = [];
      const onRecord = (fields: (string | null)[], line: number): void => {
        if (fields.length < targets.length) {
          // A lone empty line is one empty field: PostgreSQL reports the first missing column.
          throw new SqlError(BAD_COPY_FILE_FORMAT, `missing data for column "${colNames[fields.length]}"`, { detail: `COPY ${name}, line ${line}` });
        }
        if (fields.length > targets.length) throw new SqlError(BAD_COPY_FILE_FORMAT, 'extra data after last expected column', { detail: `COPY ${name}, line ${line}` });
        const row = new Array<Value>(width).fill(null);
        for (let j = 0; j < targets.length; j++) {
          const text = fields[j];
          if (text === null) continue;
          try {
            row[targets[j]] = parseText(types[j], text);
          } catch (e) {
            if (!isSqlError(e)) throw e;
            e.detail = `COPY ${name}, line ${line}, column ${colNames[j]}: "${text.length > 60 ? text.slice(0, 60) + '...' : text}"`;
            throw e;
          }
        }
        for (let i = 0; i < width; i++) {
          const f = fillers[i];
          if (f !== null) row[i] = f();
        }
        rows.push(row);
      };
      const decoder = new CopyDecoder(fmt, onRecord);
      const utf8 = new StringDecoder('utf8');
      // psql sends one CopyData per line: decode what arrived together (up to DECODE_SLICE bytes), not per message.
      let slice: Uint8Array[] = [];
      let sliceBytes = 0;
      const decodeSlice = (): void => {
        if (sliceBytes === 0) return;
        const bytes = slice.length === 1 ? slice[0] : Buffer.concat(slice, sliceBytes);
        slice = [];
        sliceBytes = 0;
        decoder.write(utf8.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
      };
      let aborted = false;
      const receiver: CopyInReceiver = {
        data: (chunk) => {
          if (aborted) return;
          // The chunk is a view into a received buffer that is never reused: keeping it is safe.
          slice.push(chunk);
          sliceBytes += chunk.byteLength;
          if (sliceBytes >= DECODE_SLICE) decodeSlice();
        },
        inputIdle: () => {
          if (!aborted) decodeSlice();
        },
        done: async () => {
          decodeSlice();
          decoder.write(utf8.end());
          decoder.end();
          // The tag counts rows written: a stream's late rows are diverted, as for INSERT.
          let n = 0;
          if (rows.length > 0) {
            n = await engine.submit((tx) => {
              const live = engine.catalog.getById(obj.id);
              if (live === undefined) throw new SqlError(SqlState.UndefinedTable, `relation "${name}" does not exist`);
              if (live.kind === 'stream') return engine.appendToStream(tx, live, rows);
              return engine.table(obj.id).insert(rows, { mode: 'error' }, tx.delta(obj.id)).length;
            });
          }
          rows.length = 0;
          return { kind: 'command', tag: `COPY ${n}` };
        },
        abort: () => {
          aborted = true;
          slice = [];
          rows.length = 0;
        },
      };
      return { kind: 'copyIn', columnCount: targets.length, receiver };
    },
  };
}

// ---------------------------------------------------------------------------------- COPY TO

function planCopyTo(s: CopyStatement, fmt: CopyFormat, deps: SessionDeps, evalContext: () => EvalContext, version: number): Planned {
  const engine = deps.engine;
  const src = s.source;
  const headerOf = (names: string[]): string | undefined => (fmt.header ? encodeCopyRow(fmt, names) : undefined);
  if (src.kind === 'subscribe') {
    const planned = planSubscription(engine, deps.binderEnv, subscribeTarget(src.statement), src.statement.pos);
    const types: SqlType[] = [T.int8, T.int4, ...planned.dataColumns.map((c) => c.type)];
    const names = ['eddy_epoch', 'eddy_diff', ...planned.dataColumns.map((c) => c.name)];
    return {
      catalogVersion: version,
      columns: null,
      paramTypes: [],
      run: (_params, cancel: CancelSignal): StatementResult => {
        const feed = planned.start(cancel);
        return { kind: 'copyOut', columnCount: types.length, rows: feed, encode: rowEncoder(fmt, types), header: headerOf(names), onFailure: (abort) => feed.onFailure(abort) };
      },
    };
  }
  let query;
  if (src.kind === 'query') query = src.query;
  else {
    const obj = engine.catalog.get(src.name);
    if (obj === undefined) throw new SqlError(SqlState.UndefinedTable, `relation "${src.name}" does not exist`, { position: s.pos });
    const list = src.columns ? src.columns.map(quoteIdent).join(', ') : '*';
    const stmt = parseStatement(`SELECT ${list} FROM ${quoteIdent(obj.name)}`);
    if (stmt.kind !== 'Query') throw new SqlError(SqlState.InternalError, 'COPY query did not parse');
    query = stmt.query;
  }
  const bound = planBatch(query, deps.binderEnv, []);
  if (bound.params.types.length > 0) throw new SqlError(SqlState.UndefinedParameter, 'there is no parameter $1', { position: s.pos });
  const fields = bound.plan.fields;
  const types = fields.map((f) => (f.type.id === TypeId.Unknown ? T.text : f.type));
  const header = headerOf(fields.map((f) => f.name));
  return {
    catalogVersion: version,
    columns: null,
    paramTypes: [],
    run: (_params, cancel: CancelSignal): StatementResult => {
      const rows = prepareBatch(bound.plan, engine, evalContext(), cancel)();
      return { kind: 'copyOut', columnCount: types.length, rows, encode: rowEncoder(fmt, types), header };
    },
  };
}

function rowEncoder(fmt: CopyFormat, types: readonly SqlType[]): (row: Row) => string {
  const texts = new Array<string | null>(types.length);
  return (row) => {
    for (let i = 0; i < types.length; i++) {
      const v = row[i];
      texts[i] = v === null || v === undefined ? null : formatText(types[i], v);
    }
    return encodeCopyRow(fmt, texts);
  };
}
