import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { personIdKey, personKeysMasterKey, type AppConfig } from '@evp/runtime';
import { opaquePersonId } from '@evp/auth';
import { PersonKeyStore, decryptPersonalData } from '@evp/people-application';
import { TestSystem, waitFor } from './support/system';
import { eventRows, rawFiles, redisItems, report, sqliteRows } from './support/personal-data-scan';

interface PersonView {
  personId: string;
  name: string;
  nationalId: string | null;
  status: string;
}
interface Problem {
  status: number;
  detail: string;
  errors: Array<{ line: number | null; column: string | null; reason: string }>;
}

/**
 * Erasure without rewriting history (issue 7), through the real processes: register, post, open
 * and escalate a case; an erasure the archive obligation forbids is refused and the person
 * restricted instead; a person without one is erased by deleting their key. Then every projection
 * is rebuilt and the workflow replayed from the whole log: the case history is the same, the
 * erased person's data is readable nowhere, and every reader shows the placeholder.
 */
describe('erasure by crypto-shredding, through a full replay (e2e)', () => {
  const keysDir = mkdtempSync(join(tmpdir(), 'evp-e2e-keys-'));
  const keyFile = join(keysDir, 'person-keys.sqlite');
  const system = new TestSystem({ PERSON_KEYS_SQLITE_FILE: keyFile });
  const [fnrKept, fnrErased, fnrLifted] = syntheticNationalIds(3, 1111) as [string, string, string];
  const kept = 'Åse Ørnø Brække';
  const erased = 'Per Ødegård';
  let accounting: string;
  let team: string;
  let admin: string;
  let nav: string;
  let keptId: string;
  let erasedId: string;
  let historyBefore: unknown;

  const person = (id: string, token: string) => system.request<PersonView>('GET', `/api/v1/people/${id}`, { token });
  const erase = (id: string) => system.request<Problem & { status: string; erasedNow: boolean }>('POST', `/api/v1/people/${id}/erasure`, { token: admin, json: { reason: 'no-longer-necessary' } });

  beforeAll(async () => {
    system.setClock('2026-11-02T09:00:00+01:00'); // Monday
    await system.start();
    accounting = await system.token('accounting');
    team = await system.token('arrears-team');
    admin = await system.token('admin');
    nav = await system.token('nav-adviser', { navOffice: 'nav-stjordal' });
  });
  afterAll(async () => {
    await system.stop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('registers two tenancies and their tenants, posts November\'s rent, and one tenant pays', async () => {
    const tenancies = ['kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn', `5035;100234;Kirkegata 1;9 282,00;kommunal;nav-stjordal;${fnrKept};${kept}`, `5035;100235;Kirkegata 2;6 277,00;kommunal;nav-stjordal;${fnrErased};${erased}`].join('\n');
    expect(await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancies })).toMatchObject({ status: 200, body: { registered: 2 } });
    const postings = [
      'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop',
      '5035;100234;F-2026-11-100234;faktura;15.10.2026;02.11.2026;2026-11;9 282,00',
      '5035;100235;F-2026-11-100235;faktura;15.10.2026;02.11.2026;2026-11;6 277,00',
      '5035;100235;I-88812;innbetaling;02.11.2026;;;6 277,00',
    ].join('\n');
    expect(await system.request('POST', '/api/v1/ledger/imports', { token: accounting, body: postings })).toMatchObject({ status: 200, body: { eventsWritten: 3 } });
    const tenants = async (tenancyId: string) => (await system.request<{ tenants: PersonView[] }>('GET', `/api/v1/ledger/tenancies/5035/${tenancyId}/tenants`, { token: accounting })).body.tenants;
    const [a] = await tenants('100234');
    const [b] = await tenants('100235');
    expect(a).toMatchObject({ name: kept, nationalId: `${fnrKept.slice(0, 6)}*****`, status: 'active' });
    expect(b).toMatchObject({ name: erased, nationalId: `${fnrErased.slice(0, 6)}*****`, status: 'active' });
    keptId = (a as PersonView).personId;
    erasedId = (b as PersonView).personId;
  });

  it('opens the unpaid tenancy\'s case and escalates it to the arrears team', async () => {
    system.setClock('2026-11-06T10:00:00+01:00'); // Friday: the grace period is over
    await waitFor(async () => ((await system.request<{ total: number }>('GET', '/api/v1/cases?status=all', { token: team })).body.total === 1 ? true : undefined), 'the case to open');
    system.setClock('2026-11-16T08:00:00+01:00'); // Monday after the five working days
    await waitFor(async () => ((await system.request<{ total: number }>('GET', '/api/v1/arrears-team/queue', { token: team })).body.total === 1 ? true : undefined), 'the escalation');
    await system.caughtUp();
    const history = await system.request<{ status: string; timeline: unknown[] }>('GET', '/api/v1/cases/5035-100234-1', { token: team });
    expect(history.body.status).toBe('escalated');
    historyBefore = history.body;
  });

  it('refuses to erase the escalated case\'s tenant (arkivlova) with 409, and restricts them instead; again, the same', async () => {
    const refused = await erase(keptId);
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0]?.reason).toContain('arkivlova');
    expect(refused.body.errors[0]?.reason).toContain('5035-100234-1');
    expect(refused.body.errors[0]?.reason).toContain('skjermet');
    expect(JSON.stringify(refused.body)).not.toContain(fnrKept);
    expect((await erase(keptId)).status).toBe(409);
    const restrictions = eventRows(join(system.dir, 'events.sqlite')).filter((row) => row.includes('"people.PersonRestricted"'));
    expect(restrictions).toHaveLength(1);
    expect(restrictions[0]).toContain('"basis":"archive-obligation"');
  });

  it('shows the restricted tenant to admin alone: every other role sees «skjermet person»', async () => {
    expect((await person(keptId, admin)).body).toEqual({ personId: keptId, name: kept, nationalId: fnrKept, status: 'restricted' });
    for (const token of [accounting, team, nav]) {
      expect((await person(keptId, token)).body).toEqual({ personId: keptId, name: 'skjermet person', nationalId: null, status: 'restricted' });
    }
    const tenants = await system.request<{ tenants: PersonView[] }>('GET', '/api/v1/ledger/tenancies/5035/100234/tenants', { token: nav });
    expect(tenants.body.tenants).toEqual([{ personId: keptId, name: 'skjermet person', nationalId: null, status: 'restricted' }]);
    const otherOffice = await system.token('nav-adviser', { navOffice: 'nav-levanger' });
    expect((await person(keptId, otherOffice)).status).toBe(404);
    expect((await person(keptId, await system.token('admin', { municipalities: ['5037'] }))).status).toBe(404);
    expect((await system.request('POST', `/api/v1/people/${keptId}/erasure`, { token: accounting, json: { reason: 'no-longer-necessary' } })).status).toBe(403);
  });

  it('erases the tenant without an archive obligation: their key is deleted, and every reader shows «slettet person»', async () => {
    const done = await erase(erasedId);
    expect(done).toMatchObject({ status: 200, body: { personId: erasedId, status: 'erased', erasedNow: true } });
    expect(await erase(erasedId)).toMatchObject({ status: 200, body: { status: 'erased', erasedNow: false } });
    const placeholder = { personId: erasedId, name: 'slettet person', nationalId: null, status: 'erased' };
    for (const token of [admin, accounting, team, nav]) expect((await person(erasedId, token)).body).toEqual(placeholder);
    expect((await system.request<{ tenants: PersonView[] }>('GET', '/api/v1/ledger/tenancies/5035/100235/tenants', { token: admin })).body.tenants).toEqual([placeholder]);
    expect((await system.request('POST', `/api/v1/people/${erasedId}/restriction`, { token: admin, json: { basis: 'legal-claims' } })).status).toBe(409);
  });

  it('lifts a restriction made on request once the person was told (art. 18 (3)); never one that stands in for a refused erasure', async () => {
    const tenancy = ['kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn', `5035;100236;Kirkegata 3;6 277,00;kommunal;nav-stjordal;${fnrLifted};Liv Lie`].join('\n');
    expect(await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: tenancy })).toMatchObject({ status: 200, body: { registered: 1 } });
    const [c] = (await system.request<{ tenants: PersonView[] }>('GET', '/api/v1/ledger/tenancies/5035/100236/tenants', { token: accounting })).body.tenants;
    const id = (c as PersonView).personId;
    const lift = (personId: string, json: unknown, token = admin) => system.request<Problem & { status: string; liftedNow: boolean }>('POST', `/api/v1/people/${personId}/restriction/lifting`, { token, json });
    expect((await system.request('POST', `/api/v1/people/${id}/restriction`, { token: admin, json: { basis: 'accuracy-contested' } })).status).toBe(200);
    expect((await person(id, accounting)).body).toMatchObject({ name: 'skjermet person', status: 'restricted' });

    const empty = await lift(id, {});
    expect(empty.status).toBe(422);
    expect(empty.body.errors.map((e) => e.column).sort()).toEqual(['reason', 'subjectInformedOn']);
    // The clock stands at 16 November: the person cannot have been told tomorrow.
    const early = await lift(id, { reason: 'accuracy-verified', subjectInformedOn: '2026-11-17' });
    expect(early.status).toBe(422);
    expect(early.body.errors).toEqual([{ line: null, column: 'subjectInformedOn', reason: expect.stringContaining('informert') }]);
    expect((await lift(id, { reason: 'accuracy-verified', subjectInformedOn: '2026-11-13' }, accounting)).status).toBe(403);
    const archived = await lift(keptId, { reason: 'subject-consented', subjectInformedOn: '2026-11-13' });
    expect(archived.status).toBe(409);
    expect(archived.body.errors[0]?.reason).toContain('arkivplikt');
    expect((await person(id, accounting)).body).toMatchObject({ name: 'skjermet person', status: 'restricted' });

    expect(await lift(id, { reason: 'accuracy-verified', subjectInformedOn: '2026-11-13' })).toMatchObject({ status: 200, body: { personId: id, status: 'active', liftedNow: true } });
    expect(await lift(id, { reason: 'accuracy-verified', subjectInformedOn: '2026-11-13' })).toMatchObject({ status: 200, body: { liftedNow: false } });
    expect((await person(id, accounting)).body).toEqual({ personId: id, name: 'Liv Lie', nationalId: `${fnrLifted.slice(0, 6)}*****`, status: 'active' });
    expect((await person(keptId, accounting)).body).toMatchObject({ name: 'skjermet person', status: 'restricted' });
    const lifted = eventRows(join(system.dir, 'events.sqlite')).filter((row) => row.includes('"people.RestrictionLifted"'));
    expect(lifted).toHaveLength(1);
    expect(lifted[0]).toContain('"basis":"accuracy-contested"');
    expect(lifted[0]).toContain('"subjectInformedOn":"2026-11-13"');
  });

  it('rebuilds every projection and replays the workflow from the whole log: the case history is the same, nothing is appended', async () => {
    const events = () => eventRows(join(system.dir, 'events.sqlite')).length;
    const before = events();
    // What the tests before this one wrote, projected everywhere, before the tables are compared.
    await system.caughtUp();
    const projections = (await system.worker_<Array<{ name: string }>>('GET', '/operator/projections')).body.map((p) => p.name);
    expect(projections.length).toBeGreaterThanOrEqual(2);
    // Counter rows at zero count as absent: the live cases projection leaves them behind when a case moves on, a rebuild never writes them.
    const dump = (name: string) => Object.fromEntries(Object.entries(system.dumpProjection(name)).map(([table, rows]) => [table, rows.filter((row) => (row as { n?: unknown }).n !== 0)]));
    const dumps = Object.fromEntries(projections.map((name) => [name, dump(name)]));
    for (const name of projections) {
      expect((await system.worker_('POST', `/operator/projections/${name}/rebuild`)).status).toBe(202);
      await waitFor(async () => ((await system.worker_<{ state: string }>('GET', `/operator/projections/${name}/rebuild`)).body.state === 'switched' ? true : undefined), `${name} to rebuild`);
    }
    expect((await system.worker_('POST', '/operator/workflows/cases-arrears/replay')).status).toBe(202);
    await system.caughtUp();
    // A rebuilt generation holds each account as of its last event until the daily roll (run by every sweep) brings it to today.
    expect((await system.worker_('POST', '/operator/deadlines/sweep')).status).toBe(200);
    for (const name of projections) {
      await waitFor(async () => (JSON.stringify(dump(name)) === JSON.stringify(dumps[name]) ? true : undefined), `${name} rebuilt as it was`, 10_000).catch(() => undefined);
      expect(dump(name)).toEqual(dumps[name]);
    }
    expect(events()).toBe(before);
    expect((await system.request('GET', '/api/v1/cases/5035-100234-1', { token: team })).body).toEqual(historyBefore);
    expect((await person(erasedId, admin)).body).toMatchObject({ name: 'slettet person', status: 'erased' });
    expect((await person(keptId, admin)).body).toMatchObject({ name: kept, status: 'restricted' });
  });

  it('leaves the erased tenant\'s data readable nowhere: no key opens their ciphertext, and their number and name are in no log, key, table or event', async () => {
    const keys = await PersonKeyStore.open({ kind: 'sqlite', file: keyFile }, personKeysMasterKey({ NODE_ENV: 'test' } as AppConfig));
    try {
      expect(await keys.find(erasedId)).toBeUndefined();
      expect(await keys.find(keptId)).toBeDefined();
      const db = new Database(join(system.dir, 'events.sqlite'), { readonly: true });
      const recorded = (db.prepare(`SELECT data FROM events WHERE stream_name = ? AND type = 'people.PersonRecorded'`).all(`person-${erasedId}`) as Array<{ data: string }>).map((r) => JSON.parse(r.data) as { personId: string; keyId: string; encrypted: { iv: string; tag: string; data: string } });
      db.close();
      expect(recorded).toHaveLength(1);
      const everyKey = (await keys.findMany(sqliteRows(keyFile).filter((r) => r.startsWith('person_keys ')).map((r) => (JSON.parse(r.slice('person_keys '.length)) as { person_id: string }).person_id))).values();
      for (const key of everyKey) for (const record of recorded) expect(() => decryptPersonalData({ ...key, personId: record.personId, keyId: record.keyId }, record)).toThrow();
    } finally {
      await keys.close();
    }
    const found = report(
      'erasure',
      {
        'api and worker logs': system.logs,
        [`redis keys and values (${system.prefix}:*)`]: await redisItems(system.redis, system.prefix),
        'read-model tables': sqliteRows(join(system.dir, 'read-models.sqlite')),
        'person-key store tables': sqliteRows(keyFile),
        'event store outside ciphertext': eventRows(join(system.dir, 'events.sqlite')),
        'raw bytes of every store file (WAL included)': [...rawFiles(system.dir), ...rawFiles(keysDir)],
      },
      [fnrErased, erased, fnrKept, kept],
    );
    expect(found).toEqual({});
  });
});

