import type { ExternalIssuerOptions, IdPortenAcr } from '@evp/auth';
import { checkEventStoreConnectionString } from '@evp/event-store';
import type { ReadModelBackend } from '@evp/read-models';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * The one validated configuration (ARCHITECTURE.md, "Configuration"). Read once at start-up from
 * the environment; a wrong or missing value stops the process with one line naming the variable.
 */
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().min(1);

export type Environment = 'development' | 'test' | 'production';
/**
 * Fail closed (invariant 14): anything but exactly `development` or `test` — unset, empty, `prod`,
 * a typo — is production. Not an error, so nobody "fixes" an unknown value by deleting it.
 */
const environment = z
  .string()
  .optional()
  .transform((v): Environment => (v === 'development' || v === 'test' ? v : 'production'));

/**
 * Algorithms a real key source may be configured to accept: asymmetric, SHA-256 only. HS* would let
 * the public key serve as an HMAC secret, `none` is no signature. The token verifier (@evp/auth
 * TOKEN_ALGORITHMS) holds the same list and refuses anything else again.
 */
const TOKEN_ALGORITHMS: readonly string[] = ['RS256', 'ES256', 'PS256'];

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an https:// URL (http:// only outside production)' });
const commaList = z
  .string()
  .transform((v) => v.split(',').map((a) => a.trim()).filter((a) => a !== ''))
  .refine((list) => list.length > 0, 'must name at least one value');
const algorithmList = z
  .string()
  .transform((v) => v.split(',').map((a) => a.trim()).filter((a) => a !== ''))
  .refine((list) => list.length > 0 && list.every((a) => TOKEN_ALGORITHMS.includes(a)), `must be a comma-separated list of ${TOKEN_ALGORITHMS.join(', ')}`);
const lifetime = z.coerce.number().int().min(60).max(24 * 3600);
const tokenType = z.string().regex(/^[A-Za-z0-9.+/-]{1,60}$/, 'must be a media type such as at+jwt');
/** ID-porten's assurance levels a landlord may sign in with (never `idporten-loa-low`). */
const ID_PORTEN_ACR: readonly string[] = ['idporten-loa-substantial', 'idporten-loa-high'];
/** The development defaults of AUTH_ISSUER and AUTH_AUDIENCE, refused in production (anyone could mint for them). */
const DEV_ISSUER = 'evp-dev';
const DEV_AUDIENCE = 'evp-api';

/** What membership of one Entra ID group gives (AUTH_STAFF_GROUPS). */
const groupGrant = z
  .object({
    municipalities: z.array(z.string().regex(/^\d{4}$/, 'must be a four-digit kommunenummer')).min(1, 'must name at least one kommunenummer'),
    navOffice: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,59}$/, 'must be a NAV office id such as nav-stjordal').optional(),
  })
  .strict();
