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
    /** A handler that fails this many times in a row on one event parks it. */
    SUBSCRIPTION_MAX_ATTEMPTS: positiveInt.default(5),
    /**
     * Test-only: a file holding the current instant, read by every process's clock, so end-to-end
     * tests drive business time. Refused unless NODE_ENV=test.
     */
    TEST_CLOCK_FILE: z.string().min(1).optional(),
    ALLOW_OPERATOR_ENDPOINTS: bool.default(true),
  })
  .superRefine((c, ctx) => {
    if (c.EVENT_STORE === 'eventstoredb' && !c.EVENTSTORE_CONNECTION_STRING) {
      ctx.addIssue({ code: 'custom', path: ['EVENTSTORE_CONNECTION_STRING'], message: 'is required when EVENT_STORE=eventstoredb' });
    }
    if (c.TEST_CLOCK_FILE && c.NODE_ENV !== 'test') {
      ctx.addIssue({ code: 'custom', path: ['TEST_CLOCK_FILE'], message: 'is only allowed when NODE_ENV=test' });
    }
  });

export type AppConfig = z.infer<typeof schema>;

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
