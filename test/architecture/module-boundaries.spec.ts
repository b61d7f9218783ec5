import { createProjectGraphAsync } from '@nx/devkit';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/**
 * The architecture is a test (ddd-by-examples' NoSpringInDomainLogicTest): the lint rule that keeps
 * Nest, event store clients and Redis out of domain libraries must fire on a file that breaks it,
 * and must not be silently skipped for want of a project graph.
 */
const root = resolve(__dirname, '../..');

describe('module boundaries', () => {
  beforeAll(async () => {
    process.env['NX_DAEMON'] = 'false';
    await createProjectGraphAsync({ exitOnError: false });
  }, 60_000);

  // ESLint runs as its own process (its flat config is an ES module, which Jest's VM cannot import).
  const lintAs = async (file: string, code: string): Promise<string[]> => {
    const run = spawnSync(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', join(root, file)], {
      cwd: root,
      input: code,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    expect(run.stderr).not.toMatch(/No cached ProjectGraph/);
    const [result] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
    return (result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  };

  it.each([
    ["import { Injectable } from '@nestjs/common';"],
    ["import { EventStoreDBClient } from '@eventstore/db-client';"],
    ["import { Redis } from 'ioredis';"],
    ["import { Queue } from 'bullmq';"],
    ["import Database from 'better-sqlite3';"],
  ])('refuses %s in a domain library', async (line) => {
    const messages = await lintAs('libs/shared/kernel/src/arch-probe.ts', `${line}\nexport const probe = 1;\n`);
    expect(messages.join('\n')).toMatch(/A project tagged with "type:domain" is not allowed to import/);
  });

  it('refuses a platform library in a domain library', async () => {
    const messages = await lintAs('libs/shared/kernel/src/arch-probe.ts', "import { SqliteEventStore } from '@evp/event-store';\nexport const probe = SqliteEventStore;\n");
    expect(messages.join('\n')).toMatch(/tagged with "type:domain" can only depend on libs tagged with "type:domain"/);
  });

  it.each([
    ["import { evolveTenancy } from '@evp/ledger-domain';", 'libs/cases/application/src/arch-probe.ts'],
    ["import { LedgerService } from '@evp/ledger-application';", 'libs/cases/application/src/arch-probe.ts'],
    ["import { accountPosition } from '@evp/ledger-domain';", 'libs/cases/domain/src/arch-probe.ts'],
    ["import { evaluateArrears } from '@evp/cases-domain';", 'libs/ledger/application/src/arch-probe.ts'],
  ])('refuses %s in another context (%s): contexts meet through contracts', async (line, file) => {
    const messages = await lintAs(file, `${line}\nexport const probe = 1;\n`);
    expect(messages.join('\n')).toMatch(/tagged with "scope:(cases|ledger)" can only depend on libs tagged with/);
  });

  it("allows a context to use another context's published contract", async () => {
    const messages = await lintAs('libs/cases/application/src/arch-probe.ts', "import { RENT_ACCOUNTS, TENANCY_STREAM_PREFIX } from '@evp/ledger-contract';\nexport const probe = [RENT_ACCOUNTS, TENANCY_STREAM_PREFIX];\n");
    expect(messages).toEqual([]);
  });

  it('allows a platform library to use the event store and Redis', async () => {
    const messages = await lintAs('libs/platform/runtime/src/arch-probe.ts', "import { SqliteEventStore } from '@evp/event-store';\nimport { Redis } from 'ioredis';\nexport const probe = [SqliteEventStore, Redis];\n");
    expect(messages).toEqual([]);
  });
});