const groupMapping = z.record(z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a group object id'), groupGrant).refine((m) => Object.keys(m).length > 0, 'must map at least one group');
export type StaffGroupMapping = z.infer<typeof groupMapping>;

/**
 * The staff group mapping from AUTH_STAFF_GROUPS (JSON) or the file AUTH_STAFF_GROUPS_FILE, or why
 * not (one line naming where). Read at start-up only.
 */
export function readStaffGroups(config: Pick<AppConfig, 'AUTH_STAFF_GROUPS' | 'AUTH_STAFF_GROUPS_FILE'>): { groups: StaffGroupMapping } | { variable: string; problem: string } {
  const variable = config.AUTH_STAFF_GROUPS_FILE ? 'AUTH_STAFF_GROUPS_FILE' : 'AUTH_STAFF_GROUPS';
  let text: string | undefined = config.AUTH_STAFF_GROUPS;
  if (config.AUTH_STAFF_GROUPS_FILE) {
    try {
      text = readFileSync(config.AUTH_STAFF_GROUPS_FILE, 'utf8');
    } catch (error) {
      return { variable, problem: `cannot be read (${(error as { code?: string }).code ?? 'error'})` };
    }
  }
  if (text === undefined) return { variable, problem: 'is required with AUTH_STAFF_ISSUER (group object id → municipalities and NAV office)' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { variable, problem: 'must be JSON: {"<group object id>": {"municipalities": ["5035"], "navOffice": "nav-stjordal"}}' };
  }
  const parsed = groupMapping.safeParse(json);
  if (parsed.success) return { groups: parsed.data };
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  return { variable, problem: `${issue.path.length ? `at ${issue.path.join('.')}: ` : ''}${issue.message}` };
}

const schema = z
  .object({
    /** The resolved environment: `development`, `test` or (for anything else, unset included) `production`. */
    NODE_ENV: environment,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    EVENT_STORE: z.enum(['sqlite', 'eventstoredb']).default('sqlite'),
    SQLITE_FILE: z.string().min(1).default('./data/events.sqlite'),
    /** Fallback only: other processes' appends wake subscriptions at once through a file watch. */
    SQLITE_POLL_INTERVAL_MS: positiveInt.default(100),
    /**
     * How long an append waits for another process's write lock (a large import) before it fails as
     * unavailable. The wait is asynchronous, so the process keeps answering meanwhile.
     */
    SQLITE_BUSY_TIMEOUT_MS: positiveInt.default(30_000),
    EVENTSTORE_CONNECTION_STRING: z
      .string()
      .regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//, 'must start with esdb:// (e.g. esdb://127.0.0.1:2113?tls=false)')
      .optional(),
    REDIS_URL: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
    /** Prefix for every Redis key and BullMQ queue, so tests and installations can share a server. */
    REDIS_PREFIX: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'must be 1-40 of a-z, 0-9, _ or -').default('evp'),
    API_HOST: z.string().default('127.0.0.1'),
    API_PORT: port.default(3000),
    WORKER_HOST: z.string().default('127.0.0.1'),
    WORKER_PORT: port.default(3001),
    /**
     * What this worker process runs. `all` (the default): everything, in one process. A large
     * municipality's imports go faster split over two processes, on two cores: one `projections`
     * (every SQL projection, its rebuilds, and the periodic read-model work that keeps their
     * tables) and one `workflows` (the workflows, their deadlines, BullMQ's timers and the sweeps).
     * Run each part in exactly one process of an installation, and list both in the api's WORKER_URL.
     */
    WORKER_ROLE: z.enum(['all', 'projections', 'workflows'], { error: 'must be all, projections or workflows' }).default('all'),
    /** How often the sweeper re-derives pending deadlines from the state (a lost Redis key is found within this). */
    TIMER_SWEEP_INTERVAL_MS: positiveInt.default(60_000),
    /**
     * How long a firing deadline's lock lasts. A worker that dies while firing leaves its jobs locked;
     * BullMQ hands them to another worker after at most about twice this.
     */
    TIMER_LOCK_MS: positiveInt.default(30_000),
    /** A handler that fails this many times in a row on one event parks it. */
    SUBSCRIPTION_MAX_ATTEMPTS: positiveInt.default(5),
    /** The worker's `/health` turns red when a subscription's oldest unhandled event is older than this. */
    SUBSCRIPTION_MAX_LAG_MS: positiveInt.default(60_000),
    /**
     * The worker's `/health` turns red when a projection's rebuild has handled nothing for this long
     * while it still had events to handle (a rebuild's lag never does: it is behind by design).
     */
    REBUILD_STALL_MS: positiveInt.default(600_000),
    /**
     * Where read models live: `sqlite` (default, one machine: the worker writes the file, the api
     * reads it) or `postgres` (when the installation grows). Derived from events; rebuilt on loss.
     */
    /**
     * Accept synthetic identity numbers (Tenor: month + 80, Dolly: month + 40) in input. Unset: yes in
     * development and test, no in production, where a synthetic number is a mistake in real data.
     */
    ALLOW_SYNTHETIC_IDS: bool.optional(),
    READ_MODEL_STORE: z.enum(['sqlite', 'postgres']).default('sqlite'),
    READ_MODEL_SQLITE_FILE: z.string().min(1).default('./data/read-models.sqlite'),
    /**
     * A worker split by WORKER_ROLE on SQLite: the workflows process keeps its tables (pending
     * deadlines, ignored inputs, the workflows' checkpoints) in this file of its own, so the two
     * processes never wait for each other's write lock. Default: workflows.sqlite beside
     * READ_MODEL_SQLITE_FILE. Nothing the api reads is in it.
     */
    WORKFLOWS_SQLITE_FILE: z.string().min(1).optional(),
    READ_MODEL_POSTGRES_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL').optional(),
    READ_MODEL_POSTGRES_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be lowercase letters, digits and _').default('evp'),
    /**
     * Test-only: a file holding the current instant, read by every process's clock, so end-to-end
     * tests drive business time. Refused unless NODE_ENV=test.
     */
    TEST_CLOCK_FILE: z.string().min(1).optional(),

    AUTH_ISSUER: z.string().min(1).default('evp-dev'),
    AUTH_AUDIENCE: z.string().min(1).default('evp-api'),
    /** The identity provider's key set; https only in production (checked below), http allowed for local test servers. */
    AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an https:// URL (http:// only outside production)' }).optional(),
    AUTH_PUBLIC_KEY_FILE: z.string().min(1).optional(),
    /** Accept tokens signed with the public development key (`npm run token`). Only in development and test. */
    AUTH_DEV_KEY: bool.optional(),
    /** Signature algorithms accepted from AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE, comma-separated. */
    AUTH_ALGORITHMS: z
      .string()
      .default('RS256,ES256')
      .transform((v) => v.split(',').map((a) => a.trim()).filter((a) => a !== ''))
      .refine((list) => list.length > 0 && list.every((a) => TOKEN_ALGORITHMS.includes(a)), `must be a comma-separated list of ${TOKEN_ALGORITHMS.join(', ')}`),
    /** Longest accepted token life (`exp - iat`, or `exp - now` without `iat`): a leaked token stays useful no longer. */
    AUTH_MAX_TOKEN_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(24 * 3600).default(3600),
    /** Tolerance for `exp`, `nbf` and `iat` between our clock and the identity provider's. */
    AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    /**
     * The internal issuer (AUTH_ISSUER and its key source): tokens that carry our own claims. On by
     * default; switch it off when only the organisations' identity providers (AUTH_STAFF_*,
     * AUTH_LANDLORD_*) sign people in. Off, AUTH_ISSUER / AUTH_AUDIENCE and its key are not used.
     */
    AUTH_INTERNAL_ENABLED: bool.default(true),
    /**
     * Staff through the organisation's Entra ID: access tokens for the api's app registration (v2:
     * `accessTokenAcceptedVersion: 2`). Roles from the app roles (`evp.accounting`, …), municipalities
     * and NAV office from the `groups` claim through AUTH_STAFF_GROUPS or AUTH_STAFF_GROUPS_FILE.
     */
    AUTH_STAFF_ISSUER: z.string().min(1).optional(),
    /** The api's application (client) id, or comma-separated ids / `api://…` URIs. */
    AUTH_STAFF_AUDIENCE: commaList.optional(),
    AUTH_STAFF_JWKS_URL: httpUrl.optional(),
    AUTH_STAFF_ALGORITHMS: algorithmList.default(['RS256']),
    /** The header `typ` required of staff tokens; unchecked when unset (Entra ID sets `JWT`). */
    AUTH_STAFF_TOKEN_TYPE: tokenType.optional(),
    /** Entra ID's access tokens live 60–90 minutes by default. */
    AUTH_STAFF_MAX_TOKEN_LIFETIME_SECONDS: lifetime.default(5400),
    /** App roles are named `<prefix><role>` (`evp.nav-adviser`). */
    AUTH_STAFF_ROLE_PREFIX: z.string().regex(/^[A-Za-z0-9._:-]{0,40}$/, 'must be up to 40 of A-Z, a-z, 0-9, ., _, : or -').default('evp.'),
    /** Group object id → `{ "municipalities": ["5035"], "navOffice": "nav-stjordal" }`, as JSON (or AUTH_STAFF_GROUPS_FILE). */
    AUTH_STAFF_GROUPS: z.string().min(1).optional(),
    AUTH_STAFF_GROUPS_FILE: z.string().min(1).optional(),
    /** Landlords through ID-porten: self-contained (JWT) access tokens with `pid` and `acr`. */
    AUTH_LANDLORD_ISSUER: z.string().min(1).optional(),
    /** The audience registered for the api's resource in ID-porten (comma-separated for several). */
    AUTH_LANDLORD_AUDIENCE: commaList.optional(),
    AUTH_LANDLORD_JWKS_URL: httpUrl.optional(),
    AUTH_LANDLORD_ALGORITHMS: algorithmList.default(['RS256']),
    /** The header `typ` required of landlord tokens (`at+jwt` for RFC 9068 access tokens); unchecked when unset. */
    AUTH_LANDLORD_TOKEN_TYPE: tokenType.optional(),
    AUTH_LANDLORD_MAX_TOKEN_LIFETIME_SECONDS: lifetime.optional(),
    /** Accepted assurance levels (`acr`), comma-separated. */
    AUTH_LANDLORD_ACR: z
      .string()
      .default(ID_PORTEN_ACR.join(','))
      .transform((v) => v.split(',').map((a) => a.trim()).filter((a) => a !== ''))
      .refine((list) => list.length > 0 && list.every((a) => ID_PORTEN_ACR.includes(a)), `must be a comma-separated list of ${ID_PORTEN_ACR.join(', ')}`),
    /** Where an ID-porten landlord may submit warnings; default the municipalities of WARNING_NAV_OFFICES. */
    AUTH_LANDLORD_MUNICIPALITIES: z
      .string()
      .optional()
      .transform((v) => (v === undefined ? undefined : v.split(',').map((m) => m.trim()).filter((m) => m !== '')))
      .refine((list) => list === undefined || (list.length > 0 && list.every((m) => /^\d{4}$/.test(m))), 'must be comma-separated four-digit kommunenumre'),
    /**
     * Verified tokens are remembered (by a hash of the token) for at most AUTH_TOKEN_CACHE_SECONDS
     * and never past their `exp`, so a request does not pay for a signature check; a key revoked
     * meanwhile does not shorten that. AUTH_TOKEN_CACHE_SIZE=0 verifies every request.
     */
    AUTH_TOKEN_CACHE_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
    AUTH_TOKEN_CACHE_SECONDS: z.coerce.number().int().min(1).max(900).default(300),
    /**
     * Secret for deriving opaque person ids from identity numbers (HMAC-SHA256), so the same person
     * gets the same id without the id revealing the number; actor ids are keyed from it too.
     * At least 32 random bytes, as hex or base64 (checked below). Required in production.
     */
    PERSON_ID_KEY: z.string().optional(),
    /**
     * Where the per-person data keys live (crypto-shredding, invariant 7): an SQLite file of their
     * own, or a schema of their own in the read models' PostgreSQL (READ_MODEL_POSTGRES_URL). Never
     * the event store and never a read model: nothing rebuilds this store, so it is backed up.
     */
    PERSON_KEYS_STORE: z.enum(['sqlite', 'postgres']).default('sqlite'),
    PERSON_KEYS_SQLITE_FILE: z.string().min(1).default('./data/person-keys.sqlite'),
    PERSON_KEYS_POSTGRES_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be lowercase letters, digits and _').default('evp_keys'),
    /**
     * Secret the data keys are wrapped with (through HKDF), so a copy of the key table alone opens
     * nothing. At least 32 random bytes as hex or base64, not PERSON_ID_KEY. Required in production.
     */
    PERSON_KEYS_MASTER_KEY: z.string().optional(),
    /**
     * Years a resolved prevention case's records are kept (the municipality's oppbevaringstid under
     * arkivlova): until then its tenants' data is restricted instead of erased. Set it from the arkivplan.
     */
    PEOPLE_CASE_RETENTION_YEARS: z.coerce.number().int().min(0).max(100).default(10),

    /** Policy numbers (README, "Case policy"). */
    POLICY_ARREARS_MONTHS_OF_RENT: z.coerce.number().positive().max(12).default(1),
    POLICY_GRACE_WORKING_DAYS: z.coerce.number().int().min(0).max(20).default(3),
    POLICY_DAYS_PAST_GRACE_TO_OPEN: z.coerce.number().int().min(1).max(365).default(14),
    POLICY_FIRST_CONTACT_WORKING_DAYS: z.coerce.number().int().min(1).max(60).default(5),

    /**
     * § 9-11 warnings: every length of the statutory deadline engine (libs/warnings/domain,
     * deadline-engine.ts), each with its unit. Defaults are the law's and Husbanken's numbers.
     */
    /** tvangsfullbyrdelsesloven § 4-18 (1): calendar days from the § 4-18 notice being sent to the earliest petition. */
    WARNING_NOTICE_TO_PETITION_DAYS: z.coerce.number().int().min(1).max(60).default(14),
    /** Policy, not law: working days after sending until a posted § 4-18 notice is assumed received (the careful date). */
    WARNING_ASSUMED_RECEIPT_WORKING_DAYS: z.coerce.number().int().min(0).max(20).default(3),
    /** Husbanken's guidance: calendar days between the notice to NAV and the petition (advice, never a block). */
    WARNING_NAV_LEAD_DAYS: z.coerce.number().int().min(0).max(60).default(14),
    /** tvangsfullbyrdelsesloven § 13-6: calendar days the tenant has to object to the namsmann after receiving the letter. */
    WARNING_OBJECTION_DAYS: z.coerce.number().int().min(1).max(60).default(14),
    /** tvangsfullbyrdelsesloven § 13-11: calendar days to fetch belongings after the eviction, before the second notice. */
    WARNING_BELONGINGS_DAYS: z.coerce.number().int().min(1).max(60).default(14),
    /**
     * Which NAV office a warning about a dwelling in each municipality goes to, as
     * `kommunenummer:nav-kontor` pairs separated by commas. A warning for a municipality not listed
     * is refused (the installation does not serve it). The default is the pilot, Stjørdal.
     */
    WARNING_NAV_OFFICES: z
      .string()
      .default('5035:nav-stjordal')
      .refine((v) => v.split(',').every((pair) => /^\s*\d{4}:[a-z0-9][a-z0-9_.-]{0,59}\s*$/.test(pair)), 'must be kommunenummer:nav-kontor pairs separated by commas (e.g. 5035:nav-stjordal)')
      .transform((v) => Object.fromEntries(v.split(',').map((pair) => pair.trim().split(':') as [string, string]))),
    /**
     * Landlord ids (token `landlordId`) of the municipalities' own property units, comma-separated.
     * Only they (and only in the municipalities their token names) may submit a warning as the
     * municipal landlord and link it to a municipal tenancy. Unset: nobody in production (fail
     * closed); in development and test, any landlord token that acts in the dwelling's municipality.
     */
    WARNING_MUNICIPAL_LANDLORD_IDS: z
      .string()
      .optional()
      .transform((v) => (v === undefined ? undefined : v.split(',').map((id) => id.trim()).filter((id) => id !== ''))),

    /**
     * NAV's follow-up (libs/nav/README.md, «Policy»). No national standard says how soon NAV must pick up a
     * referral: the municipality sets it. A referral not claimed within this many Norwegian working
     * days after it arrived escalates to the office lead and the husleierestanseteam, once.
     */
    NAV_PICKUP_WORKING_DAYS: z.coerce.number().int().min(1).max(30).default(3),
    /**
     * The office's norm for starting economic advice (sosialtjenesteloven § 17) after the request,
     * in working days; a later start needs a reason (the county governor's audit asks whether the
     * service started in time — the law says «uten ugrunnet opphold», the number is local).
     */
    NAV_ADVICE_START_NORM_WORKING_DAYS: z.coerce.number().int().min(1).max(60).default(10),
    /** Calendar days after an instalment's due date within which a payment still counts as on time (the payment plan's default tolerance). */
    PAYMENT_PLAN_TOLERANCE_DAYS: z.coerce.number().int().min(0).max(31).default(5),
    /** Day of the month on which income management's monthly check looks for the rent paid from it (calendar day, 1–28). */
    NAV_INCOME_MANAGEMENT_CHECK_DAY: z.coerce.number().int().min(1).max(28).default(10),

    /** Largest accepted upload (bytes). */
    MAX_IMPORT_BYTES: positiveInt.default(32 * 1024 * 1024),

    /**
     * The web app's sign-in in production: OpenID Connect, authorization code with PKCE, run by the
     * browser (the pages never see a password). Staff sign in through the organisation's Entra ID
     * (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_SCOPE), landlords through ID-porten (OIDC_LANDLORD_*).
     * A provider without issuer and client id is not offered. `GET /api/config` publishes them.
     */
    OIDC_ISSUER: z.url({ protocol: /^https?$/, error: 'must be an https:// URL (http:// only outside production)' }).optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_SCOPE: z.string().min(1).default('openid profile'),
    OIDC_LANDLORD_ISSUER: z.url({ protocol: /^https?$/, error: 'must be an https:// URL (http:// only outside production)' }).optional(),
    OIDC_LANDLORD_CLIENT_ID: z.string().min(1).optional(),
    OIDC_LANDLORD_SCOPE: z.string().min(1).default('openid profile'),
    /** The web app's path both providers send the browser back to; register `<origin><path>` with each. */
    OIDC_REDIRECT_PATH: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'must be a path such as /logg-inn/tilbake').default('/logg-inn/tilbake'),
    /** The built web app (apps/web, `vite build`) the api serves on its own origin; when missing the api serves only its endpoints. */
    WEB_DIST_DIR: z.string().min(1).default('./apps/web/dist'),
    /**
     * Where the api reaches the worker's operator endpoints (`/api/v1/operator/*`). Default
     * http://WORKER_HOST:WORKER_PORT. A worker split by WORKER_ROLE: both processes, comma-separated.
     */
    WORKER_URL: z
      .string()
      .transform((value) => value.split(',').map((url) => url.trim()))
      .pipe(z.array(z.url({ protocol: /^https?$/, error: 'must be http:// or https:// URLs, comma-separated' })).min(1).max(8, 'must list at most 8 workers'))
      .optional(),
    /**
     * Bearer token Prometheus scrapes `/metrics` with (api and worker). In production `/metrics`
     * exists only when it is set (32+ characters); development and test fall back to a public one.
     */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Load the synthetic Stjørdal (scripts/demo.ts) on a first start with an empty store. Development and test only. */
    DEMO_DATA: bool.default(false),
  })
  .superRefine((c, ctx) => {
    if (c.READ_MODEL_STORE === 'postgres' && !c.READ_MODEL_POSTGRES_URL) {
      ctx.addIssue({ code: 'custom', path: ['READ_MODEL_POSTGRES_URL'], message: 'is required when READ_MODEL_STORE=postgres' });
    }
    if (c.EVENT_STORE === 'eventstoredb' && c.EVENTSTORE_CONNECTION_STRING) {
      const problem = checkEventStoreConnectionString(c.EVENTSTORE_CONNECTION_STRING, c.NODE_ENV === 'production');
      if (problem) ctx.addIssue({ code: 'custom', path: ['EVENTSTORE_CONNECTION_STRING'], message: problem });
    }
    if (c.EVENT_STORE === 'eventstoredb' && !c.EVENTSTORE_CONNECTION_STRING) {
      ctx.addIssue({ code: 'custom', path: ['EVENTSTORE_CONNECTION_STRING'], message: 'is required when EVENT_STORE=eventstoredb' });
    }
    // Production-only refusals carry `production` so loadConfig can say when production was assumed.
    const inProduction = { production: true };
    if (c.NODE_ENV === 'production' && c.AUTH_DEV_KEY) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_DEV_KEY'], message: 'must not be true in production: the development key is public', params: inProduction });
    }
    if (c.AUTH_JWKS_URL && c.AUTH_PUBLIC_KEY_FILE) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_PUBLIC_KEY_FILE'], message: 'must not be set together with AUTH_JWKS_URL: choose one key source' });
    }
    // Everything production lacks, in one line: the first start of a new installation shows it all.
    const personIdKeyHint = '(32+ random bytes as hex or base64: openssl rand -hex 32)';
    if (c.NODE_ENV === 'production') {
      const missing: Array<[string, string]> = [];
      if (c.AUTH_INTERNAL_ENABLED && !c.AUTH_JWKS_URL && !c.AUTH_PUBLIC_KEY_FILE) missing.push(['AUTH_JWKS_URL', 'or AUTH_PUBLIC_KEY_FILE']);
      if (!c.PERSON_ID_KEY) missing.push(['PERSON_ID_KEY', personIdKeyHint]);
      if (!c.PERSON_KEYS_MASTER_KEY) missing.push(['PERSON_KEYS_MASTER_KEY', personIdKeyHint]);
      const [first, ...rest] = missing;
      if (first) {
        const lead = first[0] === 'AUTH_JWKS_URL' ? `${first[1]} is required in production` : `is required in production ${first[1]}`;
        const also = rest.map(([name, hint]) => `; so is ${name} ${hint}`).join('');
        ctx.addIssue({ code: 'custom', path: [first[0]], message: `${lead}${also}`, params: inProduction });
      }
    }
    if (c.NODE_ENV === 'production' && c.AUTH_JWKS_URL && new URL(c.AUTH_JWKS_URL).protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: 'must use https in production', params: inProduction });
    }
    if (c.PERSON_ID_KEY) {
      const problem = personIdKeyProblem(c.PERSON_ID_KEY);
      if (problem) ctx.addIssue({ code: 'custom', path: ['PERSON_ID_KEY'], message: problem });
    }
    if (c.TEST_CLOCK_FILE && c.NODE_ENV !== 'test') {
      ctx.addIssue({ code: 'custom', path: ['TEST_CLOCK_FILE'], message: 'is only allowed when NODE_ENV=test' });
    }
    if (c.PERSON_KEYS_STORE === 'postgres' && !c.READ_MODEL_POSTGRES_URL) {
      ctx.addIssue({ code: 'custom', path: ['READ_MODEL_POSTGRES_URL'], message: 'is required when PERSON_KEYS_STORE=postgres (the key schema lives in the same database)' });
    }
    // Keys beside a read model would share its migration table and be in reach of whoever drops or rebuilds it.
    if (c.PERSON_KEYS_STORE === 'postgres' && c.READ_MODEL_STORE === 'postgres' && c.PERSON_KEYS_POSTGRES_SCHEMA === c.READ_MODEL_POSTGRES_SCHEMA) {
      ctx.addIssue({ code: 'custom', path: ['PERSON_KEYS_POSTGRES_SCHEMA'], message: 'must differ from READ_MODEL_POSTGRES_SCHEMA: the person keys are not a read model' });
    }
    if (c.PERSON_KEYS_STORE === 'sqlite' && [c.SQLITE_FILE, c.READ_MODEL_SQLITE_FILE].some((f) => resolve(f) === resolve(c.PERSON_KEYS_SQLITE_FILE))) {
      ctx.addIssue({ code: 'custom', path: ['PERSON_KEYS_SQLITE_FILE'], message: 'must be a file of its own, not the event store or the read models' });
    }
    const workflowsFile = workflowsSqliteFile(c);
    if ((c.WORKFLOWS_SQLITE_FILE !== undefined || c.WORKER_ROLE === 'workflows') && [c.SQLITE_FILE, c.READ_MODEL_SQLITE_FILE, c.PERSON_KEYS_SQLITE_FILE].some((f) => resolve(f) === resolve(workflowsFile))) {
      ctx.addIssue({ code: 'custom', path: ['WORKFLOWS_SQLITE_FILE'], message: 'must be a file of its own, not the event store, the read models or the person keys' });
    }
    if (c.PERSON_KEYS_MASTER_KEY) {
      const problem = personIdKeyProblem(c.PERSON_KEYS_MASTER_KEY);
      if (problem) ctx.addIssue({ code: 'custom', path: ['PERSON_KEYS_MASTER_KEY'], message: problem });
      else if (c.PERSON_KEYS_MASTER_KEY === c.PERSON_ID_KEY) ctx.addIssue({ code: 'custom', path: ['PERSON_KEYS_MASTER_KEY'], message: 'must not be PERSON_ID_KEY: each secret has one purpose' });
    }
    for (const [issuer, clientId] of [
      ['OIDC_ISSUER', 'OIDC_CLIENT_ID'],
      ['OIDC_LANDLORD_ISSUER', 'OIDC_LANDLORD_CLIENT_ID'],
    ] as const) {
      if (Boolean(c[issuer]) !== Boolean(c[clientId])) ctx.addIssue({ code: 'custom', path: [c[issuer] ? clientId : issuer], message: `must be set together with ${c[issuer] ? issuer : clientId}` });
      if (c.NODE_ENV === 'production' && c[issuer] && new URL(c[issuer] as string).protocol !== 'https:') ctx.addIssue({ code: 'custom', path: [issuer], message: 'must use https in production', params: inProduction });
    }
    if (c.NODE_ENV === 'production' && c.METRICS_TOKEN && c.METRICS_TOKEN.length < 32) {
      ctx.addIssue({ code: 'custom', path: ['METRICS_TOKEN'], message: 'must be at least 32 characters in production (openssl rand -hex 32)', params: inProduction });
    }
    if (c.DEMO_DATA && c.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['DEMO_DATA'], message: 'must not be true in production: the demo is synthetic data', params: inProduction });
    }
    checkIssuers(c, ctx, inProduction);
  });

