import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { TestSystem, waitFor, type Response } from './support/system';
import { eventRows, rawFiles, redisItems, report, sqliteRows } from './support/personal-data-scan';

/**
 * The canary (issue 7): one synthetic identity number — and one name — put through every input
 * channel the api has, accepted where it belongs and refused everywhere else, then searched for
 * everywhere it must not be: the api's and the worker's logs, every Redis key and value under the
 * test's prefix (BullMQ's job ids and data included), every read-model table, the person-key
 * store, every error body, and the event store outside its ciphertext. The channels include the
 * § 9-11 warnings (tenants, a private landlord's name, objections) and NAV's notes. The count is printed per
 * place; every count must be 0.
 */
describe('canary: one identity number through every input channel, found nowhere (e2e)', () => {
  const keysDir = mkdtempSync(join(tmpdir(), 'evp-e2e-keys-'));
  const system = new TestSystem({ PERSON_KEYS_SQLITE_FILE: join(keysDir, 'person-keys.sqlite'), MAX_IMPORT_BYTES: String(256 * 1024) });
  const [canary] = syntheticNationalIds(1, 90210) as [string];
  const spaced = `${canary.slice(0, 6)} ${canary.slice(6)}`;
  const name = 'Kanari Fuglesang';
  const secrets = [canary, spaced, name];
  const errorBodies: string[] = [];
  let accounting: string;
  let admin: string;
  let team: string;
  let asPerson: string;

  /** Every request of the canary: an error body is kept to be searched; a 5xx is a failure on its own. */
  async function send(method: string, path: string, options: Parameters<TestSystem['request']>[2] = {}): Promise<Response> {
    const response = await system.request(method, path, options);
    expect(response.status).toBeLessThan(500);
    if (response.status >= 400) errorBodies.push(JSON.stringify(response.body));
    return response;
  }

  beforeAll(async () => {
    system.setClock('2026-11-02T09:00:00+01:00'); // Monday
    await system.start();
    accounting = await system.token('accounting');
    admin = await system.token('admin');
    team = await system.token('arrears-team');
    asPerson = await system.token('accounting', { sub: canary });
  });
  afterAll(async () => {
    await system.stop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  const TENANCY_HEADER = 'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn';
  const POSTING_HEADER = 'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop';

  it('accepts the number in its own column of the tenancy file and in tenants[].nationalId of the JSON registration', async () => {
    const csv = [TENANCY_HEADER, `5035;100300;Kanarivegen 1;9 282,00;kommunal;nav-stjordal;${canary};${name}`].join('\n');
    expect(await send('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: csv })).toMatchObject({ status: 200, body: { registered: 1 } });
    const json = { tenancies: [{ municipalityNumber: '5035', tenancyId: '100301', address: 'Kanarivegen 2', monthlyRent: '6 277,00', landlordKind: 'kommunal', navOffice: 'nav-stjordal', tenants: [{ nationalId: canary, name }] }] };
    expect(await send('POST', '/api/v1/ledger/tenancies', { token: accounting, json })).toMatchObject({ status: 200, body: { registered: 1 } });
    // Once more, with the caller's Idempotency-Key and correlation id set to the number: headers are input too.
    const again = await send('POST', '/api/v1/ledger/tenancies', { token: accounting, json, headers: { 'idempotency-key': canary, 'x-correlation-id': canary } });
    expect(again).toMatchObject({ status: 200, body: { noOp: true } });
  });

  it('refuses it in every other column of both files, without repeating it', async () => {
    const tenancyLine = (cells: Partial<Record<'leieforhold' | 'adresse' | 'husleie' | 'utleier' | 'navkontor' | 'navn', string>>) =>
      `5035;${cells.leieforhold ?? '100302'};${cells.adresse ?? 'Kanarivegen 3'};${cells.husleie ?? '9 282,00'};${cells.utleier ?? 'kommunal'};${cells.navkontor ?? 'nav-stjordal'};${canary};${cells.navn ?? name}`;
    const tenancyFiles = [
      [TENANCY_HEADER, tenancyLine({ leieforhold: canary })],
      [TENANCY_HEADER, tenancyLine({ adresse: `Kanarivegen ${spaced}` })],
      [TENANCY_HEADER, tenancyLine({ husleie: canary })],
      [TENANCY_HEADER, tenancyLine({ utleier: canary })],
      [TENANCY_HEADER, tenancyLine({ navkontor: canary })],
      [TENANCY_HEADER, tenancyLine({ navn: `${name} ${canary}` })],
      [`${TENANCY_HEADER};merknad`, `${tenancyLine({})};${canary}`],
    ];
    for (const lines of tenancyFiles) {
      const r = await send('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: lines.join('\n') });
      expect(r.status).toBe(422);
    }
    // A column the parser does not know is dropped whatever its header says: the number in a header cell is
    // never read, so the file goes through (the scan below shows it is stored nowhere).
    const header = await send('POST', '/api/v1/ledger/tenancies/imports', { token: accounting, body: [`${TENANCY_HEADER};${canary}`, `${tenancyLine({})};x`].join('\n') });
    expect(header.status).toBe(200);
    const postingLine = (cells: Partial<Record<'leieforhold' | 'bilagsnr' | 'type' | 'dato' | 'forfall' | 'periode' | 'belop', string>>) =>
      `5035;${cells.leieforhold ?? '100300'};${cells.bilagsnr ?? 'F-CANARY'};${cells.type ?? 'faktura'};${cells.dato ?? '2026-10-15'};${cells.forfall ?? '2026-11-02'};${cells.periode ?? '2026-11'};${cells.belop ?? '9 282,00'}`;
    const postingFiles = [
      [POSTING_HEADER, postingLine({ leieforhold: canary })],
      [POSTING_HEADER, postingLine({ bilagsnr: canary })],
      [POSTING_HEADER, postingLine({ bilagsnr: `F-${spaced}` })],
      [POSTING_HEADER, postingLine({ type: canary })],
      [POSTING_HEADER, postingLine({ dato: canary })],
      [POSTING_HEADER, postingLine({ forfall: canary })],
      [POSTING_HEADER, postingLine({ periode: canary })],
      [POSTING_HEADER, postingLine({ belop: canary })],
      [`${POSTING_HEADER};tekst`, `${postingLine({})};Husleie ${name} ${canary}`],
    ];
    for (const lines of postingFiles) {
      const r = await send('POST', '/api/v1/ledger/imports', { token: accounting, body: lines.join('\n') });
      expect(r.status).toBe(422);
      const form = new FormData();
      form.append('file', new Blob([lines.join('\n')], { type: 'text/csv' }), 'posteringer.csv');
      expect((await send('POST', '/api/v1/ledger/imports', { token: accounting, form })).status).toBe(422);
    }
  });

  it('refuses it in every other JSON field, free text and unknown fields included, without repeating it', async () => {
    const tenancy = { municipalityNumber: '5035', tenancyId: '100303', address: 'Kanarivegen 4', monthlyRent: '9 282,00', landlordKind: 'kommunal', navOffice: 'nav-stjordal', tenants: [{ nationalId: canary, name }] };
    const tenancyVariants = [
      { ...tenancy, tenancyId: canary },
      { ...tenancy, address: `Kanarivegen ${canary}` },
      { ...tenancy, address: `Kanarivegen ${spaced}` },
      { ...tenancy, monthlyRent: canary },
      { ...tenancy, landlordKind: canary },
      { ...tenancy, navOffice: canary },
      { ...tenancy, tenants: [{ nationalId: canary, name: `${name} (${canary})` }] },
      { ...tenancy, tenants: [{ nationalId: canary, name, note: canary }] },
      { ...tenancy, comment: { text: `Leietaker ${spaced}` } },
    ];
    for (const t of tenancyVariants) expect((await send('POST', '/api/v1/ledger/tenancies', { token: accounting, json: { tenancies: [t] } })).status).toBe(422);
    expect((await send('POST', '/api/v1/ledger/tenancies', { token: accounting, json: { tenancies: [tenancy], [canary]: true } })).status).toBe(422);

    const posting = { municipalityNumber: '5035', tenancyId: '100300', voucherRef: 'F-CANARY-J', type: 'faktura', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amount: '9 282,00' };
    const postingVariants = [
      { ...posting, municipalityNumber: canary },
      { ...posting, tenancyId: canary },
      { ...posting, voucherRef: canary },
      { ...posting, type: canary },
      { ...posting, date: canary },
      { ...posting, dueDate: canary },
      { ...posting, period: canary },
      { ...posting, amount: canary },
      { ...posting, text: `Husleie ${name} ${canary}` },
    ];
    for (const p of postingVariants) expect((await send('POST', '/api/v1/ledger/postings', { token: accounting, json: { postings: [p] } })).status).toBe(422);

    expect((await send('POST', '/api/v1/cases/5035-100300-1/contacts', { token: team, json: { channel: canary } })).status).toBeGreaterThanOrEqual(404);
    expect((await send('POST', '/api/v1/cases/5035-100300-1/contacts', { token: team, json: { channel: 'phone', contactedOn: canary, note: spaced } })).status).toBeGreaterThanOrEqual(404);
    expect((await send('GET', `/api/v1/cases?municipality=${canary}`, { token: team })).status).toBe(422);
    expect((await send('GET', `/api/v1/ledger/arrears?municipality=${canary}&cursor=${canary}`, { token: accounting })).status).toBe(422);
    const someone = 'p' + '0'.repeat(32);
    expect((await send('POST', `/api/v1/people/${someone}/erasure`, { token: admin, json: { reason: canary } })).status).toBe(422);
    expect((await send('POST', `/api/v1/people/${someone}/restriction`, { token: admin, json: { basis: 'legal-claims', note: canary } })).status).toBe(422);
  });

  it('lets a caller whose token sub is the number work, under an opaque actor id only', async () => {
    const charge = { municipalityNumber: '5035', tenancyId: '100300', voucherRef: 'F-2026-11-100300', type: 'faktura', date: '2026-10-15', dueDate: '2026-11-02', period: '2026-11', amount: '9 282,00' };
    const headers = { 'idempotency-key': `charge-${canary}`, 'x-correlation-id': canary };
    expect(await send('POST', '/api/v1/ledger/postings', { token: asPerson, json: { postings: [charge] }, headers })).toMatchObject({ status: 200, body: { eventsWritten: 1 } });
    expect((await send('GET', '/api/v1/ledger/tenancies/5035/100300', { token: asPerson })).status).toBe(200);
    expect((await send('GET', '/api/v1/ledger/tenancies/5035/100300/tenants', { token: asPerson })).status).toBe(200);
    // Tokens that carry the number in navOffice or landlordId are refused (401) without repeating it.
    for (const token of [await system.token('nav-adviser', { navOffice: canary }), await system.token('landlord', { landlordId: canary })]) {
      expect((await send('GET', '/api/v1/cases', { token })).status).toBe(401);
    }
  });

  it('shows the person to accounting masked and to admin in full, reading the key store', async () => {
    const tenants = await send('GET', '/api/v1/ledger/tenancies/5035/100300/tenants', { token: accounting });
    const [tenant] = (tenants.body as { tenants: Array<{ personId: string; nationalId: string; name: string }> }).tenants;
    expect(tenant).toMatchObject({ name, nationalId: `${canary.slice(0, 6)}*****`, status: 'active' });
    const full = await send('GET', `/api/v1/people/${tenant?.personId}`, { token: admin });
    expect(full.body).toMatchObject({ name, nationalId: canary, status: 'active' });
  });

  it('opens a case and schedules its deadline in BullMQ, so the job ids and data are there to search', async () => {
    system.setClock('2026-11-06T10:00:00+01:00'); // Friday: the grace period is over
    await waitFor(async () => ((await system.request<{ total: number }>('GET', '/api/v1/cases?status=all', { token: team })).body.total >= 1 ? true : undefined), 'the case to open');
    await system.caughtUp();
    const deadlines = await system.worker_<{ pending: Array<{ id: string }> }>('GET', '/operator/deadlines');
    expect(deadlines.body.pending.map((d) => d.id)).toContain('case.5035-100300-1.first-contact');
  });

  it('takes the number and the name through a § 9-11 warning, the objection register and NAV notes, sealed where they are kept', async () => {
    system.setClock('2026-11-16T08:00:00+01:00'); // Monday: nobody made contact, the case escalates and is referred to NAV
    const nav = await system.token('nav-adviser', { navOffice: 'nav-stjordal', sub: 'canary-nav' });
    const landlord = await system.token('landlord', { landlordId: 'utleier-kanari', sub: 'kanari-utleier' });
    const inbox = async () => (await system.request<{ items?: Array<{ caseId: string }> }>('GET', '/api/v1/nav/inbox?view=open', { token: nav })).body.items ?? [];
    await waitFor(async () => ((await inbox()).some((i) => i.caseId === '5035-100300-1') ? true : undefined), 'the escalated referral in the inbox');

    const warning = {
      landlord: { kind: 'private-person', name: `${name} Utleier` },
      municipalityNumber: '5035',
      dwelling: { address: 'Kanarivegen 9, 7500 Stjørdal' },
      tenants: [
        { nationalId: canary, name, noticeSentOn: '2026-11-13' },
        { name: `${name} Junior`, birthDate: '2001-02-03', noticeSentOn: '2026-11-13' },
      ],
      ground: 'unpaid-rent',
      arrears: { amount: '18 564,00', months: ['2026-10', '2026-11'] },
      plannedPetitionOn: '2026-12-21',
      declarations: { tenantGotCopy: true, noWrittenObjectionReceived: true },
    };
    const submitted = await send('POST', '/api/v1/warnings', { token: landlord, json: warning, headers: { 'idempotency-key': `warning-${canary}` } });
    expect(submitted.status).toBe(201);
    expect(JSON.stringify(submitted.body)).not.toContain(canary);
    // The number anywhere but tenants[].nationalId is refused without being repeated.
    for (const variant of [
      { ...warning, dwelling: { address: `Kanarivegen ${canary}` } },
      { ...warning, landlord: { kind: 'private-person', name: `${name} ${spaced}` } },
      { ...warning, tenants: [{ name: canary, birthDate: '2001-02-03', noticeSentOn: '2026-11-13' }] },
    ]) {
      expect((await send('POST', '/api/v1/warnings', { token: landlord, json: variant })).status).toBe(422);
    }
    await system.caughtUp();
    const items = await waitFor(async () => {
      const found = await inbox();
      return found.length >= 2 ? found : undefined;
    }, 'the warning’s referral in the inbox');
    const warned = items.find((i) => i.caseId !== '5035-100300-1')?.caseId as string;
    const mine = await send('GET', `/api/v1/warnings/${(submitted.body as { warningId: string }).warningId}`, { token: landlord });
    expect((mine.body as { tenants: Array<{ name: string }> }).tenants.map((t) => t.name)).toEqual([name, `${name} Junior`]);

    // NAV's notes about both households: the name goes in (sealed for the household's people), the number is refused.
    for (const caseId of ['5035-100300-1', warned]) {
      expect((await send('POST', `/api/v1/nav/cases/${caseId}/claim`, { token: nav })).status).toBe(200);
      expect((await send('POST', `/api/v1/nav/cases/${caseId}/steps`, { token: nav, json: { type: 'contact-made', channel: 'phone', note: `Snakket med ${name}; ønsker nedbetaling.` } })).status).toBe(201);
      expect((await send('POST', `/api/v1/nav/cases/${caseId}/steps`, { token: nav, json: { type: 'contact-made', channel: 'phone', note: `Fødselsnummer ${spaced}` } })).status).toBe(422);
      // The record's timeline is the worker's projection: the note shows once it has caught up, opened from its ciphertext.
      const shown = await waitFor(async () => {
        const record = await send('GET', `/api/v1/nav/cases/${caseId}`, { token: nav });
        const texts = (record.body as { timeline?: Array<{ notes: string[] }> }).timeline?.flatMap((t) => t.notes) ?? [];
        return texts.length ? texts : undefined;
      }, 'the note in the record');
      expect(shown).toEqual([`Snakket med ${name}; ønsker nedbetaling.`]);
    }

    // The objection register: by number, and by name and birth date.
    expect((await send('POST', '/api/v1/objections', { token: nav, json: { municipalityNumber: '5035', tenant: { nationalId: canary, name }, receivedOn: '2026-11-16' } })).status).toBe(201);
    expect((await send('POST', '/api/v1/objections', { token: landlord, json: { municipalityNumber: '5035', tenant: { name: `${name} Junior`, birthDate: '2001-02-03' }, receivedOn: '2026-11-16' } })).status).toBe(201);
    expect((await send('POST', '/api/v1/objections', { token: nav, json: { municipalityNumber: '5035', tenant: { nationalId: canary, name: `${name} ${canary}` }, receivedOn: '2026-11-16' } })).status).toBe(422);
  });

  it('finds the number and the name nowhere: 0 hits per place', async () => {
    await system.caughtUp();
    // The notes and the warning's people are in the event store, sealed: the scan below must see them there.
    const stored = eventRows(join(system.dir, 'events.sqlite'));
    expect(stored.some((row) => row.includes('"people.HouseholdNoteSealed"'))).toBe(true);
    expect(stored.some((row) => row.includes('"people.PersonLinkedToHousehold"'))).toBe(true);
    const redis = await redisItems(system.redis, system.prefix);
    expect(redis.some((item) => item.includes('case.5035-100300-1.first-contact'))).toBe(true); // BullMQ's job is among them
    const found = report(
      'canary',
      {
        'api and worker logs': system.logs,
        [`redis keys and values (${system.prefix}:*)`]: redis,
        'read-model tables': sqliteRows(join(system.dir, 'read-models.sqlite')),
        'person-key store tables': sqliteRows(join(keysDir, 'person-keys.sqlite')),
        'error bodies': errorBodies,
        'event store outside ciphertext': eventRows(join(system.dir, 'events.sqlite')),
        'raw bytes of every store file (WAL included)': [...rawFiles(system.dir), ...rawFiles(keysDir)],
      },
      secrets,
    );
    expect(errorBodies.length).toBeGreaterThan(30);
    expect(found).toEqual({});
  });
});
