import { EventTypeMap, SqliteEventStore, type RecordedEvent } from '@evp/event-store';
import { ProjectionGenerations, applyBatch, decodeCursor, type ReadModelDb } from '@evp/read-models';
import { dumpTables, openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb } from '@evp/read-models/testing';
import { ReadModelReader } from '@evp/runtime';
import type { Caller } from '@evp/auth';
import { registerLedgerEventTypes } from './event-classes';
import { ImportsProjection, ListImportsHandler, ListImportsQuery, importCounts } from './imports-projection';
import { importIdOf, importRecord, postingsContentSha256, tenanciesContentSha256, withImportSource } from './import-record';
import type { CommandContext } from './command-context';
import type { PostingLine } from './postings-input';

/** Literal events as they stand in the log. */
let position = 0;
const recorded = (streamName: string, type: string, data: Record<string, unknown>, occurredAt: string): RecordedEvent => ({
  id: `00000000-0000-5000-8000-${String(++position).padStart(12, '0')}`,
  streamName,
  revision: 0,
  position: String(position).padStart(12, '0'),
  type,
  data: data as RecordedEvent['data'],
  metadata: { correlationId: 'c', causationId: null, actor: { id: 'a_accounting', role: 'accounting' }, occurredAt, schemaVersion: 1 },
  recordedAt: occurredAt,
});

const accepted = (importId: string, at: string, overrides: Record<string, unknown> = {}) =>
  recorded(
    `import-${importId}`,
    'ledger.ImportAccepted',
    { importId, kind: 'postings', municipalities: ['5035'], lines: 4, tenancies: 3, eventsWritten: 4, alreadyPosted: 0, noOp: false, fileSha256: 'ab'.repeat(32), ...overrides },
    at,
  );

function history(): RecordedEvent[] {
  position = 0;
  return [
    accepted('0a000000-0000-5000-8000-000000000001', '2026-11-02T08:00:00.000Z', { kind: 'tenancies', lines: 3, eventsWritten: 3 }),
    accepted('0a000000-0000-5000-8000-000000000002', '2026-11-02T09:00:00.000Z'),
    // The platform's import-stream protocol may share the stream: not part of the history.
    recorded('import-0a000000-0000-5000-8000-000000000002', 'platform.ImportCompleted', { importId: 'x' }, '2026-11-02T09:00:00.000Z'),
    accepted('0a000000-0000-5000-8000-000000000003', '2026-11-03T08:00:00.000Z', { municipalities: ['5035', '5037'], eventsWritten: 0, alreadyPosted: 4, noOp: true }),
    accepted('0a000000-0000-5000-8000-000000000004', '2026-11-04T08:00:00.000Z', { municipalities: ['5037'] }),
  ];
}