export type AppConfig = z.infer<typeof schema>;

/**
 * The token issuers: each external one complete or absent, no two with one `iss`, at least one in
 * all, and (fail closed) in production no internal issuer left at the development defaults, which
 * every copy of this repository knows.
 */
function checkIssuers(c: AppConfig, ctx: z.core.$RefinementCtx, inProduction: { production: boolean }): void {
  const issue = (variable: string, message: string, production = false) => ctx.addIssue({ code: 'custom', path: [variable], message, ...(production ? { params: inProduction } : {}) });
  const staff = Boolean(c.AUTH_STAFF_ISSUER);
  const landlord = Boolean(c.AUTH_LANDLORD_ISSUER);
  for (const [prefix, set] of [
    ['AUTH_STAFF', staff],
    ['AUTH_LANDLORD', landlord],
  ] as const) {
    const value = (suffix: string) => (c as Record<string, unknown>)[`${prefix}_${suffix}`];
    if (set) {
      for (const suffix of ['AUDIENCE', 'JWKS_URL']) if (value(suffix) === undefined) issue(`${prefix}_${suffix}`, `is required with ${prefix}_ISSUER`);
      const jwks = value('JWKS_URL');
      if (c.NODE_ENV === 'production' && typeof jwks === 'string' && new URL(jwks).protocol !== 'https:') issue(`${prefix}_JWKS_URL`, 'must use https in production', true);
    } else {
      for (const suffix of ['AUDIENCE', 'JWKS_URL', 'TOKEN_TYPE', 'GROUPS', 'GROUPS_FILE', 'MUNICIPALITIES']) {
        if (value(suffix) !== undefined) issue(`${prefix}_${suffix}`, `must not be set without ${prefix}_ISSUER`);
      }
    }
  }
  if (staff) {
    if (c.AUTH_STAFF_GROUPS && c.AUTH_STAFF_GROUPS_FILE) issue('AUTH_STAFF_GROUPS_FILE', 'must not be set together with AUTH_STAFF_GROUPS: choose one');
    else {
      const groups = readStaffGroups(c);
      if ('problem' in groups) issue(groups.variable, groups.problem);
    }
  }
  const issuers = [
    ...(c.AUTH_INTERNAL_ENABLED ? [['AUTH_ISSUER', c.AUTH_ISSUER]] : []),
    ['AUTH_STAFF_ISSUER', c.AUTH_STAFF_ISSUER],
    ['AUTH_LANDLORD_ISSUER', c.AUTH_LANDLORD_ISSUER],
  ].filter((pair): pair is [string, string] => typeof pair[1] === 'string');
  for (const [i, [variable, value]] of issuers.entries()) {
    const earlier = issuers.slice(0, i).find(([, other]) => other === value);
    if (earlier) issue(variable, `must differ from ${earlier[0]}: each issuer needs its own keys and claims`);
  }
  if (!c.AUTH_INTERNAL_ENABLED && !staff && !landlord) {
    issue('AUTH_INTERNAL_ENABLED', 'must not be false unless AUTH_STAFF_ISSUER or AUTH_LANDLORD_ISSUER is set: nobody could sign in');
  }
  if (c.NODE_ENV === 'production' && c.AUTH_INTERNAL_ENABLED) {
    const off = staff || landlord ? 'or switch the internal issuer off (AUTH_INTERNAL_ENABLED=false) to sign in only through AUTH_STAFF_* / AUTH_LANDLORD_*' : 'or configure AUTH_STAFF_* / AUTH_LANDLORD_* and switch the internal issuer off (AUTH_INTERNAL_ENABLED=false)';
    if (c.AUTH_ISSUER === DEV_ISSUER) issue('AUTH_ISSUER', `must not be the development default ${DEV_ISSUER} in production: set the iss your tokens carry, ${off}`, true);
    else if (c.AUTH_AUDIENCE === DEV_AUDIENCE) issue('AUTH_AUDIENCE', `must not be the development default ${DEV_AUDIENCE} in production: set the aud your tokens carry, ${off}`, true);
  }
}

