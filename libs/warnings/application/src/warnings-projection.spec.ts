import { EventTypeMap, type RecordedEvent } from '@evp/event-store';
import { ProjectionGenerations, applyBatch, decodeCursor, type ReadModelDb } from '@evp/read-models';
import { dumpTables, openThrowawayPostgres, openThrowawaySqlite, type ThrowawayReadModelDb } from '@evp/read-models/testing';
import { ReadModelReader } from '@evp/runtime';
import type { Caller } from '@evp/auth';
import { registerWarningEventTypes } from './event-classes';
import { WarningsProjection, foldWarningView, type WarningTables } from './warnings-projection';
import { ListWarningsHandler, ListWarningsQuery } from './warnings-queries';

/** Literal events as they stand in the log. */
let position = 0;
const recorded = (warningId: string, revision: number, type: string, data: Record<string, unknown>, occurredAt: string, role = 'landlord'): RecordedEvent => ({
  id: `00000000-0000-5000-8000-${String(++position).padStart(12, '0')}`,
  streamName: `warning-${warningId}`,
  revision,
  position: String(position).padStart(12, '0'),
  type,
  data: data as RecordedEvent['data'],
  metadata: { correlationId: 'c', causationId: null, actor: { id: 'a_x', role }, occurredAt, schemaVersion: 1 },
  recordedAt: occurredAt,
});

const W1 = '11111111-1111-5111-8111-111111111111';
const W2 = '22222222-2222-5222-8222-222222222222';
const W3 = '33333333-3333-5333-8333-333333333333';

const submitted = (warningId: string, landlordId: string, submittedOn: string, ground = 'unpaid-rent') => ({
  warningId,
  landlordId,
  landlord: { kind: 'company', name: 'Utleie AS', organisationNumber: '974760673', personId: null },
  municipalityNumber: '5035',
  dwelling: { address: 'Kirkeveien 4, 7500 Stjørdal', tenancyId: null },
  householdId: 'h0123456789abcdef01234567',
  tenants: [{ tenantRef: 't1', personId: 'p11111111111111111111111111111111', matchKeys: ['n11111111111111111111111111111111'], identifiedBy: 'name-and-birth-date', noticeSentOn: '2026-12-01' }],
  ground,
  arrearsOre: 928200,
  arrearsMonths: ['2026-11'],
  plannedPetitionOn: '2026-12-21',
  declarations: { tenantGotCopy: true, noWrittenObjectionReceived: true },
  submittedOn,
  fingerprint: 'f',
});

const advice = [{ rule: 'petitionCareful', date: '2026-12-21', kind: 'policy', basis: 'kommunens praksis (ikke et lovkrav)', explanation: 'Forsiktig dato …', tenantRef: 't1' }];

function history(): RecordedEvent[] {
  position = 0;
  return [
    recorded(W1, 0, 'warnings.WarningSubmitted', submitted(W1, 'utleier-a', '2026-12-02'), '2026-12-02T09:00:00.000Z'),
    recorded(W1, 1, 'warnings.WarningForwarded', { warningId: W1, forwardedOn: '2026-12-02', municipalityNumber: '5035', householdId: 'h0123456789abcdef01234567', tenancyId: null, navOffice: 'nav-stjordal', ground: 'unpaid-rent', arrearsOre: 928200, petitionOn: '2026-12-21', evictionOn: null, tenantPersonIds: ['p1'], advice }, '2026-12-02T09:00:01.000Z', 'system'),
    recorded(W2, 0, 'warnings.WarningSubmitted', submitted(W2, 'utleier-a', '2026-12-03', 'lease-expired'), '2026-12-03T09:00:00.000Z'),
    recorded(W2, 1, 'warnings.WarningNotForwarded', { warningId: W2, decidedOn: '2026-12-03', basis: 'objection-on-record', objectionIds: ['o-1'], tenantRefs: ['t1'], explanation: 'Varselet er lagret, men blir ikke sendt til NAV: leietaker 1 har reservert seg skriftlig mot slike varsler (husleieloven § 9-11). Et varsel sendes aldri videre mens en reservasjon står.' }, '2026-12-03T09:00:00.000Z'),
    recorded(W3, 0, 'warnings.WarningSubmitted', submitted(W3, 'utleier-b', '2026-12-03'), '2026-12-03T10:00:00.000Z'),
    recorded(W1, 2, 'warnings.StepReported', { warningId: W1, stepId: 's1', reportedOn: '2026-12-21', step: { kind: 'petition-filed', filedOn: '2026-12-21' }, municipalityNumber: '5035', householdId: 'h0123456789abcdef01234567', passedToNav: true, withheldBecause: [], rulings: [] }, '2026-12-21T09:00:00.000Z'),
    recorded(W1, 3, 'warnings.StepReported', { warningId: W1, stepId: 's2', reportedOn: '2027-01-12', step: { kind: 'namsmann-letter-received', receivedOn: '2027-01-11' }, municipalityNumber: '5035', householdId: 'h0123456789abcdef01234567', passedToNav: true, withheldBecause: [], rulings: [{ rule: 'objectionToNamsmann', date: '2027-01-25', kind: 'law', basis: 'tvangsfullbyrdelsesloven § 13-6, domstolloven § 149', explanation: '…' }] }, '2027-01-12T09:00:00.000Z'),
    recorded(W3, 1, 'warnings.StepReported', { warningId: W3, stepId: 's3', reportedOn: '2026-12-04', step: { kind: 'withdrawn', withdrawnOn: '2026-12-04' }, municipalityNumber: '5035', householdId: 'h0123456789abcdef01234567', passedToNav: false, withheldBecause: [], rulings: [] }, '2026-12-04T09:00:00.000Z'),
  ];
}

