import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** A wrong or missing setting stops the process at once with one line that names the variable. */
describe('configuration at start-up (e2e)', () => {
  it.each([
    ['api', { API_PORT: 'eighty' }, 'API_PORT'],
    ['worker', { REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    ['api', { NODE_ENV: 'production', AUTH_DEV_KEY: 'true', AUTH_JWKS_URL: 'https://idp.example/jwks', PERSON_ID_KEY: 'k'.repeat(32) }, 'AUTH_DEV_KEY'],
    ['worker', { EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_CONNECTION_STRING'],
  ])('%s with %p stops, naming %s', (app, env, variable) => {
    const run = spawnSync(process.execPath, ['-r', '@swc-node/register', join(root, `apps/${app}/src/main.ts`)], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'development', SWC_NODE_PROJECT: join(root, 'tsconfig.runtime.json'), ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(78);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
  });
});
