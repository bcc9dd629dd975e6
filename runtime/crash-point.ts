/**
 * Fault injection for crash tests: `EDDY_CRASH_POINT=<name>` makes the process kill itself with
 * SIGKILL when it reaches the named point (`<name>:<n>`: the n-th time it reaches it), so a test
 * can crash Eddy at an exact moment (between a sink's Kafka send and its commit, after a
 * source's second committed batch) instead of hoping a random kill lands there.
 */
const spec = process.env.EDDY_CRASH_POINT;
const [target, nth] = spec === undefined ? [undefined, 1] : [spec.replace(/:\d+$/, ''), Number(/:(\d+)$/.exec(spec)?.[1] ?? 1)];
let reached = 0;

export function crashPoint(name: string): void {
  if (name !== target) return;
  if (++reached >= nth) process.kill(process.pid, 'SIGKILL');
}
