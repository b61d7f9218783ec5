/**
 * `npm run demo [-- --if-empty]`: a synthetic Stjørdal, loaded through the real api with
 * development tokens, as accounting and NAV would load it — the tenancy register and the ERP's
 * posting files as CSV, then contact recorded on some of the cases the arrears workflow opens, and
 * a few § 9-11 warnings from a private landlord that NAV picks up (one § 17 advice started), so the
 * dashboard's warnings and NAV sections have something to show (only where the installation serves
 * the municipality, WARNING_NAV_OFFICES).
 *
 * - 341 dwellings as in the housing plan (201 municipal, 140 leased from private owners and
 *   sublet); municipal rents by size as in its table (1 room 6 277 kr … 6+ rooms 17 666 kr a month),
 *   leased 7 105–18 127 kr.
 * - 18 months of rent invoices (due the 1st, invoiced the 15th before) and payments dated in the
 *   past 18 months relative to the api's today: most pay on the due date, some late, a few part of
 *   the rent, a few stop paying — so that outstanding rent lands near 3 % of a year's invoicing, the
 *   plan's measure (2.76 % in 2020, 3.31 % in 2023).
 * - Every identity number is synthetic (Tenor/Dolly, month + 80/40): none can be a real person's.
 * - The business clock is not driven: the workflow opens cases for what is in arrears today, and
 *   escalates those nobody contacts when their first-contact deadline passes (five working days).
 *
 * Environment: DEMO_API_URL (default http://API_HOST:API_PORT), DEMO_MUNICIPALITY (5035),
 * DEMO_DWELLINGS (341; fewer for tests, split in the same proportions), DEMO_MONTHS (18), DEMO_SEED (1).
 * `--if-empty` loads nothing when the municipality already has an import (the first start with
 * DEMO_DATA=true). Idempotent either way: loading it again changes nothing.
 */
import { formatKroner, syntheticNationalIds } from '@evp/shared-kernel';

type Behaviour = 'on-time' | 'late' | 'partial' | 'spell' | 'chronic';

export interface DemoTenancy {
  readonly tenancyId: string;
  readonly address: string;
  readonly monthlyRentOre: number;
  readonly landlordKind: 'kommunal' | 'privat';
  readonly tenants: ReadonlyArray<{ nationalId: string; name: string }>;
  readonly behaviour: Behaviour;
}

export interface DemoPosting {
  readonly tenancyId: string;
  readonly voucherRef: string;
  readonly type: 'faktura' | 'innbetaling';
  readonly date: string;
  readonly dueDate?: string;
  readonly period?: string;
  readonly amountOre: number;
}

export interface DemoData {
  readonly municipality: string;
  readonly tenancies: readonly DemoTenancy[];
  readonly postings: readonly DemoPosting[];
}

/** The plan's table of monthly rents for municipal dwellings by size (31.12.2024), and how many of each we let. */
const MUNICIPAL_RENTS: ReadonlyArray<[rooms: string, rentKroner: number, share: number]> = [
  ['1 rom', 6277, 0.3],
  ['2 rom', 9282, 0.33],
  ['3 rom', 11997, 0.2],
  ['4 rom', 13045, 0.1],
  ['5 rom', 16788, 0.05],
  ['6+ rom', 17666, 0.02],
];
const LEASED_MIN = 7105;
const LEASED_MAX = 18127;

const FIRST = ['Ola', 'Kari', 'Per', 'Anne', 'Jonas', 'Ingrid', 'Lars', 'Silje', 'Ahmed', 'Fatima', 'Marius', 'Nora', 'Emil', 'Sara', 'Kristian', 'Hanne', 'Mohammad', 'Aisha', 'Sindre', 'Ida', 'Jørgen', 'Åse', 'Øystein', 'Bjørg', 'Tor', 'Liv', 'Magnus', 'Maja'];
const LAST = ['Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen', 'Kristiansen', 'Jensen', 'Karlsen', 'Berg', 'Haugen', 'Hagen', 'Dahl', 'Halvorsen', 'Lund', 'Sørensen', 'Ødegård', 'Brække', 'Moen', 'Aune', 'Sandvik', 'Husby', 'Flornes'];
const STREETS = ['Kjøpmannsgata', 'Innherredsvegen', 'Stokkanvegen', 'Sandskogan', 'Fosslia', 'Husbyvegen', 'Hegramovegen', 'Vinkelvegen', 'Prestmoen', 'Skjelstadmarkvegen', 'Ole Vig-gate', 'Værnesgata'];