const landlordA: Caller = { actorId: 'a_a', roles: ['landlord'], municipalities: [], navOffice: null, landlordId: 'utleier-a', landlordPersonId: null };
const landlordB: Caller = { ...landlordA, actorId: 'a_b', landlordId: 'utleier-b' };
const navAdviser: Caller = { ...landlordA, actorId: 'a_n', roles: ['nav-adviser'], landlordId: null, navOffice: 'nav-stjordal', municipalities: ['5035'] };

describe.each([
  ['SQLite', openThrowawaySqlite],
  ['PostgreSQL', openThrowawayPostgres],
])('warnings projection on %s', (_engine, open) => {
  const types = registerWarningEventTypes(new EventTypeMap());
  const projection = new WarningsProjection(types);
  let store: ThrowawayReadModelDb;
  let db: ReadModelDb;
  let reader: ReadModelReader;

  beforeAll(async () => {
    store = await open({ label: 'warnings' });
    db = store.db;
    reader = new ReadModelReader(db);
    const generations = new ProjectionGenerations(db);
    const target = await generations.beginWithTables(projection);
    const events = history();
    await applyBatch(db, projection, target, events.slice(0, 3), (events[2] as RecordedEvent).position);
    await applyBatch(db, projection, target, events.slice(3), (events[events.length - 1] as RecordedEvent).position);
    await generations.switchTo('warnings', target.generation);
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('a rebuild, in any batching, gives identical tables; a replayed batch changes nothing', async () => {
    const generations = new ProjectionGenerations(db);
    const active = (await generations.active('warnings')) as { tables: Record<string, string> };
    const events = history();
    const rebuilt = await generations.beginWithTables(projection);
    for (const e of events) await applyBatch(db, projection, rebuilt, [e], e.position);
    await applyBatch(db, projection, rebuilt, events, (events[events.length - 1] as RecordedEvent).position);
    expect(await dumpTables(db, rebuilt.tables)).toEqual(await dumpTables(db, active.tables));
  });

  it('a landlord lists its own warnings, newest first, a keyset page at a time, with the status in bokmål', async () => {
    const list = new ListWarningsHandler(reader);
    const first = await list.execute(new ListWarningsQuery(landlordA, 'all', undefined, 1));
    expect(first.total).toBe(2);
    expect(first.items.map((w) => [w.warningId, w.status, w.statusText])).toEqual([[W2, 'not-forwarded', 'Ikke sendt til NAV – leietakeren har reservert seg skriftlig mot slike varsler']]);
    expect(first.items[0]?.notForwardedReason).toMatch(/leietaker 1 har reservert seg skriftlig/);
    const second = await list.execute(new ListWarningsQuery(landlordA, 'all', decodeCursor(first.nextCursor, 2), 1));
    expect(second.items.map((w) => [w.warningId, w.status, w.statusText, w.stage, w.petitionFiledOn])).toEqual([[W1, 'forwarded', 'Sendt til NAV 2026-12-02', 'letter-received', '2026-12-21']]);
    expect(second.nextCursor).toBeNull();
    expect((await list.execute(new ListWarningsQuery(landlordA, 'forwarded', undefined, 10))).items.map((w) => w.warningId)).toEqual([W1]);
  });

  it('another landlord sees only its own; NAV and the team see none here', async () => {
    const list = new ListWarningsHandler(reader);
    expect((await list.execute(new ListWarningsQuery(landlordB, 'all', undefined, 10))).items.map((w) => [w.warningId, w.status, w.closure])).toEqual([[W3, 'closed', 'withdrawn']]);
    expect((await list.execute(new ListWarningsQuery(landlordB, 'open', undefined, 10))).total).toBe(0);
    expect(await list.execute(new ListWarningsQuery(navAdviser, 'all', undefined, 10))).toEqual({ total: 0, items: [], nextCursor: null });
  });

  it('keeps the history for the landlord and the dates the steps set running; the stream-folded view is the same row', async () => {
    const active = (await new ProjectionGenerations(db).active('warnings')) as { tables: Record<string, string> };
    const tables = (await dumpTables(db, active.tables)) as unknown as { warning_list: Array<WarningTables['warning_list']>; warning_history: Array<WarningTables['warning_history']> };
    expect(tables.warning_history.filter((h) => h.warning_id === W1).map((h) => [h.on, h.kind, h.text])).toEqual([
      ['2026-12-02', 'submitted', 'Varselet er mottatt.'],
      ['2026-12-02', 'forwarded', 'Varselet er sendt til NAV (nav-stjordal) 2026-12-02.'],
      ['2026-12-21', 'petition-filed', 'Begjæring om fravikelse sendt 2026-12-21.'],
      ['2027-01-12', 'namsmann-letter-received', 'Leietakeren mottok namsmannens brev 2027-01-11.'],
    ]);
    const row = tables.warning_list.find((r) => r.warning_id === W1);
    expect(JSON.parse(row?.deadlines as string)).toEqual([expect.objectContaining({ rule: 'objectionToNamsmann', date: '2027-01-25' })]);
    // A filed petition replaces the advice about the planned one (none was needed for it).
    expect(JSON.parse(row?.advice as string)).toEqual([]);
    const folded = foldWarningView(
      history()
        .filter((e) => e.streamName === `warning-${W1}`)
        .map((e) => ({ event: { type: e.type, data: types.upcast(e) } as never, revision: e.revision, at: e.metadata.occurredAt })),
    );
    expect({ ...folded?.row, arrears_ore: Number(folded?.row.arrears_ore) }).toEqual({ ...row, arrears_ore: Number(row?.arrears_ore) });
  });
});
