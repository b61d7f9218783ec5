import { ConfigError, loadConfig } from './config';

describe('configuration', () => {
  it('defaults to a SQLite file under ./data and Redis on 127.0.0.1:6379', () => {
    const config = loadConfig({});
    expect(config.EVENT_STORE).toBe('sqlite');
    expect(config.SQLITE_FILE).toBe('./data/events.sqlite');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it.each([
    [{ API_PORT: 'eighty' }, 'API_PORT'],
    [{ API_PORT: '70000' }, 'API_PORT'],
    [{ EVENT_STORE: 'postgres' }, 'EVENT_STORE'],
    [{ EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'http://x' }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ TEST_CLOCK_FILE: '/tmp/clock' }, 'TEST_CLOCK_FILE'],
    [{ NODE_ENV: 'production', TEST_CLOCK_FILE: '/tmp/clock', AUTH_JWKS_URL: 'https://idp.example/jwks', PERSON_ID_KEY: 'k'.repeat(32) }, 'TEST_CLOCK_FILE'],
    [{ NODE_ENV: 'production', AUTH_DEV_KEY: 'true', AUTH_JWKS_URL: 'https://idp.example/jwks', PERSON_ID_KEY: 'k'.repeat(32) }, 'AUTH_DEV_KEY'],
    [{ NODE_ENV: 'production', PERSON_ID_KEY: 'k'.repeat(32) }, 'AUTH_JWKS_URL'],
    [{ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks' }, 'PERSON_ID_KEY'],
    [{ POLICY_GRACE_WORKING_DAYS: '-1' }, 'POLICY_GRACE_WORKING_DAYS'],
  ])('refuses %p with one line naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as Error).message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('accepts the test clock only under NODE_ENV=test', () => {
    expect(loadConfig({ NODE_ENV: 'test', TEST_CLOCK_FILE: '/tmp/clock' }).TEST_CLOCK_FILE).toBe('/tmp/clock');
  });
});
