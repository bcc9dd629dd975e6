/**
 * Fault injection for crash tests: `EDDY_CRASH_POINT=<name>` makes the process kill itself with
 * SIGKILL when it reaches the named point, so a test can crash Eddy at an exact moment (e.g.
 * between a sink's Kafka send and its commit) instead of hoping a random kill lands there.
 */
export function crashPoint(name: string): void {
  if (process.env.EDDY_CRASH_POINT === name) process.kill(process.pid, 'SIGKILL');
}
