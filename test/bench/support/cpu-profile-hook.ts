/**
 * Preloaded into the api or worker process by a benchmark run with BENCH_CPU_PROFILE_DIR (see
 * `profilingEnv`). `--cpu-prof` would profile the whole life of the process, start-up and data
 * loading included, and writes nothing when the process dies by a signal (which is how TestSystem
 * stops it after Nest's shutdown hooks re-raise SIGTERM); this profiles only the window the
 * benchmark asks for: the first SIGWINCH starts V8's sampling profiler, the next writes the profile.
 * SIGWINCH because Nest's `enableShutdownHooks()` shuts the app down on SIGUSR2 (and SIGUSR1 opens
 * the inspector); without this hook loaded its default action is to do nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, dirname, join } from 'node:path';

const dir = process.env['BENCH_CPU_PROFILE_DIR'];
// apps/<role>/src/main.ts
const role = basename(dirname(dirname(process.argv[1] ?? 'unknown/unknown/main.ts')));

// A worker split by WORKER_ROLE runs as two processes: `worker-projections` and `worker-workflows`.
const workerRole = process.env['WORKER_ROLE'];
const name = role === 'worker' && workerRole !== undefined && workerRole !== 'all' ? `${role}-${workerRole}` : role;

if (dir && (role === 'api' || role === 'worker')) {
  writeFileSync(join(dir, `${name}.pid`), String(process.pid));
  let session: Session | undefined;
  process.on('SIGWINCH', () => {
    if (!session) {
      const started = new Session();
      started.connect();
      session = started;
      // 250 µs: finer than the default 1 ms, so short request handlers show up.
      started.post('Profiler.enable', () => started.post('Profiler.setSamplingInterval', { interval: 250 }, () => started.post('Profiler.start')));
      return;
    }
    const stopping = session;
    session = undefined;
    stopping.post('Profiler.stop', (error, result) => {
      if (!error) {
        let label = 'window';
        try {
          label = readFileSync(join(dir, 'label'), 'utf8').trim() || label;
        } catch {
          // no label: keep the default
        }
        writeFileSync(join(dir, `${name}-${label}.cpuprofile`), JSON.stringify(result.profile));
      }
      stopping.disconnect();
    });
  });
}