const accounting: Caller = { actorId: 'a_accounting', roles: ['accounting'], municipalities: ['5035'], navOffice: null, landlordId: null, landlordPersonId: null };
const team: Caller = { ...accounting, roles: ['arrears-team'] };

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('ledger import history on %s', (_engine, open) => {
  const projection = new ImportsProjection(registerLedgerEventTypes(new EventTypeMap()));
  let store: ThrowawayReadModelDb;
  let db: ReadModelDb;

  beforeAll(async () => {
    store = await open({ label: 'imports' });
    db = store.db;
    const generations = new ProjectionGenerations(db);
    const target = await generations.beginWithTables(projection);
    const events = history();
    await applyBatch(db, projection, target, events, (events[events.length - 1] as RecordedEvent).position);
    await generations.switchTo(projection.name, target.generation);
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('a rebuild, event by event, gives identical tables', async () => {
    const generations = new ProjectionGenerations(db);
    const active = (await generations.active(projection.name)) as { tables: Record<string, string> };
    const rebuilt = await generations.beginWithTables(projection);
    for (const e of history()) await applyBatch(db, projection, rebuilt, [e], e.position);
    expect(await dumpTables(db, rebuilt.tables)).toEqual(await dumpTables(db, active.tables));
  });

  it("lists one municipality's imports newest first in keyset pages; an import of two municipalities is in both", async () => {
    const handler = new ListImportsHandler(new ReadModelReader(db));
    const first = await handler.execute(new ListImportsQuery(accounting, '5035', undefined, 2));
    expect(first.items.map((i) => [i.importId.slice(-1), i.kind, i.at, i.lines, i.eventsWritten, i.noOp])).toEqual([
      ['3', 'postings', '2026-11-03T08:00:00.000Z', 4, 0, true],
      ['2', 'postings', '2026-11-02T09:00:00.000Z', 4, 4, false],
    ]);
    expect(first.items[0]?.municipalities).toEqual(['5035', '5037']);
    const second = await handler.execute(new ListImportsQuery(accounting, '5035', decodeCursor(first.nextCursor, 2), 2));
    expect(second.items.map((i) => [i.importId.slice(-1), i.kind])).toEqual([['1', 'tenancies']]);
    expect(second.nextCursor).toBeNull();
  });

  it('shows nothing outside the caller’s municipalities or roles', async () => {
    const handler = new ListImportsHandler(new ReadModelReader(db));
    expect((await handler.execute(new ListImportsQuery(accounting, '5037', undefined, 10))).items).toEqual([]);
    expect((await handler.execute(new ListImportsQuery(team, '5035', undefined, 10))).items).toEqual([]);
  });

  it('counts imports for the metrics', async () => {
    const counts = await importCounts(new ReadModelReader(db));
    expect(counts.sort((a, b) => `${a.municipality}${a.kind}${a.noOp}`.localeCompare(`${b.municipality}${b.kind}${b.noOp}`))).toEqual([
      { municipality: '5035', kind: 'postings', noOp: false, count: 1 },
      { municipality: '5035', kind: 'postings', noOp: true, count: 1 },
      { municipality: '5035', kind: 'tenancies', noOp: false, count: 1 },
      { municipality: '5037', kind: 'postings', noOp: false, count: 1 },
      { municipality: '5037', kind: 'postings', noOp: true, count: 1 },
    ]);
  });
});

describe('what makes an import the same import', () => {
  const line = (n: number, voucherRef: string, amountOre: number): PostingLine => ({
    line: n,
    municipalityNumber: '5035',
    tenancyId: '100234',
    posting: { type: 'charge', voucherRef, date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amountOre } as unknown as PostingLine['posting'],
  });

  it('is the parsed content: line numbers and order do not matter, an amount does', () => {
    const a = postingsContentSha256([line(2, 'F-1', 928200), line(3, 'F-2', 627700)]);
    expect(postingsContentSha256([line(7, 'F-2', 627700), line(9, 'F-1', 928200)])).toBe(a);
    expect(postingsContentSha256([line(2, 'F-1', 928201), line(3, 'F-2', 627700)])).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keys tenants by their opaque person id, never by number or name', () => {
    const tenancy = { line: 2, municipalityNumber: '5035', tenancyId: '100234', address: 'Gate 1', monthlyRentOre: 928200, landlordKind: 'municipal' as const, navOffice: 'nav-stjordal', tenants: [{ nationalId: '15828500012', name: 'Kari' }] };
    const seen: string[] = [];
    const hash = tenanciesContentSha256([tenancy], (id) => {
      seen.push(id);
      return 'p0123';
    });
    expect(hash).toBe(tenanciesContentSha256([{ ...tenancy, tenants: [{ nationalId: '15828500012', name: 'Kari Nordmann' }] }], () => 'p0123'));
    expect(seen).toEqual(['15828500012']);
  });

  it('is who sent it and, when given, the Idempotency-Key; not the time', () => {
    const sha = 'ab'.repeat(32);
    expect(importIdOf('a_1', sha, undefined)).toBe(importIdOf('a_1', sha, undefined));
    expect(importIdOf('a_2', sha, undefined)).not.toBe(importIdOf('a_1', sha, undefined));
    expect(importIdOf('a_1', sha, 'upload-1')).not.toBe(importIdOf('a_1', sha, 'upload-2'));
  });

  it('is recorded once: a re-sent file finds its record in the import stream', async () => {
    const store = new SqliteEventStore({ file: ':memory:' });
    const ctx: CommandContext = { actor: { id: 'a_1', role: 'accounting' }, correlationId: 'c1', now: new Date('2026-11-02T08:00:00Z'), municipalities: ['5035'] };
    const figures = { kind: 'postings' as const, lines: 1, tenancies: 1, eventsWritten: 1, alreadyPosted: 0, noOp: false };
    const content = { sha256: 'ab'.repeat(32), municipalities: ['5035'] };
    const first = await importRecord(store, ctx, content, figures);
    await store.appendToStreams([first.append as NonNullable<typeof first.append>]);
    const again = await importRecord(store, { ...ctx, correlationId: 'c2', now: new Date('2026-12-02T08:00:00Z') }, content, { ...figures, eventsWritten: 0, noOp: true });
    expect(again).toEqual({ importId: first.importId, append: undefined });
    const keyed = await importRecord(store, withImportSource(ctx, { idempotencyKey: 'upload-2' }), content, figures);
    expect(keyed.importId).not.toBe(first.importId);
    const [event] = await store.readStream(`import-${first.importId}`);
    expect(event?.data).toEqual({ importId: first.importId, ...figures, municipalities: ['5035'], fileSha256: 'ab'.repeat(32) });
    await store.close();
  });
});
