import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RecordedEvent } from '../port';
import { SqliteEventStore } from './sqlite-event-store';

const workspaceRoot = resolve(__dirname, '../../../../..');

function runAppender(file: string, writer: string, count: number, category: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'fixtures/concurrent-appender.ts'), file, writer, String(count), category], {
      cwd: workspaceRoot,
      env: { ...process.env, SWC_NODE_PROJECT: join(workspaceRoot, 'tsconfig.runtime.json') },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`appender ${writer} exited with ${code}`))));
  });
}

describe('SQLite store shared by several processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evp-sqlite-mp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serialises appends from two processes: no lost update, and a live subscriber sees every event once, in position order', async () => {
    const file = join(dir, 'shared.sqlite');
    const reader = new SqliteEventStore({ file, pollIntervalMs: 10 });
    const subscription = reader.subscribeToAll({ filter: { streamPrefixes: ['mp-'] } });
    const received: RecordedEvent[] = [];
    const consuming = (async () => {
      for await (const event of subscription) {
        received.push(event);
        if (received.length === 4 * 150) break;
      }
    })();

    await Promise.all([runAppender(file, 'a', 150, 'mp'), runAppender(file, 'b', 150, 'mp')]);
    await consuming;

    const shared = await reader.readStream('mp-shared');
    expect(shared).toHaveLength(300);
    expect(shared.map((e) => e.revision)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const all = await reader.readAll({ filter: { streamPrefixes: ['mp-'] } });
    expect(received.map((e) => e.id)).toEqual(all.map((e) => e.id));
    const positions = received.map((e) => Number(e.position));
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    await subscription.stop();
    await reader.close();
  }, 60_000);
});