/**
 * Why a PERSON_ID_KEY is not good enough, or undefined. The key is used as written (changing that
 * would change every opaque person id already stored); this only checks it holds 32 random bytes.
 */
export function personIdKeyProblem(value: string): string | undefined {
  const format = 'must be at least 32 random bytes, written as hex (64+ characters) or base64/base64url (openssl rand -hex 32)';
  let bytes: Buffer;
  if (/^[0-9a-fA-F]+$/.test(value)) {
    if (value.length < 64 || value.length % 2 !== 0) return format;
    bytes = Buffer.from(value, 'hex');
  } else if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) || /^[A-Za-z0-9_-]+$/.test(value)) {
    bytes = Buffer.from(value, 'base64');
    if (bytes.length < 32) return format;
  } else {
    return format;
  }
  // 32 random bytes hold about 30 distinct values; fewer than 16 is a pattern or a placeholder
  // ('k' repeated, 'ab' repeated, 0123…f repeated), not a secret.
  if (new Set(bytes).size < 16) return 'is not random (too few distinct bytes): generate one with openssl rand -hex 32';
  return undefined;
}

/** The development key exists only in development and test; there it is on unless AUTH_DEV_KEY=false. */
export function authDevKeyEnabled(config: AppConfig): boolean {
  if (config.NODE_ENV !== 'development' && config.NODE_ENV !== 'test') return false;
  // The development key signs for the internal issuer: off with it.
  if (config.AUTH_INTERNAL_ENABLED === false) return false;
  return config.AUTH_DEV_KEY ?? true;
}

