import fc from 'fast-check';
import { syntheticNationalIds } from '@evp/shared-kernel';
import { problemDefect } from './support/problems';
import { TestSystem } from './support/system';

/**
 * Fuzzing every JSON endpoint and every query string of the api through the real process: whatever
 * comes in, the answer is never 5xx, every error is well-formed problem details, and no error body
 * carries an identity number that was sent. About 2 000 inputs in all, so it stays under a minute.
 * A failure prints fast-check's seed; FUZZ_SEED=<seed> replays it.
 */
const SEED = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : undefined;
const runs = (numRuns: number) => ({ numRuns, ...(SEED !== undefined ? { seed: SEED } : {}) });
/** A path segment from any text: lone surrogates (which fast-check makes and encodeURIComponent refuses) replaced first. */
const segment = (text: string) => encodeURIComponent(text.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));

describe('fuzzing the api (e2e)', () => {
  const system = new TestSystem();
  const canaries = syntheticNationalIds(3, 2026);
  const [tenant] = canaries as [string];
  const tokens: Record<string, string> = {};
  const seen = { requests: 0, byStatus: new Map<number, number>() };

  beforeAll(async () => {
    system.setClock('2026-11-02T09:00:00+01:00');
    await system.start();
    for (const role of ['accounting', 'arrears-team', 'nav-adviser'] as const) tokens[role] = await system.token(role, role === 'nav-adviser' ? { navOffice: 'nav-stjordal' } : {});
    // One real tenancy, so fuzzed postings for it get past "unknown tenancy" into the ledger's rules.
    const csv = `kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn\n5035;100234;Kirkegata 1;9 282,00;kommunal;nav-stjordal;${tenant};Åse Fuzz\n`;
    expect((await system.request('POST', '/api/v1/ledger/tenancies/imports', { token: tokens['accounting'], body: csv })).status).toBe(200);
  });
  afterAll(async () => {
    await system.stop();
    // The spread of answers, for whoever reads the run.
    console.log(`fuzz: ${seen.requests} requests; by status ${JSON.stringify(Object.fromEntries([...seen.byStatus].sort()))}`);
  });

  /** Sends one input and checks the invariants; returns the status for the property's own checks. */
  async function check(method: string, path: string, token: string, body?: { text: string; contentType: string }, headers: Record<string, string> = {}): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${system.apiPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': body.contentType } : {}), ...headers },
      ...(body ? { body: body.text } : {}),
    });
    const raw = await response.text();
    seen.requests += 1;
    seen.byStatus.set(response.status, (seen.byStatus.get(response.status) ?? 0) + 1);
    const what = `${method} ${path} ${body ? JSON.stringify(body.text.slice(0, 200)) : ''} → ${response.status} ${raw.slice(0, 300)}`;
    if (response.status >= 500) throw new Error(`5xx: ${what}`);
    if (response.status >= 400) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new Error(`error body is not JSON: ${what}`);
      }
      const defect = problemDefect(response.status, response.headers.get('content-type'), parsed, Buffer.byteLength(raw));
      if (defect) throw new Error(`not problem details (${defect}): ${what}`);
      for (const canary of canaries) if (raw.includes(canary)) throw new Error(`an identity number came back in an error: ${what}`);
    }
    return response.status;
  }

  // Inputs: mostly near-valid shapes with hostile values, some arbitrary JSON, some text that is not JSON at all.
  const hostileText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(...canaries, `${canaries[1] as string} `, '=HYPERLINK("http://x")', '+1', '@SUM(A1)', '\t-2', '', ' ', '0', '-1', '1e309', 'NaN', '__proto__', 'constructor', '5035', '100234', '2026-11-15', '2026-02-30', '9 282,00', '9282.00', 'x'.repeat(5000)),
  );
  const hostileValue = fc.oneof(hostileText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 2 }));
  const posting = fc.record(
    {
      municipalityNumber: fc.oneof(fc.constant('5035'), hostileValue),
      tenancyId: fc.oneof(fc.constant('100234'), hostileValue),
      voucherRef: fc.oneof(fc.stringMatching(/^[A-Z]-[0-9]{1,6}$/), hostileValue),
      type: fc.oneof(fc.constantFrom('faktura', 'innbetaling', 'kreditnota', 'avskrivning', 'saldo'), hostileValue),
      date: fc.oneof(fc.constantFrom('2026-10-15', '15.10.2026'), hostileValue),
      dueDate: fc.oneof(fc.constant('2026-11-02'), hostileValue),
      period: fc.oneof(fc.constant('2026-11'), hostileValue),
      amount: fc.oneof(fc.constantFrom('9 282,00', '-100', '0,01'), hostileValue),
      amountOre: fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), hostileValue),
    },
    { requiredKeys: [] },
  );
  const tenancy = fc.record(
    {
      municipalityNumber: fc.oneof(fc.constant('5035'), hostileValue),
      tenancyId: fc.oneof(fc.stringMatching(/^[0-9]{1,8}$/), hostileValue),
      address: fc.oneof(fc.constant('Kirkegata 2'), hostileValue),
      monthlyRent: fc.oneof(fc.constant('9 282,00'), hostileValue),
      landlordKind: fc.oneof(fc.constantFrom('kommunal', 'privat'), hostileValue),
      navOffice: fc.oneof(fc.constant('nav-stjordal'), hostileValue),
      tenants: fc.oneof(fc.array(fc.record({ nationalId: fc.oneof(fc.constantFrom(...canaries), hostileValue), name: hostileValue }, { requiredKeys: [] }), { maxLength: 3 }), hostileValue),
    },
    { requiredKeys: [] },
  );
  const contact = fc.record({ channel: fc.oneof(fc.constantFrom('phone', 'meeting', 'home-visit', 'letter', 'digital'), hostileValue), contactedOn: fc.oneof(fc.constantFrom('2026-11-01', '2026-11-03'), hostileValue) }, { requiredKeys: [] });

  /** A body as text: the shape serialised, any JSON value, broken JSON, deep nesting, or not JSON at all. */
  const bodyOf = <T>(shape: fc.Arbitrary<T>) =>
    fc.oneof(
      { weight: 6, arbitrary: shape.map((v) => JSON.stringify(v)) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: shape.map((v) => JSON.stringify(v)).chain((t) => fc.nat({ max: Math.max(0, t.length - 1) }).map((n) => t.slice(0, n))) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    );
  const contentType = fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'Application/JSON', 'text/plain', 'application/x-www-form-urlencoded');
  const idempotencyKey = fc.option(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{8,20}$/), fc.string({ maxLength: 30 })), { nil: undefined });
  const headerSafe = (key: string | undefined): Record<string, string> => (key !== undefined && /^[\x21-\x7e]*$/.test(key) ? { 'idempotency-key': key } : {});

  it('POST /api/v1/ledger/postings: no 5xx, every error problem details', async () => {
    await fc.assert(
      fc.asyncProperty(bodyOf(fc.record({ postings: fc.oneof(fc.array(posting, { maxLength: 4 }), hostileValue) }, { requiredKeys: [] })), contentType, idempotencyKey, async (text, type, key) => {
        await check('POST', '/api/v1/ledger/postings', tokens['accounting'] as string, { text, contentType: type }, headerSafe(key));
      }),
      runs(550),
    );
  });

  it('POST /api/v1/ledger/tenancies: no 5xx, every error problem details', async () => {
    await fc.assert(
      fc.asyncProperty(bodyOf(fc.record({ tenancies: fc.oneof(fc.array(tenancy, { maxLength: 3 }), hostileValue) }, { requiredKeys: [] })), contentType, idempotencyKey, async (text, type, key) => {
        await check('POST', '/api/v1/ledger/tenancies', tokens['accounting'] as string, { text, contentType: type }, headerSafe(key));
      }),
      runs(450),
    );
  });

  it('POST /api/v1/cases/{id}/contacts: no 5xx, every error problem details', async () => {
    // No identity numbers in paths: the request log line keeps the path (see the report), and this run checks the logs.
    const caseId = fc.oneof(fc.constantFrom('5035-100234-1', '5035-100234-999', '0000-0-0'), fc.string({ unit: 'binary', maxLength: 30 }));
    await fc.assert(
      fc.asyncProperty(caseId, bodyOf(contact), contentType, fc.constantFrom('arrears-team', 'nav-adviser'), async (id, text, type, role) => {
        await check('POST', `/api/v1/cases/${segment(id)}/contacts`, tokens[role] as string, { text, contentType: type });
      }),
      runs(400),
    );
  });

  it('GET endpoints’ query strings and path parameters: no 5xx, every error problem details', async () => {
    const pathText = hostileText.filter((t) => !canaries.some((c) => t.includes(c)));
    const key = fc.constantFrom('municipality', 'sort', 'status', 'cursor', 'limit', 'x', '__proto__', 'municipality[]', 'limit[0]');
    const value = fc.oneof(hostileText, fc.constantFrom('5035', '5037', 'amount', 'age', 'opened', 'deadline', 'all', 'active', '50', '0', '501', '-1', '1.5', 'eyJ4IjoxfQ', '%', '%zz', '%00'));
    const query = fc.oneof(
      fc.array(fc.tuple(key, value), { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${segment(k)}=${segment(v)}`).join('&')),
      // Raw, unencoded and malformed query strings as a careless client would send them.
      fc.array(fc.tuple(key, value), { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&').replace(/[^\x21-\x7e]/g, '%20').replace(/#/g, '%23')),
    );
    const get = fc.oneof(
      fc.tuple(fc.constant('/api/v1/ledger/arrears'), query, fc.constant('accounting')),
      fc.tuple(fc.constant('/api/v1/cases'), query, fc.constantFrom('arrears-team', 'nav-adviser', 'accounting')),
      fc.tuple(fc.constant('/api/v1/arrears-team/queue'), query, fc.constant('arrears-team')),
      fc.tuple(fc.string({ unit: 'binary', maxLength: 120 }).map((id) => `/api/v1/cases/${segment(id)}`), query, fc.constant('arrears-team')),
      fc.tuple(
        fc.tuple(fc.oneof(fc.constant('5035'), pathText), fc.oneof(fc.constant('100234'), pathText)).map(([m, t]) => `/api/v1/ledger/tenancies/${segment(m)}/${segment(t)}`),
        query,
        fc.constantFrom('accounting', 'nav-adviser'),
      ),
    );
    await fc.assert(
      fc.asyncProperty(get, async ([path, q, role]) => {
        await check('GET', q ? `${path}?${q}` : path, tokens[role] as string);
      }),
      runs(600),
    );
  });

  it('still answers, and logged no identity number', async () => {
    expect((await system.request('GET', '/health')).status).toBe(200);
    expect(seen.requests).toBeGreaterThanOrEqual(2_000);
    expect(seen.byStatus.size).toBeGreaterThan(3);
    for (const canary of canaries) expect(system.logs.filter((line) => line.includes(canary))).toEqual([]);
  });
});
