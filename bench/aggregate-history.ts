/**
 * Per-epoch cost of an aggregate as its groups' history grows:
 * `node dist/bench/aggregate-history.js [--epochs=N] [aggregate ...]` (default: 50 epochs,
 * 'sum(v)' 'max(v)'; standalone, not part of `npm run bench`; about 1 minute, or 5 with
 * --epochs=100, whose cost grows with the square of N).
 *
 * A stream ev (k INT, v BIGINT) feeds `SELECT k, count(*) AS n, <agg> AS x FROM ev GROUP BY k` over
 * 10 keys, in epochs of 10 000 rows (v uniform over 0..1e9, so nearly every value is distinct),
 * engine alone. For each aggregate it prints the process CPU of the epochs at several points of
 * the history (median of the last 5 epochs) and the operator state's approximate size. A flat
 * aggregate (sum) costs the same per epoch late in the run as early; one whose per-epoch cost
 * grows with the history makes the whole run quadratic.
 */
import { Rng } from '../tests/support/rng.js';
import { openInProcess } from './in-process.js';
import { median } from './report.js';

const args = process.argv.slice(2);
const epochsArg = args.find((a) => a.startsWith('--epochs='));
const EPOCHS = epochsArg ? Math.max(2, Number(epochsArg.slice('--epochs='.length)) | 0) : 50;
const ROWS = 10_000;
const KEYS = 10;
const AT = [...new Set([Math.min(10, EPOCHS), Math.floor(EPOCHS / 2), EPOCHS])];

async function run(agg: string): Promise<string> {
  const ip = await openInProcess();
  try {
    await ip.sql('CREATE STREAM ev (k INT, v BIGINT)');
    await ip.sql(`CREATE MATERIALIZED VIEW m AS SELECT k, count(*) AS n, ${agg} AS x FROM ev GROUP BY k`);
    const stream = ip.engine.catalog.get('ev');
    if (!stream) throw new Error('no stream');
    const rng = new Rng(5);
    const cpuMs: number[] = [];
    const parts: string[] = [];
    for (let e = 1; e <= EPOCHS; e++) {
      const rows = Array.from({ length: ROWS }, () => [1 + Math.floor(rng.next() * KEYS), BigInt(Math.floor(rng.next() * 1e9))]);
      const c0 = process.cpuUsage();
      await ip.engine.submit((tx) => ip.engine.appendToStream(tx, stream, rows));
      const c = process.cpuUsage(c0);
      cpuMs.push((c.user + c.system) / 1000);
      if (AT.includes(e)) {
        const bytes = Number((await ip.sql("SELECT sum(state_bytes) FROM eddy_operator_state WHERE materialized_view = 'm'"))[0][0]);
        // median of the last 5 epochs, against noise
        parts.push(`${(e * ROWS).toLocaleString('en-US')} rows: ${median(cpuMs.slice(-5)).toFixed(1)} ms/epoch, state ≈ ${(bytes / 2 ** 20).toFixed(1)} MB`);
      }
    }
    const total = cpuMs.reduce((a, b) => a + b, 0) / 1000;
    return `${agg.padEnd(8)} total ${total.toFixed(1)} s CPU; ${parts.join('; ')}`;
  } finally {
    await ip.close();
  }
}

const aggs = args.filter((a) => !a.startsWith('--'));
for (const agg of (aggs.length > 0 ? aggs : ['sum(v)', 'max(v)'])) process.stdout.write((await run(agg)) + '\n');
