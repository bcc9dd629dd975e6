/**
 * Running RisingWave files against real PostgreSQL as a reference: RisingWave-only session
 * statements (FLUSH, SET rw_implicit_flush, streaming knobs) are answered locally and reported
 * as skipped, and materialized views are refreshed (in creation order) before a record runs
 * whenever a statement changed something since the last refresh, so PostgreSQL's MVs behave
 * like always-flushed streaming MVs.
 */
import type pg from 'pg';
import type { TargetShim } from './runner.js';
import type { SltRecord } from './parser.js';

const RW_ONLY_SET = /^\s*set\s+(rw_[a-z_]+|streaming_[a-z_]+|query_mode|visibility_mode|background_ddl|sink_decouple|create_compaction_group_for_mv|enable_two_phase_agg|batch_parallelism)\b/i;
const CREATE_MV = /^\s*create\s+materialized\s+view\s+(?:if\s+not\s+exists\s+)?("?[\w.]+"?)/i;
const DROP_MV = /^\s*drop\s+materialized\s+view\s+(?:if\s+exists\s+)?("?[\w.]+"?)/i;

export class PostgresShim implements TargetShim {
  private readonly views: string[] = [];
  private dirty = false;

  intercept(sql: string): string | undefined {
    const s = stripComments(sql);
    if (/^flush\s*;?\s*$/i.test(s)) return 'RisingWave-only FLUSH (no-op on PostgreSQL)';
    if (RW_ONLY_SET.test(s)) return 'RisingWave-only session variable (no-op on PostgreSQL)';
    return undefined;
  }

  async afterSuccess(sql: string, _client: pg.Client): Promise<void> {
    const s = stripComments(sql);
    const created = CREATE_MV.exec(s);
    if (created) this.views.push(created[1]!.toLowerCase());
    const dropped = DROP_MV.exec(s);
    if (dropped) {
      const i = this.views.indexOf(dropped[1]!.toLowerCase());
      if (i >= 0) this.views.splice(i, 1);
    }
    if (!/^\s*(select|values|show|explain)\b/i.test(s)) this.dirty = true;
  }

  async beforeRecord(_record: SltRecord, client: pg.Client): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    for (const v of this.views) await client.query(`REFRESH MATERIALIZED VIEW ${v}`).catch(() => undefined);
  }
}

function stripComments(sql: string): string {
  return sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
}
