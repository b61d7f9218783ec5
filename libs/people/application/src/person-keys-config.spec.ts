import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, peopleArchivePolicyFrom, personKeysBackend, personKeysMasterKey, type AppConfig } from '@evp/runtime';

/** The person-key store's configuration (@evp/runtime): fail closed like PERSON_ID_KEY, and never beside the event log or a read model. */
const KEY_HEX = randomBytes(32).toString('hex');
const MASTER_HEX = randomBytes(32).toString('hex');
const PRODUCTION = { NODE_ENV: 'production', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'evp', AUTH_JWKS_URL: 'https://idp.example/jwks', PERSON_ID_KEY: KEY_HEX, PERSON_KEYS_MASTER_KEY: MASTER_HEX };

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('person-key configuration', () => {
  it('defaults to an SQLite file of its own under ./data, ten years of case retention, and a development master key only in development and test', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(personKeysBackend(config)).toEqual({ kind: 'sqlite', file: './data/person-keys.sqlite' });
    expect(peopleArchivePolicyFrom(config)).toEqual({ caseRetentionYears: 10 });
    expect(personKeysMasterKey(config)).toMatch(/^evp-development-person-keys-master-key/);
    expect(personKeysMasterKey(loadConfig(PRODUCTION))).toBe(MASTER_HEX);
  });

  it('uses a schema of its own in the read models\' PostgreSQL', () => {
    const config = loadConfig({ NODE_ENV: 'test', PERSON_KEYS_STORE: 'postgres', READ_MODEL_POSTGRES_URL: 'postgres://db/evp' });
    expect(personKeysBackend(config)).toEqual({ kind: 'postgres', connectionString: 'postgres://db/evp', schema: 'evp_keys' });
  });

  it.each([
    ['production without a master key', { NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks', PERSON_ID_KEY: KEY_HEX }, 'Invalid configuration: PERSON_KEYS_MASTER_KEY is required in production (32+ random bytes as hex or base64: openssl rand -hex 32)'],
    ['a master key that is a pattern', { ...PRODUCTION, PERSON_KEYS_MASTER_KEY: 'k'.repeat(64) }, /^Invalid configuration: PERSON_KEYS_MASTER_KEY is not random/],
    ['a short master key', { ...PRODUCTION, PERSON_KEYS_MASTER_KEY: 'secret' }, /^Invalid configuration: PERSON_KEYS_MASTER_KEY must be at least 32 random bytes/],
    ['PERSON_ID_KEY as the master key', { ...PRODUCTION, PERSON_KEYS_MASTER_KEY: KEY_HEX }, 'Invalid configuration: PERSON_KEYS_MASTER_KEY must not be PERSON_ID_KEY: each secret has one purpose'],
    ['postgres without its URL', { NODE_ENV: 'test', PERSON_KEYS_STORE: 'postgres' }, /^Invalid configuration: READ_MODEL_POSTGRES_URL is required when PERSON_KEYS_STORE=postgres/],
    ['the read models\' schema', { NODE_ENV: 'test', PERSON_KEYS_STORE: 'postgres', READ_MODEL_STORE: 'postgres', READ_MODEL_POSTGRES_URL: 'postgres://db/evp', PERSON_KEYS_POSTGRES_SCHEMA: 'evp' }, /^Invalid configuration: PERSON_KEYS_POSTGRES_SCHEMA must differ/],
    ['the read models\' file', { NODE_ENV: 'test', PERSON_KEYS_SQLITE_FILE: './data/read-models.sqlite' }, /^Invalid configuration: PERSON_KEYS_SQLITE_FILE must be a file of its own/],
    ['the event store\'s file by another path', { NODE_ENV: 'test', PERSON_KEYS_SQLITE_FILE: 'data/../data/events.sqlite' }, /^Invalid configuration: PERSON_KEYS_SQLITE_FILE must be a file of its own/],
    ['a negative retention', { NODE_ENV: 'test', PEOPLE_CASE_RETENTION_YEARS: '-1' }, /^Invalid configuration: PEOPLE_CASE_RETENTION_YEARS /],
  ])('refuses %s in one line', (_, env, expected) => {
    const line = refusal(env);
    expect(line).not.toContain('\n');
    if (typeof expected === 'string') expect(line).toBe(expected);
    else expect(line).toMatch(expected);
  });

  it('never shows the master key in a refusal, and never falls back to the development one for production', () => {
    expect(refusal({ ...PRODUCTION, PERSON_KEYS_MASTER_KEY: 'not-a-key-but-a-secret' })).not.toContain('not-a-key-but-a-secret');
    expect(() => personKeysMasterKey({ ...loadConfig(PRODUCTION), PERSON_KEYS_MASTER_KEY: undefined } as AppConfig)).toThrow('PERSON_KEYS_MASTER_KEY is required in production');
  });
});
