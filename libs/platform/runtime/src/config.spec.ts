import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, authDevKeyEnabled, externalIssuersFrom, loadConfig, oidcProvidersFrom, personIdKey, readModelBackend, tokenVerifierOptionsFrom, workerRuns, workerUrls, type AppConfig } from './config';

const KEY_HEX = randomBytes(32).toString('hex');
const MASTER_HEX = randomBytes(32).toString('hex');
const JWKS = 'https://idp.example/jwks';
/** A complete production configuration: the minimum a real installation must set. */
const ISSUER = { AUTH_ISSUER: 'https://login.example.kommune.no', AUTH_AUDIENCE: 'evp' };
const PRODUCTION = { NODE_ENV: 'production', ...ISSUER, AUTH_JWKS_URL: JWKS, PERSON_ID_KEY: KEY_HEX, PERSON_KEYS_MASTER_KEY: MASTER_HEX };
const DEV = { NODE_ENV: 'development' };

/** The one line loadConfig refuses `env` with. */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('configuration', () => {
  it('defaults to a SQLite file under ./data and Redis on 127.0.0.1:6379', () => {
    const config = loadConfig(DEV);
    expect(config.EVENT_STORE).toBe('sqlite');
    expect(config.SQLITE_FILE).toBe('./data/events.sqlite');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('turns health red for a rebuild without progress after ten minutes unless told otherwise', () => {
    expect(loadConfig(DEV).REBUILD_STALL_MS).toBe(600_000);
    expect(loadConfig({ ...DEV, REBUILD_STALL_MS: '120000' }).REBUILD_STALL_MS).toBe(120_000);
  });

  it.each([
    [{ ...DEV, API_PORT: 'eighty' }, 'API_PORT'],
    [{ ...DEV, API_PORT: '70000' }, 'API_PORT'],
    [{ ...DEV, EVENT_STORE: 'postgres' }, 'EVENT_STORE'],
    [{ ...DEV, EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ ...DEV, EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'http://x' }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ ...DEV, REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ ...DEV, TEST_CLOCK_FILE: '/tmp/clock' }, 'TEST_CLOCK_FILE'],
    [{ ...PRODUCTION, TEST_CLOCK_FILE: '/tmp/clock' }, 'TEST_CLOCK_FILE'],
    [{ ...PRODUCTION, AUTH_DEV_KEY: 'true' }, 'AUTH_DEV_KEY'],
    // EventStoreDB in production: TLS and credentials required.
    [{ ...PRODUCTION, EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://evp:secret@es.example:2113?tls=false' }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ ...PRODUCTION, EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://es.example:2113?tls=true' }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ ...PRODUCTION, READ_MODEL_STORE: 'postgres' }, 'READ_MODEL_POSTGRES_URL'],
    [{ NODE_ENV: 'production', PERSON_ID_KEY: KEY_HEX, PERSON_KEYS_MASTER_KEY: MASTER_HEX }, 'AUTH_JWKS_URL'],
    [{ NODE_ENV: 'production', AUTH_JWKS_URL: JWKS, PERSON_KEYS_MASTER_KEY: MASTER_HEX }, 'PERSON_ID_KEY'],
    [{ ...DEV, POLICY_GRACE_WORKING_DAYS: '-1' }, 'POLICY_GRACE_WORKING_DAYS'],
    [{ ...DEV, REBUILD_STALL_MS: '0' }, 'REBUILD_STALL_MS'],
    [{ ...DEV, WORKER_ROLE: 'sagas' }, 'WORKER_ROLE'],
    [{ ...DEV, WORKER_URL: 'http://127.0.0.1:3001,127.0.0.1:3002' }, 'WORKER_URL'],
    [{ ...DEV, WORKER_URL: 'http://127.0.0.1:3001,' }, 'WORKER_URL'],
    [{ ...DEV, WORKFLOWS_SQLITE_FILE: './data/read-models.sqlite' }, 'WORKFLOWS_SQLITE_FILE'],
    [{ ...DEV, WORKFLOWS_SQLITE_FILE: 'data/events.sqlite' }, 'WORKFLOWS_SQLITE_FILE'],
    // The default (workflows.sqlite beside the read models) is checked too, where it is used.
    [{ ...DEV, WORKER_ROLE: 'workflows', SQLITE_FILE: './data/workflows.sqlite' }, 'WORKFLOWS_SQLITE_FILE'],
  ])('refuses %p with one line naming %s', (env, variable) => {
    expect(refusal(env)).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
  });

  describe('the worker in one process or two (WORKER_ROLE)', () => {
    it('runs everything in one process unless told otherwise, and the api finds it at WORKER_HOST:WORKER_PORT', () => {
      const config = loadConfig(DEV);
      expect(config.WORKER_ROLE).toBe('all');
      expect(workerRuns(config)).toEqual({ projections: true, workflows: true });
      expect(workerUrls(config)).toEqual(['http://127.0.0.1:3001']);
      expect(readModelBackend(config, 'writer')).toEqual({ kind: 'sqlite', file: './data/read-models.sqlite', busyTimeoutMs: 30_000 });
    });

    it('splits into a projections and a workflows process; the workflows process writes a file of its own on SQLite', () => {
      const projections = loadConfig({ ...DEV, WORKER_ROLE: 'projections' });
      const workflows = loadConfig({ ...DEV, WORKER_ROLE: 'workflows' });
      expect(workerRuns(projections)).toEqual({ projections: true, workflows: false });
      expect(workerRuns(workflows)).toEqual({ projections: false, workflows: true });
      expect(readModelBackend(projections, 'writer')).toMatchObject({ kind: 'sqlite', file: './data/read-models.sqlite' });
      expect(readModelBackend(workflows, 'writer')).toMatchObject({ kind: 'sqlite', file: 'data/workflows.sqlite' });
      expect(readModelBackend(loadConfig({ ...DEV, WORKER_ROLE: 'workflows', WORKFLOWS_SQLITE_FILE: '/var/lib/evp/wf.sqlite' }), 'writer')).toMatchObject({ file: '/var/lib/evp/wf.sqlite' });
      // The api reads the read models only, whatever the worker's role.
      expect(readModelBackend(workflows, 'reader')).toEqual({ kind: 'sqlite', file: './data/read-models.sqlite', readonly: true });
      // On PostgreSQL both processes write the one schema.
      const pg = { ...DEV, READ_MODEL_STORE: 'postgres', READ_MODEL_POSTGRES_URL: 'postgres://127.0.0.1/test' };
      expect(readModelBackend(loadConfig({ ...pg, WORKER_ROLE: 'workflows' }), 'writer')).toEqual(readModelBackend(loadConfig({ ...pg, WORKER_ROLE: 'projections' }), 'writer'));
    });

    it('lets the api list both processes in WORKER_URL, comma-separated', () => {
      expect(workerUrls(loadConfig({ ...DEV, WORKER_URL: 'http://10.0.0.5:3001/, https://wf.internal:3002' }))).toEqual(['http://10.0.0.5:3001', 'https://wf.internal:3002']);
    });
  });

  it('accepts the test clock only under NODE_ENV=test', () => {
    expect(loadConfig({ NODE_ENV: 'test', TEST_CLOCK_FILE: '/tmp/clock' }).TEST_CLOCK_FILE).toBe('/tmp/clock');
  });

  describe('environment (fail closed)', () => {
    it.each([
      [undefined, 'production'],
      ['', 'production'],
      ['production', 'production'],
      ['prod', 'production'],
      ['staging', 'production'],
      ['Development', 'production'],
      ['development ', 'production'],
      ['TEST', 'production'],
      ['development', 'development'],
      ['test', 'test'],
    ])('NODE_ENV=%p resolves to %s, and the resolved value is in the configuration', (value, resolved) => {
      const env = value === undefined ? { ...ISSUER, AUTH_JWKS_URL: JWKS, PERSON_ID_KEY: KEY_HEX, PERSON_KEYS_MASTER_KEY: MASTER_HEX } : { NODE_ENV: value, ...ISSUER, AUTH_JWKS_URL: JWKS, PERSON_ID_KEY: KEY_HEX, PERSON_KEYS_MASTER_KEY: MASTER_HEX };
      expect(loadConfig(env).NODE_ENV).toBe(resolved);
    });

    it('refuses to start without NODE_ENV and without production settings, naming everything missing in one line', () => {
      expect(refusal({})).toBe(
        'Invalid configuration: AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE is required in production; so is PERSON_ID_KEY (32+ random bytes as hex or base64: openssl rand -hex 32); so is PERSON_KEYS_MASTER_KEY (32+ random bytes as hex or base64: openssl rand -hex 32) (NODE_ENV is not set: production assumed)',
      );
    });

    it('says when an unknown NODE_ENV was taken for production', () => {
      expect(refusal({ NODE_ENV: 'staging', AUTH_JWKS_URL: JWKS, PERSON_KEYS_MASTER_KEY: MASTER_HEX })).toBe(
        'Invalid configuration: PERSON_ID_KEY is required in production (32+ random bytes as hex or base64: openssl rand -hex 32) (NODE_ENV "staging" is not development or test: production assumed)',
      );
      expect(refusal({ NODE_ENV: 'production', AUTH_JWKS_URL: JWKS, PERSON_KEYS_MASTER_KEY: MASTER_HEX })).toBe('Invalid configuration: PERSON_ID_KEY is required in production (32+ random bytes as hex or base64: openssl rand -hex 32)');
      expect(refusal({ NODE_ENV: 'production', AUTH_JWKS_URL: JWKS, PERSON_ID_KEY: KEY_HEX })).toBe('Invalid configuration: PERSON_KEYS_MASTER_KEY is required in production (32+ random bytes as hex or base64: openssl rand -hex 32)');
    });

    it('starts in production with a key source and a person-id key, and nothing built in', () => {
      const config = loadConfig(PRODUCTION);
      expect(config.NODE_ENV).toBe('production');
      expect(authDevKeyEnabled(config)).toBe(false);
      expect(personIdKey(config)).toBe(KEY_HEX);
      expect(loadConfig({ NODE_ENV: 'production', ...ISSUER, AUTH_PUBLIC_KEY_FILE: '/etc/evp/token-signing.pem', PERSON_ID_KEY: KEY_HEX, PERSON_KEYS_MASTER_KEY: MASTER_HEX }).AUTH_PUBLIC_KEY_FILE).toBe('/etc/evp/token-signing.pem');
    });
  });

  describe('the development key and the development person-id key', () => {
    it('exist in development and test only', () => {
      expect(authDevKeyEnabled(loadConfig(DEV))).toBe(true);
      expect(authDevKeyEnabled(loadConfig({ NODE_ENV: 'test' }))).toBe(true);
      expect(authDevKeyEnabled(loadConfig({ ...DEV, AUTH_DEV_KEY: 'false' }))).toBe(false);
      expect(personIdKey(loadConfig(DEV))).toMatch(/^evp-development-person-id-key/);
      expect(personIdKey(loadConfig({ ...DEV, PERSON_ID_KEY: KEY_HEX }))).toBe(KEY_HEX);
    });

    it('refuses AUTH_DEV_KEY=true outside development and test, also when NODE_ENV is unset or unknown', () => {
      expect(refusal({ ...PRODUCTION, AUTH_DEV_KEY: 'true' })).toBe('Invalid configuration: AUTH_DEV_KEY must not be true in production: the development key is public');
      expect(refusal({ AUTH_JWKS_URL: JWKS, PERSON_ID_KEY: KEY_HEX, AUTH_DEV_KEY: 'true' })).toMatch(/^Invalid configuration: AUTH_DEV_KEY .*\(NODE_ENV is not set: production assumed\)$/);
      expect(refusal({ NODE_ENV: 'staging', AUTH_JWKS_URL: JWKS, PERSON_ID_KEY: KEY_HEX, AUTH_DEV_KEY: 'true' })).toMatch(/^Invalid configuration: AUTH_DEV_KEY /);
    });

    it('never falls back to a built-in person-id key for a production configuration, however it was built', () => {
      const built = { ...loadConfig(PRODUCTION), PERSON_ID_KEY: undefined } as AppConfig;
      expect(() => personIdKey(built)).toThrow('Invalid configuration: PERSON_ID_KEY is required in production');
      expect(authDevKeyEnabled({ ...built, AUTH_DEV_KEY: true })).toBe(false);
    });
  });

  describe('PERSON_ID_KEY', () => {
    it.each([
      ['hex', randomBytes(32).toString('hex')],
      ['hex, upper case and longer', randomBytes(48).toString('hex').toUpperCase()],
      ['base64', randomBytes(32).toString('base64')],
      ['base64url', randomBytes(32).toString('base64url')],
    ])('accepts 32+ random bytes as %s', (_, key) => {
      expect(loadConfig({ ...PRODUCTION, PERSON_ID_KEY: key }).PERSON_ID_KEY).toBe(key);
    });

    const format = 'Invalid configuration: PERSON_ID_KEY must be at least 32 random bytes, written as hex (64+ characters) or base64/base64url (openssl rand -hex 32)';
    const notRandom = 'Invalid configuration: PERSON_ID_KEY is not random (too few distinct bytes): generate one with openssl rand -hex 32';
    it.each([
      ['32 characters (the old minimum; 24 bytes as base64)', 'k'.repeat(32), format],
      ['16 bytes of hex', randomBytes(16).toString('hex'), format],
      ['63 hex characters', randomBytes(32).toString('hex').slice(0, 63), format],
      ['31 bytes of base64', randomBytes(31).toString('base64'), format],
      ['a passphrase', 'correct horse battery staple, correct horse battery staple!', format],
      ['one character repeated', 'k'.repeat(64), notRandom],
      ['one byte repeated in hex', '00'.repeat(32), notRandom],
      ['a short pattern repeated in hex', '0123456789abcdef'.repeat(4), notRandom],
    ])('refuses %s, in one line that does not repeat the key', (_, key, message) => {
      for (const env of [{ ...PRODUCTION, PERSON_ID_KEY: key }, { ...DEV, PERSON_ID_KEY: key }]) {
        const line = refusal(env);
        expect(line).toBe(message);
        expect(line).not.toContain(key);
      }
    });
  });

  describe('tokens', () => {
    it('defaults: algorithms RS256 and ES256, 3600 s maximum lifetime, 30 s clock skew', () => {
      const config = loadConfig(PRODUCTION);
      expect(config.AUTH_ALGORITHMS).toEqual(['RS256', 'ES256']);
      expect(config.AUTH_MAX_TOKEN_LIFETIME_SECONDS).toBe(3600);
      expect(config.AUTH_CLOCK_SKEW_SECONDS).toBe(30);
    });

    it('reads the algorithms, the lifetime and the skew', () => {
      const config = loadConfig({ ...PRODUCTION, AUTH_ALGORITHMS: ' ES256 , PS256 ', AUTH_MAX_TOKEN_LIFETIME_SECONDS: '600', AUTH_CLOCK_SKEW_SECONDS: '0' });
      expect(config.AUTH_ALGORITHMS).toEqual(['ES256', 'PS256']);
      expect(config.AUTH_MAX_TOKEN_LIFETIME_SECONDS).toBe(600);
      expect(config.AUTH_CLOCK_SKEW_SECONDS).toBe(0);
    });

    it.each([
      [{ AUTH_ALGORITHMS: 'PS512' }, 'AUTH_ALGORITHMS', 'must be a comma-separated list of RS256, ES256, PS256'],
      [{ AUTH_ALGORITHMS: 'HS256' }, 'AUTH_ALGORITHMS', 'must be a comma-separated list of RS256, ES256, PS256'],
      [{ AUTH_ALGORITHMS: 'none' }, 'AUTH_ALGORITHMS', 'must be a comma-separated list of RS256, ES256, PS256'],
      [{ AUTH_ALGORITHMS: 'RS256,HS512' }, 'AUTH_ALGORITHMS', 'must be a comma-separated list of RS256, ES256, PS256'],
      [{ AUTH_ALGORITHMS: ' , ' }, 'AUTH_ALGORITHMS', 'must be a comma-separated list of RS256, ES256, PS256'],
      [{ AUTH_MAX_TOKEN_LIFETIME_SECONDS: '0' }, 'AUTH_MAX_TOKEN_LIFETIME_SECONDS', ''],
      [{ AUTH_MAX_TOKEN_LIFETIME_SECONDS: '86401' }, 'AUTH_MAX_TOKEN_LIFETIME_SECONDS', ''],
      [{ AUTH_MAX_TOKEN_LIFETIME_SECONDS: 'an hour' }, 'AUTH_MAX_TOKEN_LIFETIME_SECONDS', ''],
      [{ AUTH_CLOCK_SKEW_SECONDS: '-1' }, 'AUTH_CLOCK_SKEW_SECONDS', ''],
      [{ AUTH_CLOCK_SKEW_SECONDS: '301' }, 'AUTH_CLOCK_SKEW_SECONDS', ''],
      [{ AUTH_JWKS_URL: 'http://idp.example/jwks' }, 'AUTH_JWKS_URL', 'must use https in production'],
      [{ AUTH_JWKS_URL: 'ftp://idp.example/jwks' }, 'AUTH_JWKS_URL', 'must be an https:// URL'],
      [{ AUTH_PUBLIC_KEY_FILE: '/etc/evp/token-signing.pem' }, 'AUTH_PUBLIC_KEY_FILE', 'must not be set together with AUTH_JWKS_URL'],
    ])('refuses %p in production with one line naming %s', (override, variable, text) => {
      const line = refusal({ ...PRODUCTION, ...override });
      expect(line).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
      expect(line).toContain(text);
    });

    it('allows an http:// key set outside production (a local test server)', () => {
      expect(loadConfig({ NODE_ENV: 'test', AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks' }).AUTH_JWKS_URL).toBe('http://127.0.0.1:8080/jwks');
    });

    it('hands the token verifier everything but the clock', () => {
      expect(tokenVerifierOptionsFrom(loadConfig({ ...PRODUCTION, AUTH_ISSUER: 'https://idporten.no', AUTH_AUDIENCE: 'evp' }))).toEqual({
        issuer: 'https://idporten.no',
        audience: 'evp',
        jwksUrl: JWKS,
        publicKeyFile: undefined,
        devKey: false,
        environment: 'production',
        algorithms: ['RS256', 'ES256'],
        maxTokenLifetimeSeconds: 3600,
        clockSkewSeconds: 30,
        personIdKey: KEY_HEX,
        internal: true,
        external: [],
        cache: { maxEntries: 10_000, maxAgeSeconds: 300 },
      });
      expect(tokenVerifierOptionsFrom(loadConfig({ NODE_ENV: 'test' }))).toMatchObject({ devKey: true, environment: 'test', personIdKey: expect.stringMatching(/^evp-development-person-id-key/) });
    });
  });
  describe('external issuers (Entra ID for staff, ID-porten for landlords)', () => {
    const ENTRA = 'https://login.microsoftonline.com/8f2c1a7e-0000-4000-8000-000000000001/v2.0';
    const GROUPS = JSON.stringify({ '0a1b2c3d-1111-4000-8000-000000000001': { municipalities: ['5035'] }, '0a1b2c3d-2222-4000-8000-000000000002': { municipalities: ['5035'], navOffice: 'nav-stjordal' } });
    const STAFF = { AUTH_STAFF_ISSUER: ENTRA, AUTH_STAFF_AUDIENCE: '3b9d2c41-0000-4000-8000-0000000000aa', AUTH_STAFF_JWKS_URL: 'https://login.microsoftonline.com/8f2c1a7e-0000-4000-8000-000000000001/discovery/v2.0/keys', AUTH_STAFF_GROUPS: GROUPS };
    const LANDLORD = { AUTH_LANDLORD_ISSUER: 'https://idporten.no', AUTH_LANDLORD_AUDIENCE: 'https://evp.stjordal.kommune.no/api', AUTH_LANDLORD_JWKS_URL: 'https://idporten.no/jwks.json' };
    /** Production with the internal issuer off and (yet) no other. */
    const NO_ISSUER = { NODE_ENV: 'production', PERSON_ID_KEY: KEY_HEX, PERSON_KEYS_MASTER_KEY: MASTER_HEX, AUTH_INTERNAL_ENABLED: 'false' };
    /** Production with only the organisations' providers: no internal issuer, no AUTH_* key source. */
    const EXTERNAL_ONLY = { ...NO_ISSUER, ...STAFF, ...LANDLORD };

    it('refuses the development issuer and audience in production (fail closed), unless the internal issuer is off', () => {
      const defaults = { NODE_ENV: 'production', AUTH_JWKS_URL: JWKS, PERSON_ID_KEY: KEY_HEX, PERSON_KEYS_MASTER_KEY: MASTER_HEX };
      expect(refusal(defaults)).toBe(
        'Invalid configuration: AUTH_ISSUER must not be the development default evp-dev in production: set the iss your tokens carry, or configure AUTH_STAFF_* / AUTH_LANDLORD_* and switch the internal issuer off (AUTH_INTERNAL_ENABLED=false)',
      );
      expect(refusal({ ...defaults, AUTH_ISSUER: 'https://login.example.kommune.no' })).toMatch(/^Invalid configuration: AUTH_AUDIENCE must not be the development default evp-api in production/);
      expect(refusal({ ...defaults, AUTH_AUDIENCE: 'evp' })).toMatch(/^Invalid configuration: AUTH_ISSUER must not be the development default evp-dev/);
      // An external issuer alone does not make the development defaults safe: the internal issuer must be off too.
      expect(refusal({ ...defaults, ...STAFF })).toMatch(/^Invalid configuration: AUTH_ISSUER .*or switch the internal issuer off \(AUTH_INTERNAL_ENABLED=false\)/);
      // Unset NODE_ENV says production was assumed.
      expect(refusal({ AUTH_JWKS_URL: JWKS, PERSON_ID_KEY: KEY_HEX, PERSON_KEYS_MASTER_KEY: MASTER_HEX })).toMatch(/^Invalid configuration: AUTH_ISSUER .*\(NODE_ENV is not set: production assumed\)$/);
      // Development and test keep their defaults.
      expect(loadConfig(DEV).AUTH_ISSUER).toBe('evp-dev');

      const config = loadConfig(EXTERNAL_ONLY);
      expect(config.AUTH_INTERNAL_ENABLED).toBe(false);
      expect(tokenVerifierOptionsFrom(config)).toMatchObject({ internal: false, devKey: false, external: [{ kind: 'staff', issuer: ENTRA }, { kind: 'landlord', issuer: 'https://idporten.no' }] });
    });

    it('refuses switching the internal issuer off with no other, and switches the development key off with it', () => {
      expect(refusal({ ...DEV, AUTH_INTERNAL_ENABLED: 'false' })).toBe('Invalid configuration: AUTH_INTERNAL_ENABLED must not be false unless AUTH_STAFF_ISSUER or AUTH_LANDLORD_ISSUER is set: nobody could sign in (got "false")');
      expect(authDevKeyEnabled(loadConfig({ ...DEV, ...LANDLORD, AUTH_INTERNAL_ENABLED: 'false' }))).toBe(false);
      expect(authDevKeyEnabled(loadConfig({ ...DEV, ...LANDLORD }))).toBe(true);
    });

    it.each([
      [{ ...STAFF, AUTH_STAFF_AUDIENCE: undefined }, 'AUTH_STAFF_AUDIENCE', 'is required with AUTH_STAFF_ISSUER'],
      [{ ...STAFF, AUTH_STAFF_JWKS_URL: undefined }, 'AUTH_STAFF_JWKS_URL', 'is required with AUTH_STAFF_ISSUER'],
      [{ ...STAFF, AUTH_STAFF_JWKS_URL: 'http://login.example/keys' }, 'AUTH_STAFF_JWKS_URL', 'must use https in production'],
      [{ ...STAFF, AUTH_STAFF_GROUPS: undefined }, 'AUTH_STAFF_GROUPS', 'is required with AUTH_STAFF_ISSUER'],
      [{ ...STAFF, AUTH_STAFF_GROUPS: 'group-1=5035' }, 'AUTH_STAFF_GROUPS', 'must be JSON'],
      [{ ...STAFF, AUTH_STAFF_GROUPS: '{}' }, 'AUTH_STAFF_GROUPS', 'must map at least one group'],
      [{ ...STAFF, AUTH_STAFF_GROUPS: '{"g1": {"municipalities": ["Stjørdal"]}}' }, 'AUTH_STAFF_GROUPS', 'at g1.municipalities.0: must be a four-digit kommunenummer'],
      [{ ...STAFF, AUTH_STAFF_GROUPS: '{"g1": {"municipalities": []}}' }, 'AUTH_STAFF_GROUPS', 'at g1.municipalities: must name at least one kommunenummer'],
      [{ ...STAFF, AUTH_STAFF_GROUPS: '{"g1": {"municipalities": ["5035"], "navOffice": "NAV Stjørdal"}}' }, 'AUTH_STAFF_GROUPS', 'at g1.navOffice: must be a NAV office id'],
      [{ ...STAFF, AUTH_STAFF_GROUPS: '{"g1": {"municipalities": ["5035"], "roles": ["admin"]}}' }, 'AUTH_STAFF_GROUPS', 'at g1'],
      [{ ...STAFF, AUTH_STAFF_GROUPS_FILE: '/etc/evp/groups.json' }, 'AUTH_STAFF_GROUPS_FILE', 'must not be set together with AUTH_STAFF_GROUPS'],
      [{ ...STAFF, AUTH_STAFF_GROUPS: undefined, AUTH_STAFF_GROUPS_FILE: '/nonexistent/evp-groups.json' }, 'AUTH_STAFF_GROUPS_FILE', 'cannot be read (ENOENT)'],
      [{ ...STAFF, AUTH_STAFF_ALGORITHMS: 'HS256' }, 'AUTH_STAFF_ALGORITHMS', 'must be a comma-separated list of RS256, ES256, PS256'],
      [{ ...STAFF, AUTH_STAFF_ISSUER: undefined }, 'AUTH_STAFF_AUDIENCE', 'must not be set without AUTH_STAFF_ISSUER'],
      [{ ...LANDLORD, AUTH_LANDLORD_JWKS_URL: undefined }, 'AUTH_LANDLORD_JWKS_URL', 'is required with AUTH_LANDLORD_ISSUER'],
      [{ ...LANDLORD, AUTH_LANDLORD_JWKS_URL: 'http://idporten.no/jwks.json' }, 'AUTH_LANDLORD_JWKS_URL', 'must use https in production'],
      [{ ...LANDLORD, AUTH_LANDLORD_ACR: 'idporten-loa-low' }, 'AUTH_LANDLORD_ACR', 'must be a comma-separated list of idporten-loa-substantial, idporten-loa-high'],
      [{ ...LANDLORD, AUTH_LANDLORD_MUNICIPALITIES: 'Stjørdal' }, 'AUTH_LANDLORD_MUNICIPALITIES', 'must be comma-separated four-digit kommunenumre'],
      [{ ...LANDLORD, AUTH_LANDLORD_TOKEN_TYPE: 'at jwt' }, 'AUTH_LANDLORD_TOKEN_TYPE', 'must be a media type'],
      [{ AUTH_LANDLORD_MUNICIPALITIES: '5035' }, 'AUTH_LANDLORD_MUNICIPALITIES', 'must not be set without AUTH_LANDLORD_ISSUER'],
      [{ ...LANDLORD, AUTH_LANDLORD_ISSUER: ENTRA, ...STAFF }, 'AUTH_LANDLORD_ISSUER', 'must differ from AUTH_STAFF_ISSUER'],
      [{ ...STAFF, AUTH_INTERNAL_ENABLED: 'true', AUTH_ISSUER: ENTRA, AUTH_AUDIENCE: 'evp', AUTH_JWKS_URL: JWKS }, 'AUTH_STAFF_ISSUER', 'must differ from AUTH_ISSUER'],
      [{ AUTH_TOKEN_CACHE_SECONDS: '3600' }, 'AUTH_TOKEN_CACHE_SECONDS', ''],
      [{ AUTH_TOKEN_CACHE_SIZE: '-1' }, 'AUTH_TOKEN_CACHE_SIZE', ''],
    ])('refuses %p with one line naming %s', (override, variable, text) => {
      const line = refusal({ ...NO_ISSUER, ...override });
      expect(line).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
      expect(line).toContain(text);
    });

    it('reads the group mapping from a file, and hands the verifier each provider', () => {
      const dir = mkdtempSync(join(tmpdir(), 'evp-config-'));
      try {
        const file = join(dir, 'groups.json');
        writeFileSync(file, GROUPS);
        const config = loadConfig({ ...EXTERNAL_ONLY, AUTH_STAFF_GROUPS: undefined, AUTH_STAFF_GROUPS_FILE: file, AUTH_LANDLORD_TOKEN_TYPE: 'at+jwt', AUTH_LANDLORD_ACR: 'idporten-loa-high', WARNING_NAV_OFFICES: '5035:nav-stjordal,5034:nav-meraker' });
        expect(externalIssuersFrom(config)).toEqual([
          {
            kind: 'staff',
            issuer: ENTRA,
            audience: ['3b9d2c41-0000-4000-8000-0000000000aa'],
            jwksUrl: STAFF.AUTH_STAFF_JWKS_URL,
            algorithms: ['RS256'],
            tokenType: undefined,
            maxTokenLifetimeSeconds: 5400,
            rolePrefix: 'evp.',
            groups: JSON.parse(GROUPS),
          },
          {
            kind: 'landlord',
            issuer: 'https://idporten.no',
            audience: ['https://evp.stjordal.kommune.no/api'],
            jwksUrl: 'https://idporten.no/jwks.json',
            algorithms: ['RS256'],
            tokenType: 'at+jwt',
            maxTokenLifetimeSeconds: 3600,
            acr: ['idporten-loa-high'],
            // Default: the municipalities the installation serves.
            municipalities: ['5034', '5035'],
          },
        ]);
        expect(externalIssuersFrom(loadConfig({ ...EXTERNAL_ONLY, AUTH_LANDLORD_MUNICIPALITIES: '5035, 5036' }))[1]).toMatchObject({ municipalities: ['5035', '5036'], acr: ['idporten-loa-substantial', 'idporten-loa-high'] });
        // The file is read at start-up: one that went missing since is a configuration error, not a silent empty mapping.
        rmSync(file);
        expect(() => externalIssuersFrom(config)).toThrow(/^Invalid configuration: AUTH_STAFF_GROUPS_FILE cannot be read/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('asks ID-porten for an access token to the api (resource = AUTH_LANDLORD_AUDIENCE), and Entra ID through its scope only', () => {
      const providers = oidcProvidersFrom(loadConfig({ ...EXTERNAL_ONLY, OIDC_ISSUER: ENTRA, OIDC_CLIENT_ID: 'web-client', OIDC_SCOPE: 'openid profile api://evp-api/access', OIDC_LANDLORD_ISSUER: 'https://idporten.no', OIDC_LANDLORD_CLIENT_ID: 'evp-web' }));
      expect(providers.map((p) => [p.id, p.scope, p.audience])).toEqual([
        ['staff', 'openid profile api://evp-api/access', undefined],
        ['landlord', 'openid profile', 'https://evp.stjordal.kommune.no/api'],
      ]);
      expect(oidcProvidersFrom(loadConfig({ ...DEV, OIDC_LANDLORD_ISSUER: 'https://idporten.no', OIDC_LANDLORD_CLIENT_ID: 'evp-web' }))[0]).not.toHaveProperty('audience');
    });

    it('turns the verified-token cache off with AUTH_TOKEN_CACHE_SIZE=0', () => {
      expect(tokenVerifierOptionsFrom(loadConfig({ ...PRODUCTION, AUTH_TOKEN_CACHE_SIZE: '0' })).cache).toBe(false);
      expect(tokenVerifierOptionsFrom(loadConfig({ ...PRODUCTION, AUTH_TOKEN_CACHE_SIZE: '500', AUTH_TOKEN_CACHE_SECONDS: '60' })).cache).toEqual({ maxEntries: 500, maxAgeSeconds: 60 });
    });
  });
});