/** Public on purpose, like the development signing key: only ever used in development and test. */
const DEV_PERSON_ID_KEY = 'evp-development-person-id-key-not-secret-0123456789';
export function personIdKey(config: AppConfig): string {
  if (config.PERSON_ID_KEY) return config.PERSON_ID_KEY;
  // loadConfig already refuses this; a config object built another way must not fall back either.
  if (config.NODE_ENV !== 'development' && config.NODE_ENV !== 'test') throw new ConfigError('Invalid configuration: PERSON_ID_KEY is required in production');
  return DEV_PERSON_ID_KEY;
}

/** Public on purpose, like the development person-id key: only ever used in development and test. */
const DEV_PERSON_KEYS_MASTER_KEY = 'evp-development-person-keys-master-key-not-secret-0123456789';
export function personKeysMasterKey(config: AppConfig): string {
  if (config.PERSON_KEYS_MASTER_KEY) return config.PERSON_KEYS_MASTER_KEY;
  // loadConfig already refuses this; a config object built another way must not fall back either.
  if (config.NODE_ENV !== 'development' && config.NODE_ENV !== 'test') throw new ConfigError('Invalid configuration: PERSON_KEYS_MASTER_KEY is required in production');
  return DEV_PERSON_KEYS_MASTER_KEY;
}