/**
 * How households pay, in fixed shares. Every kind of arrears is periodic or carried, so the
 * municipality is in a steady state over the 18 months, as a real one is — not one whose debts all
 * began the day its history did: most pay on or before the due date; some pay late every month;
 * some pay part of the rent and clear the shortfall twice a year (NAV, a payment plan); some have
 * a spell of unpaid months once a year and pay it back; a few carry old arrears from before the
 * history starts and keep paying the running rent.
 */
const BEHAVIOURS: ReadonlyArray<[Behaviour, number]> = [
  ['late', 0.09],
  ['partial', 0.05],
  ['spell', 0.05],
  ['chronic', 0.06],
];

function shuffled<T>(items: T[], rnd: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** A small deterministic generator (the demo is the same every time for the same seed). */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const pad = (n: number) => String(n).padStart(2, '0');
const addMonths = (month: string, n: number) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + n;
  return `${Math.floor(i / 12)}-${pad((i % 12) + 1)}`;
};
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The whole synthetic municipality, as of `today`. Pure: the same inputs give the same files. */
export function generateDemo(options: { today: string; municipality?: string; dwellings?: number; months?: number; seed?: number }): DemoData {
  const municipality = options.municipality ?? '5035';
  const dwellings = options.dwellings ?? 341;
  const monthsBack = options.months ?? 18;
  const rnd = random(options.seed ?? 1);
  const municipal = Math.round((dwellings * 201) / 341);
  const ids = syntheticNationalIds(dwellings * 2, options.seed ?? 1);
  // Fixed shares, spread over the portfolio at random: the figures then land where the plan's do for any seed.
  const behaviours = shuffled(
    BEHAVIOURS.flatMap(([behaviour, share]) => Array.from({ length: Math.round(dwellings * share) }, () => behaviour)),
    rnd,
  );
  while (behaviours.length < dwellings) behaviours.push('on-time');
  const tenancies: DemoTenancy[] = [];
  for (let i = 0; i < dwellings; i++) {
    const isMunicipal = i < municipal;
    let rentKroner: number;
    if (isMunicipal) {
      // Walk the size table by its shares, so every size appears in proportion.
      let at = (i + 0.5) / municipal;
      const row = MUNICIPAL_RENTS.find(([, , share]) => (at -= share) < 0) ?? (MUNICIPAL_RENTS[MUNICIPAL_RENTS.length - 1] as (typeof MUNICIPAL_RENTS)[number]);
      rentKroner = row[1];
    } else {
      rentKroner = Math.round(LEASED_MIN + rnd() * (LEASED_MAX - LEASED_MIN));
    }
    const behaviour = behaviours[i] as Behaviour;
    const tenantCount = rnd() < 0.3 ? 2 : 1;
    const last = LAST[Math.floor(rnd() * LAST.length)] as string;
    tenancies.push({
      tenancyId: String((isMunicipal ? 100_000 : 200_000) + i + 1),
      address: `${STREETS[Math.floor(rnd() * STREETS.length)]} ${1 + Math.floor(rnd() * 60)}, 7500 Stjørdal`,
      monthlyRentOre: rentKroner * 100,
      landlordKind: isMunicipal ? 'kommunal' : 'privat',
      tenants: Array.from({ length: tenantCount }, (_, t) => ({ nationalId: ids[i * 2 + t] as string, name: `${FIRST[Math.floor(rnd() * FIRST.length)]} ${last}` })),
      behaviour,
    });
  }

  const current = options.today.slice(0, 7);
  const postings: DemoPosting[] = [];
  for (const t of tenancies) {
    const partialShare = 0.72 + rnd() * 0.16;
    const phase = Math.floor(rnd() * 12);
    const spellMonths = 2 + Math.floor(rnd() * 4);
    const pay = (date: string, amountOre: number, n = 1) => {
      if (date <= options.today && amountOre > 0) postings.push({ tenancyId: t.tenancyId, voucherRef: `I-${date.replace(/-/g, '')}-${t.tenancyId}-${n}`, type: 'innbetaling', date, amountOre });
    };
    const first = addMonths(current, -(monthsBack - 1));
    if (t.behaviour === 'chronic') {
      // Arrears from before the history starts (4–11 months' rent), carried in as an open invoice of the first month.
      postings.push({ tenancyId: t.tenancyId, voucherRef: `F-OVERFORT-${t.tenancyId}`, type: 'faktura', date: `${addMonths(first, -1)}-15`, dueDate: `${first}-01`, period: first, amountOre: t.monthlyRentOre * (4 + Math.floor(rnd() * 8)) });
    }
    let shortfall = 0;
    let unpaid = 0;
    for (let k = monthsBack - 1; k >= 0; k--) {
      const month = addMonths(current, -k);
      const due = `${month}-01`;
      const invoiced = `${addMonths(month, -1)}-15`;
      postings.push({ tenancyId: t.tenancyId, voucherRef: `F-${month.replace('-', '')}-${t.tenancyId}`, type: 'faktura', date: invoiced, dueDate: due, period: month, amountOre: t.monthlyRentOre });
      const cycle = (k + phase) % 12;
      switch (t.behaviour) {
        case 'on-time':
        case 'chronic':
          // By avtaleGiro or a day or two ahead: never after the due date.
          pay(addDays(due, -Math.floor(rnd() * 3)), t.monthlyRentOre);
          break;
        case 'late':
          // Pays every month, one to four weeks late: in arrears for a while each month.
          pay(addDays(due, 7 + Math.floor(rnd() * 22)), t.monthlyRentOre);
          break;
        case 'partial': {
          // Pays what they can; twice a year the shortfall is cleared at once.
          const part = Math.round((t.monthlyRentOre * partialShare) / 100) * 100;
          pay(addDays(due, Math.floor(rnd() * 5)), part);
          shortfall += t.monthlyRentOre - part;
          if (cycle % 6 === 0) {
            pay(addDays(due, 12), shortfall, 2);
            shortfall = 0;
          }
          break;
        }
        case 'spell':
          // Once a year a few months go unpaid; the next month's payment clears them.
          if (cycle < spellMonths) {
            unpaid += t.monthlyRentOre;
          } else {
            pay(due, t.monthlyRentOre + unpaid);
            unpaid = 0;
          }
          break;
      }
    }
  }
  return { municipality, tenancies, postings };
}

