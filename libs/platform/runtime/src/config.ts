import { z } from 'zod';

/**
 * The one validated configuration (ARCHITECTURE.md, "Configuration"). Read once at start-up from
 * the environment; a wrong or missing value stops the process with one line naming the variable.
 */
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().min(1);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    EVENT_STORE: z.enum(['sqlite', 'eventstoredb']).default('sqlite'),
    SQLITE_FILE: z.string().min(1).default('./data/events.sqlite'),
    SQLITE_POLL_INTERVAL_MS: positiveInt.default(100),
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
    /**
     * Test-only: a file holding the current instant, read by every process's clock, so end-to-end
     * tests drive business time. Refused unless NODE_ENV=test.
     */
    TEST_CLOCK_FILE: z.string().min(1).optional(),

    AUTH_ISSUER: z.string().min(1).default('evp-dev'),
    AUTH_AUDIENCE: z.string().min(1).default('evp-api'),
    AUTH_JWKS_URL: z.url().optional(),
    AUTH_PUBLIC_KEY_FILE: z.string().min(1).optional(),
    /** Accept tokens signed with the public development key (`npm run token`). Refused in production. */
    AUTH_DEV_KEY: bool.optional(),
    /**
     * Secret for deriving opaque person ids from identity numbers (HMAC-SHA256), so the same person
     * gets the same id without the id revealing the number. Required in production.
     */
    PERSON_ID_KEY: z.string().min(32, 'must be at least 32 characters').optional(),

    /** Policy numbers (README, "Case policy"). */
    POLICY_ARREARS_MONTHS_OF_RENT: z.coerce.number().positive().max(12).default(1),
    POLICY_GRACE_WORKING_DAYS: z.coerce.number().int().min(0).max(20).default(3),
    POLICY_DAYS_PAST_GRACE_TO_OPEN: z.coerce.number().int().min(1).max(365).default(14),
    POLICY_FIRST_CONTACT_WORKING_DAYS: z.coerce.number().int().min(1).max(60).default(5),

    /** Largest accepted upload (bytes). */
    MAX_IMPORT_BYTES: positiveInt.default(32 * 1024 * 1024),
  })
  .superRefine((c, ctx) => {
    if (c.EVENT_STORE === 'eventstoredb' && !c.EVENTSTORE_CONNECTION_STRING) {
      ctx.addIssue({ code: 'custom', path: ['EVENTSTORE_CONNECTION_STRING'], message: 'is required when EVENT_STORE=eventstoredb' });
    }
    if (c.NODE_ENV === 'production' && c.AUTH_DEV_KEY) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_DEV_KEY'], message: 'must not be true in production: the development key is public' });
    }
    if (c.NODE_ENV === 'production' && !c.AUTH_JWKS_URL && !c.AUTH_PUBLIC_KEY_FILE) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: 'or AUTH_PUBLIC_KEY_FILE is required in production' });
    }
    if (c.NODE_ENV === 'production' && !c.PERSON_ID_KEY) {
      ctx.addIssue({ code: 'custom', path: ['PERSON_ID_KEY'], message: 'is required in production' });
    }
    if (c.TEST_CLOCK_FILE && c.NODE_ENV !== 'test') {
      ctx.addIssue({ code: 'custom', path: ['TEST_CLOCK_FILE'], message: 'is only allowed when NODE_ENV=test' });
    }
  });

export type AppConfig = z.infer<typeof schema>;

/** Development and test use the public development key and person-id key unless told otherwise. */
export function authDevKeyEnabled(config: AppConfig): boolean {
  return config.AUTH_DEV_KEY ?? config.NODE_ENV !== 'production';
}

const DEV_PERSON_ID_KEY = 'evp-development-person-id-key-not-secret-0123456789';
export function personIdKey(config: AppConfig): string {
  return config.PERSON_ID_KEY ?? DEV_PERSON_ID_KEY;
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
  throw new ConfigError(`Invalid configuration: ${variable} ${issue.message}${shown}`);
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
