/**
 * Preload for profiling a spawned server: Node 20 refuses `--cpu-prof` in NODE_OPTIONS, but
 * `--import` is allowed, so the benchmark starts the server with
 * `NODE_OPTIONS=--import=<this file>` and `EDDY_BENCH_PROFILE_DIR=<dir>`. The V8 sampling
 * profiler runs from startup; on exit the profile is written as <dir>/eddy-<pid>.cpuprofile
 * (the same format `node --cpu-prof` writes).
 */
import inspector from 'node:inspector';
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.EDDY_BENCH_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // the same-thread inspector session answers synchronously, so this completes before exit
    session.post('Profiler.stop', (err, res) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `eddy-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}