/** The person-key store: its own SQLite file, or its own schema in the read models' PostgreSQL. The api is its only writer. */
export function personKeysBackend(config: AppConfig): ReadModelBackend {
  return config.PERSON_KEYS_STORE === 'postgres'
    ? { kind: 'postgres', connectionString: config.READ_MODEL_POSTGRES_URL as string, schema: config.PERSON_KEYS_POSTGRES_SCHEMA }
    : { kind: 'sqlite', file: config.PERSON_KEYS_SQLITE_FILE };
}

/** The archive rule's numbers (@evp/people-domain `ArchivePolicy`). */
export function peopleArchivePolicyFrom(config: AppConfig) {
  return { caseRetentionYears: config.PEOPLE_CASE_RETENTION_YEARS };
}

/** The organisations' identity providers the verifier accepts (Entra ID for staff, ID-porten for landlords). */
export function externalIssuersFrom(config: AppConfig): ExternalIssuerOptions[] {
  const issuers: ExternalIssuerOptions[] = [];
  if (config.AUTH_STAFF_ISSUER && config.AUTH_STAFF_AUDIENCE && config.AUTH_STAFF_JWKS_URL) {
    const groups = readStaffGroups(config);
    if ('problem' in groups) throw new ConfigError(`Invalid configuration: ${groups.variable} ${groups.problem}`);
    issuers.push({
      kind: 'staff',
      issuer: config.AUTH_STAFF_ISSUER,
      audience: config.AUTH_STAFF_AUDIENCE,
      jwksUrl: config.AUTH_STAFF_JWKS_URL,
      algorithms: config.AUTH_STAFF_ALGORITHMS,
      tokenType: config.AUTH_STAFF_TOKEN_TYPE,
      maxTokenLifetimeSeconds: config.AUTH_STAFF_MAX_TOKEN_LIFETIME_SECONDS,
      rolePrefix: config.AUTH_STAFF_ROLE_PREFIX,
      groups: groups.groups,
    });
  }
  if (config.AUTH_LANDLORD_ISSUER && config.AUTH_LANDLORD_AUDIENCE && config.AUTH_LANDLORD_JWKS_URL) {
    issuers.push({
      kind: 'landlord',
      issuer: config.AUTH_LANDLORD_ISSUER,
      audience: config.AUTH_LANDLORD_AUDIENCE,
      jwksUrl: config.AUTH_LANDLORD_JWKS_URL,
      algorithms: config.AUTH_LANDLORD_ALGORITHMS,
      tokenType: config.AUTH_LANDLORD_TOKEN_TYPE,
      maxTokenLifetimeSeconds: config.AUTH_LANDLORD_MAX_TOKEN_LIFETIME_SECONDS ?? config.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
      acr: config.AUTH_LANDLORD_ACR as IdPortenAcr[],
      // Landlords submit warnings in the municipalities the installation serves.
      municipalities: config.AUTH_LANDLORD_MUNICIPALITIES ?? Object.keys(config.WARNING_NAV_OFFICES),
    });
  }
  return issuers;
}

