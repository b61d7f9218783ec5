import type { ReadModelBackend } from '@evp/read-models';
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
     * Secret for deriving opaque person ids from identity numbers (HMAC-SHA256), so the same person
     * gets the same id without the id revealing the number; actor ids are keyed from it too.
     * At least 32 random bytes, as hex or base64 (checked below). Required in production.
     */
    PERSON_ID_KEY: z.string().optional(),

    /** Policy numbers (README, "Case policy"). */
    POLICY_ARREARS_MONTHS_OF_RENT: z.coerce.number().positive().max(12).default(1),
    POLICY_GRACE_WORKING_DAYS: z.coerce.number().int().min(0).max(20).default(3),
    POLICY_DAYS_PAST_GRACE_TO_OPEN: z.coerce.number().int().min(1).max(365).default(14),
    POLICY_FIRST_CONTACT_WORKING_DAYS: z.coerce.number().int().min(1).max(60).default(5),

    /** Largest accepted upload (bytes). */
    MAX_IMPORT_BYTES: positiveInt.default(32 * 1024 * 1024),
  })
  .superRefine((c, ctx) => {
    if (c.READ_MODEL_STORE === 'postgres' && !c.READ_MODEL_POSTGRES_URL) {
      ctx.addIssue({ code: 'custom', path: ['READ_MODEL_POSTGRES_URL'], message: 'is required when READ_MODEL_STORE=postgres' });
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
    const noKeySource = c.NODE_ENV === 'production' && !c.AUTH_JWKS_URL && !c.AUTH_PUBLIC_KEY_FILE;
    const noPersonIdKey = c.NODE_ENV === 'production' && !c.PERSON_ID_KEY;
    if (noKeySource) {
      const alsoKey = noPersonIdKey ? `; so is PERSON_ID_KEY ${personIdKeyHint}` : '';
      ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: `or AUTH_PUBLIC_KEY_FILE is required in production${alsoKey}`, params: inProduction });
    } else if (noPersonIdKey) {
      ctx.addIssue({ code: 'custom', path: ['PERSON_ID_KEY'], message: `is required in production ${personIdKeyHint}`, params: inProduction });
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
  });

export type AppConfig = z.infer<typeof schema>;

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

/** The read-model store this process uses; the api opens it read-only (the worker is its only writer). */
export function readModelBackend(config: AppConfig, role: 'writer' | 'reader'): ReadModelBackend {
  return config.READ_MODEL_STORE === 'postgres'
    ? { kind: 'postgres', connectionString: config.READ_MODEL_POSTGRES_URL as string, schema: config.READ_MODEL_POSTGRES_SCHEMA }
    : { kind: 'sqlite', file: config.READ_MODEL_SQLITE_FILE, readonly: role === 'reader' };
}

/** Whether input may carry synthetic identity numbers (Tenor, Dolly). */
export function allowSyntheticIds(config: AppConfig): boolean {
  return config.ALLOW_SYNTHETIC_IDS ?? (config.NODE_ENV === 'development' || config.NODE_ENV === 'test');
}