export function tenanciesCsv(data: DemoData): string {
  const lines = ['kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn'];
  for (const t of data.tenancies) for (const p of t.tenants) lines.push([data.municipality, t.tenancyId, t.address, formatKroner(t.monthlyRentOre), t.landlordKind, 'nav-stjordal', p.nationalId, p.name].join(';'));
  return `${lines.join('\n')}\n`;
}

export function postingsCsv(municipality: string, postings: readonly DemoPosting[]): string {
  const lines = ['kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop'];
  for (const p of postings) lines.push([municipality, p.tenancyId, p.voucherRef, p.type, p.date, p.dueDate ?? '', p.period ?? '', formatKroner(p.amountOre)].join(';'));
  return `${lines.join('\n')}\n`;
}

// ---- loading it through the api --------------------------------------------------------------

interface Answer<T> {
  status: number;
  body: T;
  /** The api answered from its Idempotency-Key record: this exact request was made before. */
  replayed: boolean;
}

async function call<T>(base: string, method: string, path: string, options: { token?: string; json?: unknown; csv?: string; key?: string } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  if (options.key) headers['idempotency-key'] = options.key;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.csv !== undefined) {
    headers['content-type'] = 'text/csv';
    body = options.csv;
  }
  const response = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed as T, replayed: response.headers.get('idempotent-replayed') === 'true' };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Gav opp å vente på ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function expect2xx<T>(what: string, answer: Answer<T>): T {
  if (answer.status < 200 || answer.status >= 300) throw new Error(`${what} svarte ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
  return answer.body;
}

export async function loadDemo(base: string, options: { municipality: string; dwellings: number; months: number; seed: number; ifEmpty: boolean; log: (line: string) => void }): Promise<{ loaded: boolean; seconds: number }> {
  const started = Date.now();
  const { log } = options;
  const config = await until('api-et', async () => {
    const answer = await call<{ today: string; devSignIn: boolean }>(base, 'GET', '/api/config');
    return answer.status === 200 ? answer.body : undefined;
  }, 120_000);
  if (!config.devSignIn) throw new Error('Api-et tilbyr ikke utviklingsinnlogging (NODE_ENV må være development eller test): demodata lastes aldri i produksjon.');
  const token = async (role: string, extra: Record<string, unknown> = {}) =>
    expect2xx(`token for ${role}`, await call<{ token: string }>(base, 'POST', '/api/dev/token', { json: { role, municipalities: [options.municipality], ...extra } })).token;
  const accounting = await token('accounting');
  const admin = await token('admin');
  const nav = await token('nav-adviser', { navOffice: 'nav-stjordal' });
  const m = options.municipality;

  if (options.ifEmpty) {
    const history = await until('importhistorikken', async () => {
      const answer = await call<{ items: unknown[] }>(base, 'GET', `/api/v1/ledger/imports?municipality=${m}&limit=1`, { token: accounting });
      return answer.status === 200 ? answer.body : undefined;
    }, 120_000);
    if (history.items.length > 0) {
      log(`Kommune ${m} har allerede data; demodata lastes ikke.`);
      return { loaded: false, seconds: (Date.now() - started) / 1000 };
    }
  }

  const data = generateDemo({ today: config.today, municipality: m, dwellings: options.dwellings, months: options.months, seed: options.seed });
  const registered = expect2xx('leieforholdene', await call<{ tenancies: number }>(base, 'POST', '/api/v1/ledger/tenancies/imports', { token: accounting, csv: tenanciesCsv(data), key: `demo-${m}-${options.seed}-tenancies` }));
  log(`Registrerte ${registered.tenancies} leieforhold (${data.tenancies.filter((t) => t.landlordKind === 'kommunal').length} kommunale, ${data.tenancies.filter((t) => t.landlordKind === 'privat').length} innleide).`);

  // Each file holds the whole history of its tenancies: a payment never arrives in a later file
  // than its invoice, so the workflow never sees a paid month as unpaid on the way.
  const files = 4;
  const perFile = Math.ceil(data.tenancies.length / files);
  for (let f = 0; f < files; f++) {
    const ids = new Set(data.tenancies.slice(f * perFile, (f + 1) * perFile).map((t) => t.tenancyId));
    if (ids.size === 0) continue;
    const postings = data.postings.filter((p) => ids.has(p.tenancyId));
    const answer = await call<{ lines: number; eventsWritten: number }>(base, 'POST', '/api/v1/ledger/imports', { token: accounting, csv: postingsCsv(m, postings), key: `demo-${m}-${options.seed}-postings-${f + 1}` });
    const result = expect2xx(`posteringsfil ${f + 1}`, answer);
    log(`Posteringsfil ${f + 1}/${files}: ${result.lines} linjer${answer.replayed ? ', lastet før' : `, ${result.eventsWritten} nye hendelser`}.`);
  }

  let streak = 0;
  await until('at arbeideren tar igjen loggen', async () => {
    const lag = await call<{ caughtUp: boolean }>(base, 'GET', '/api/v1/operator/lag', { token: admin });
    streak = lag.status === 200 && lag.body.caughtUp ? streak + 1 : 0;
    return streak >= 3 ? true : undefined;
  }, 300_000);

  const cases = expect2xx('sakene', await call<{ total: number; items: Array<{ caseId: string }> }>(base, 'GET', `/api/v1/cases?municipality=${m}&status=active&limit=500`, { token: accounting }));
  // NAV reaches about half the households before the deadline; the rest escalate to the team when it passes.
  let contacts = 0;
  for (const [i, c] of cases.items.entries()) {
    if (i % 2 !== 0) continue;
    const answer = await call(base, 'POST', `/api/v1/cases/${c.caseId}/contacts`, { token: nav, json: { channel: i % 4 === 0 ? 'phone' : 'home-visit' }, key: `demo-contact-${c.caseId}` });
    if (answer.status === 201) contacts += 1;
  }
  const activity = await warningsAndNav(base, { municipality: m, seed: options.seed, today: config.today, landlord: await token('landlord', { landlordId: 'demo-utleier' }), nav, admin });
  const dashboard = await call<{ months: Array<{ month: string; outstandingShare: number | null; outstandingOre: number }> }>(base, 'GET', `/api/v1/dashboard?municipality=${m}`, { token: admin });
  const latest = dashboard.body.months?.[dashboard.body.months.length - 1];
  const seconds = (Date.now() - started) / 1000;
  log(`${cases.total} aktive saker åpnet av arbeidsflyten, kontakt registrert på ${contacts}.`);
  if (activity.claimed > 0) log(`${activity.warnings} varsler om fravikelse fra en privat utleier, sendt til NAV; NAV tok ${activity.claimed} henvisninger og startet økonomisk rådgivning (§ 17) for ${activity.adviceStarted}.`);
  if (latest?.outstandingShare != null) log(`Utestående husleie ${latest.month}: ${formatKroner(latest.outstandingOre)} kr, ${(latest.outstandingShare * 100).toFixed(2).replace('.', ',')} % av fakturert siste 12 måneder.`);
  log(`Demodata lastet på ${seconds.toFixed(1).replace('.', ',')} s. Logg inn som husleierestanseteam eller regnskap for kommune ${m}.`);
  return { loaded: true, seconds };
}

const DEMO_WARNINGS = 4;

/**
 * A little of the rest of the path, through the real endpoints: a private landlord's § 9-11
 * warnings (the worker forwards them to NAV), one petition filed and one warning withdrawn (an
 * eviction avoided); NAV's adviser picks up the referrals, and economic advice under § 17 is
 * asked for, decided and started for one household. Dated today; every key fixed, so loading the
 * demo again changes nothing.
 */
async function warningsAndNav(
  base: string,
  options: { municipality: string; seed: number; today: string; landlord: string; nav: string; admin: string },
): Promise<{ warnings: number; claimed: number; adviceStarted: number }> {
  const { municipality: m, seed, today, landlord, nav } = options;
  const tenants = syntheticNationalIds(DEMO_WARNINGS, 9000 + seed);
  const warningIds: string[] = [];
  let fresh = false;
  for (let i = 0; i < DEMO_WARNINGS; i++) {
    const answer = await call<{ warningId: string }>(base, 'POST', '/api/v1/warnings', {
      token: landlord,
      key: `demo-${m}-${seed}-warning-${i + 1}`,
      json: {
        landlord: { kind: 'company', name: 'Værnes Utleie AS', organisationNumber: '974760673' },
        municipalityNumber: m,
        dwelling: { address: `${STREETS[(i * 5) % STREETS.length]} ${20 + i}, 7500 Stjørdal` },
        tenants: [{ nationalId: tenants[i] as string, name: `${FIRST[(i * 7 + 3) % FIRST.length]} ${LAST[(i * 11 + 5) % LAST.length]}`, noticeSentOn: addDays(today, -14) }],
        ground: 'unpaid-rent',
        arrears: { amount: formatKroner(1855400 + i * 92800), months: [addMonths(today.slice(0, 7), -2), addMonths(today.slice(0, 7), -1)] },
        plannedPetitionOn: addDays(today, 14),
        declarations: { tenantGotCopy: true, noWrittenObjectionReceived: true },
      },
    });
    // An installation that does not serve the municipality (WARNING_NAV_OFFICES) refuses its warnings: then there are none.
    if (answer.status === 422 && JSON.stringify(answer.body).includes('municipalityNumber')) return { warnings: 0, claimed: 0, adviceStarted: 0 };
    warningIds.push(expect2xx(`varsel ${i + 1}`, answer).warningId);
    fresh ||= !answer.replayed;
  }
  if (!fresh) return { warnings: warningIds.length, claimed: 0, adviceStarted: 0 }; // loaded before: the rest was done then
  // The worker forwards them to NAV, whose inbox then holds a referral for each household.
  const referrals = await until('henvisningene i NAVs innboks', async () => {
    const inbox = await call<{ items: Array<{ caseId: string }> }>(base, 'GET', '/api/v1/nav/inbox?view=unclaimed&limit=50', { token: nav });
    return inbox.status === 200 && inbox.body.items.length >= DEMO_WARNINGS ? inbox.body.items : undefined;
  }, 60_000);
  const [petitioned, withdrawn] = warningIds as [string, string];
  expect2xx('begjæring sendt', await call(base, 'POST', `/api/v1/warnings/${petitioned}/updates`, { token: landlord, key: `demo-${m}-${seed}-petition-1`, json: { kind: 'petition-filed', filedOn: today } }));
  expect2xx('varsel trukket tilbake', await call(base, 'POST', `/api/v1/warnings/${withdrawn}/updates`, { token: landlord, key: `demo-${m}-${seed}-withdrawn-1`, json: { kind: 'withdrawn' } }));
  // The adviser picks up all but one (it waits in the inbox), and starts § 17 advice for the first.
  let claimed = 0;
  for (const referral of referrals.slice(0, referrals.length - 1)) {
    expect2xx('henvisning tatt', await call(base, 'POST', `/api/v1/nav/cases/${referral.caseId}/claim`, { token: nav }));
    claimed += 1;
  }
  const first = (referrals[0] as { caseId: string }).caseId;
  const step = async (what: string, key: string, json: Record<string, unknown>) => expect2xx(what, await call<{ id: string | null }>(base, 'POST', `/api/v1/nav/cases/${first}/steps`, { token: nav, key: `demo-${m}-${seed}-${key}`, json }));
  const request = await step('søknad om økonomisk rådgivning', 'advice-requested', { type: 'economic-advice-requested', form: 'oral' });
  await step('vedtak om økonomisk rådgivning', 'advice-decided', { type: 'economic-advice-decided', requestId: request.id, outcome: 'granted' });
  await step('oppstart av økonomisk rådgivning', 'advice-started', { type: 'economic-advice-started', requestId: request.id });
  return { warnings: warningIds.length, claimed, adviceStarted: 1 };
}

async function main(): Promise<void> {
  const env = process.env;
  const base = (env['DEMO_API_URL'] ?? `http://${env['API_HOST'] ?? '127.0.0.1'}:${env['API_PORT'] ?? '3000'}`).replace(/\/+$/, '');
  const number = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} må være et positivt heltall`);
    return value;
  };
  await loadDemo(base, {
    municipality: env['DEMO_MUNICIPALITY'] ?? '5035',
    dwellings: number('DEMO_DWELLINGS', 341),
    months: number('DEMO_MONTHS', 18),
    seed: number('DEMO_SEED', 1),
    ifEmpty: process.argv.includes('--if-empty'),
    log: (line) => console.log(line),
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