/**
 * Everything `new TokenVerifier(...)` (@evp/auth) needs from the configuration except the clock:
 * `new TokenVerifier({ ...tokenVerifierOptionsFrom(config), clock })`.
 */
export function tokenVerifierOptionsFrom(config: AppConfig) {
  return {
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    jwksUrl: config.AUTH_JWKS_URL,
    publicKeyFile: config.AUTH_PUBLIC_KEY_FILE,
    devKey: authDevKeyEnabled(config),
    environment: config.NODE_ENV,
    algorithms: config.AUTH_ALGORITHMS,
    maxTokenLifetimeSeconds: config.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
    clockSkewSeconds: config.AUTH_CLOCK_SKEW_SECONDS,
    personIdKey: personIdKey(config),
    internal: config.AUTH_INTERNAL_ENABLED,
    external: externalIssuersFrom(config),
    cache: config.AUTH_TOKEN_CACHE_SIZE === 0 ? (false as const) : { maxEntries: config.AUTH_TOKEN_CACHE_SIZE, maxAgeSeconds: config.AUTH_TOKEN_CACHE_SECONDS },
  };
}

export function casePolicyFrom(config: AppConfig) {
  return {
    arrearsThresholdMonthsOfRent: config.POLICY_ARREARS_MONTHS_OF_RENT,
    graceWorkingDays: config.POLICY_GRACE_WORKING_DAYS,
    daysPastGraceToOpen: config.POLICY_DAYS_PAST_GRACE_TO_OPEN,
    firstContactWorkingDays: config.POLICY_FIRST_CONTACT_WORKING_DAYS,
  };
}