/**
 * The later contexts under the same erasure: a § 9-11 warning's tenant (recorded through the
 * people context's directory, linked to the warning's household) and NAV's notes about that
 * household (sealed for its tenants). Once the case is closed and its retention (0 years here) has
 * run, erasing the tenant turns their name on the landlord's warning and NAV's note into
 * «slettet person», through the same api answers as before.
 */
describe('erasure reaches the warnings and NAV’s notes (e2e)', () => {
  const keysDir = mkdtempSync(join(tmpdir(), 'evp-e2e-keys-'));
  const keyFile = join(keysDir, 'person-keys.sqlite');
  const system = new TestSystem({ PERSON_KEYS_SQLITE_FILE: keyFile, PEOPLE_CASE_RETENTION_YEARS: '0' });
  const [fnr] = syntheticNationalIds(1, 3131) as [string];
  const name = 'Tove Testdatter';
  const NOTE = 'Tove Testdatter har fått tilbud om kommunal bolig; flytter i januar.';
  // The processes' person-id key under NODE_ENV=test (as `TestSystem` derives actor ids).
  const personId = opaquePersonId(process.env['PERSON_ID_KEY'] ?? personIdKey({ NODE_ENV: 'test' } as AppConfig), fnr);
  let landlord: string;
  let nav: string;
  let team: string;
  let admin: string;
  let warningId: string;
  let caseId: string;

  beforeAll(async () => {
    system.setClock('2026-12-02T09:00:00+01:00'); // Wednesday
    await system.start();
    landlord = await system.token('landlord', { landlordId: 'utleier-testdatter', sub: 'utleier-testdatter' });
    nav = await system.token('nav-adviser', { navOffice: 'nav-stjordal', sub: 'e2e-nav' });
    team = await system.token('arrears-team');
    admin = await system.token('admin');
  }, 120_000);
  afterAll(async () => {
    await system.stop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  const warning = () => system.request<{ tenants: Array<{ name: string }> }>('GET', `/api/v1/warnings/${warningId}`, { token: landlord });
  const notes = async () => (await system.request<{ timeline: Array<{ notes: string[] }> }>('GET', `/api/v1/nav/cases/${caseId}`, { token: nav })).body.timeline.flatMap((t) => t.notes);

  it('a private landlord warns; NAV claims the referral and writes a note about the household, then concludes', async () => {
    const submitted = await system.request<{ warningId: string }>('POST', '/api/v1/warnings', {
      token: landlord,
      json: {
        landlord: { kind: 'company', name: 'Testdatter Utleie AS', organisationNumber: '974760673' },
        municipalityNumber: '5035',
        dwelling: { address: 'Hotellgata 3, 7500 Stjørdal' },
        tenants: [{ nationalId: fnr, name, noticeSentOn: '2026-12-01' }],
        ground: 'unpaid-rent',
        arrears: { amount: '9 282,00', months: ['2026-11'] },
        plannedPetitionOn: '2026-12-21',
        declarations: { tenantGotCopy: true, noWrittenObjectionReceived: true },
      },
    });
    expect(submitted.status).toBe(201);
    warningId = submitted.body.warningId;
    await system.caughtUp();
    caseId = await waitFor(async () => (await system.request<{ items?: Array<{ caseId: string }> }>('GET', '/api/v1/nav/inbox', { token: nav })).body.items?.[0]?.caseId, 'the referral in the inbox');
    expect((await system.request('POST', `/api/v1/nav/cases/${caseId}/claim`, { token: nav })).status).toBe(200);
    expect((await system.request('POST', `/api/v1/nav/cases/${caseId}/steps`, { token: nav, json: { type: 'contact-made', channel: 'phone', note: NOTE } })).status).toBe(201);
    // NAV's record is a read model: the note shows once the worker has projected the step.
    await waitFor(async () => ((await notes()).includes(NOTE) ? true : undefined), 'the note on NAV’s record');
    expect((await warning()).body.tenants.map((t) => t.name)).toEqual([name]);
    expect((await system.request('POST', `/api/v1/nav/cases/${caseId}/steps`, { token: nav, json: { type: 'concluded', outcome: 'rehoused' } })).status).toBe(201);
    await waitFor(async () => ((await system.request<{ status: string }>('GET', `/api/v1/cases/${caseId}`, { token: team })).body.status === 'resolved' ? true : undefined), 'the case to close');
  });

  it('erasing the tenant: the warning names «slettet person», and NAV’s note reads «slettet person»', async () => {
    expect((await system.request('GET', `/api/v1/people/${personId}`, { token: admin })).body).toMatchObject({ name, status: 'active' });
    const erased = await system.request('POST', `/api/v1/people/${personId}/erasure`, { token: admin, json: { reason: 'no-longer-necessary' } });
    expect(erased).toMatchObject({ status: 200, body: { status: 'erased', erasedNow: true } });
    expect((await warning()).body.tenants.map((t) => t.name)).toEqual(['slettet person']);
    const after = await waitFor(async () => {
      const now = await notes();
      return now.includes('slettet person') ? now : undefined;
    }, 'the note to read «slettet person»');
    expect(after).toContain('slettet person');
    expect(after).not.toContain(NOTE);
    expect((await system.request('GET', `/api/v1/people/${personId}`, { token: admin })).body).toMatchObject({ name: 'slettet person', nationalId: null, status: 'erased' });
    const found = report(
      'erasure (warnings and NAV notes)',
      {
        'api and worker logs': system.logs,
        'read-model tables': sqliteRows(join(system.dir, 'read-models.sqlite')),
        'person-key store tables': sqliteRows(keyFile),
        'event store outside ciphertext': eventRows(join(system.dir, 'events.sqlite')),
        'raw bytes of every store file (WAL included)': [...rawFiles(system.dir), ...rawFiles(keysDir)],
      },
      [fnr, name, NOTE],
    );
    expect(found).toEqual({});
  });
});