/** The statutory deadline engine's lengths (@evp/warnings-domain `WarningDeadlinePolicy`). */
export function warningPolicyFrom(config: AppConfig) {
  return {
    noticeToPetitionDays: config.WARNING_NOTICE_TO_PETITION_DAYS,
    assumedReceiptWorkingDays: config.WARNING_ASSUMED_RECEIPT_WORKING_DAYS,
    navLeadDays: config.WARNING_NAV_LEAD_DAYS,
    objectionDays: config.WARNING_OBJECTION_DAYS,
    belongingsDays: config.WARNING_BELONGINGS_DAYS,
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(blanksRemoved);
  if (result.success) return result.data;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  const variable = String(issue.path[0] ?? 'configuration');
  const shown = variable in blanksRemoved && !/SECRET|KEY|PASSWORD|TOKEN/.test(variable) ? ` (got ${JSON.stringify(String(blanksRemoved[variable]).slice(0, 60))})` : '';
  // Someone who forgot NODE_ENV=development learns why production rules apply, in the same line.
  const rawEnvironment = blanksRemoved['NODE_ENV'];
  const assumed =
    (issue as { params?: { production?: boolean } }).params?.production && rawEnvironment !== 'production'
      ? ` (NODE_ENV ${rawEnvironment === undefined ? 'is not set' : `${JSON.stringify(String(rawEnvironment).slice(0, 20))} is not development or test`}: production assumed)`
      : '';
  throw new ConfigError(`Invalid configuration: ${variable} ${issue.message}${shown}${assumed}`);
}

/** For `main.ts`: print the one line and stop, without a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/**
 * The read-model store this process uses; the api opens it read-only. On SQLite a worker split by
 * WORKER_ROLE writes two files: the projections process the read models, the workflows process
 * its own (WORKFLOWS_SQLITE_FILE); on PostgreSQL both write the one schema, row by row. A writer
 * that meets another's lock (an operator's tool, a second process by mistake) waits as long as an
 * append waits for the event store's (SQLITE_BUSY_TIMEOUT_MS), on timers.
 */
export function readModelBackend(config: AppConfig, role: 'writer' | 'reader' | 'observer'): ReadModelBackend {
  if (config.READ_MODEL_STORE === 'postgres') return { kind: 'postgres', connectionString: config.READ_MODEL_POSTGRES_URL as string, schema: config.READ_MODEL_POSTGRES_SCHEMA };
  if (role === 'reader') return { kind: 'sqlite', file: config.READ_MODEL_SQLITE_FILE, readonly: true };
  const file = config.WORKER_ROLE === 'workflows' ? workflowsSqliteFile(config) : config.READ_MODEL_SQLITE_FILE;
  // The worker's own reads of what it writes (its health, its lag) on a read-only connection of
  // their own: the writer's one connection queues every statement behind a transaction waiting
  // for another process's lock, and /health would answer nothing for as long.
  if (role === 'observer') return { kind: 'sqlite', file, readonly: true };
  return { kind: 'sqlite', file, busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS };
}

/** The workflows process's own SQLite file (WORKER_ROLE=workflows): WORKFLOWS_SQLITE_FILE, or workflows.sqlite beside the read models. */
export function workflowsSqliteFile(config: AppConfig): string {
  return config.WORKFLOWS_SQLITE_FILE ?? join(dirname(config.READ_MODEL_SQLITE_FILE), 'workflows.sqlite');
}

/** Whether input may carry synthetic identity numbers (Tenor, Dolly). */
export function allowSyntheticIds(config: AppConfig): boolean {
  return config.ALLOW_SYNTHETIC_IDS ?? (config.NODE_ENV === 'development' || config.NODE_ENV === 'test');
}

/** Where the api reaches the operator endpoints of the worker, or of each of its processes (WORKER_ROLE). */
export function workerUrls(config: AppConfig): string[] {
  return (config.WORKER_URL ?? [`http://${config.WORKER_HOST}:${config.WORKER_PORT}`]).map((url) => url.replace(/\/+$/, ''));
}

/** Whether this worker process runs the projections, the workflows, or both (WORKER_ROLE). */
export function workerRuns(config: AppConfig): { readonly projections: boolean; readonly workflows: boolean } {
  return { projections: config.WORKER_ROLE !== 'workflows', workflows: config.WORKER_ROLE !== 'projections' };
}

/** Public on purpose, like the development signing key: only ever used in development and test. */
const DEV_METRICS_TOKEN = 'evp-development-metrics-token-not-secret';

/** The bearer token `/metrics` wants; undefined in production without METRICS_TOKEN, where `/metrics` does not exist. */
export function metricsToken(config: AppConfig): string | undefined {
  if (config.METRICS_TOKEN) return config.METRICS_TOKEN;
  return config.NODE_ENV === 'development' || config.NODE_ENV === 'test' ? DEV_METRICS_TOKEN : undefined;
}

/** One OpenID Connect provider the web app offers: the browser discovers its endpoints from `<issuer>/.well-known/openid-configuration`. */
export interface OidcProvider {
  /** `staff` (Entra ID) or `landlord` (ID-porten). */
  readonly id: 'staff' | 'landlord';
  readonly label: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly scope: string;
  readonly redirectPath: string;
  /**
   * The api's audience, asked for with the `resource` parameter (RFC 8707) so the access token is
   * for the api: ID-porten's audience restriction (AUTH_LANDLORD_AUDIENCE). Entra ID takes it in the
   * scope instead (`api://<api client id>/<scope>` in OIDC_SCOPE) and is sent none.
   */
  readonly audience?: string;
}

export function oidcProvidersFrom(config: AppConfig): OidcProvider[] {
  const providers: OidcProvider[] = [];
  if (config.OIDC_ISSUER && config.OIDC_CLIENT_ID) {
    providers.push({ id: 'staff', label: 'Ansatte (Entra ID)', issuer: config.OIDC_ISSUER, clientId: config.OIDC_CLIENT_ID, scope: config.OIDC_SCOPE, redirectPath: config.OIDC_REDIRECT_PATH });
  }
  if (config.OIDC_LANDLORD_ISSUER && config.OIDC_LANDLORD_CLIENT_ID) {
    const audience = config.AUTH_LANDLORD_AUDIENCE?.[0];
    providers.push({ id: 'landlord', label: 'Utleiere (ID-porten)', issuer: config.OIDC_LANDLORD_ISSUER, clientId: config.OIDC_LANDLORD_CLIENT_ID, scope: config.OIDC_LANDLORD_SCOPE, redirectPath: config.OIDC_REDIRECT_PATH, ...(audience ? { audience } : {}) });
  }
  return providers;
}
