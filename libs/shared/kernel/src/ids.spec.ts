import { deterministicId } from './ids';

describe('deterministicId', () => {
  // Stored events carry these ids: a new implementation must give exactly the old ones, or a
  // retried import or a replayed workflow would append its events a second time.
  it.each([
    ['', '2cea332f-293c-5027-a83f-1e4c9fd04dc1'],
    ['ledger|5035|T-1|F-2026-12-1', 'd059c1d9-a69f-5551-ba7b-c9ee1e17fe43'],
    ['workflow-cases-arrears:3f1c', '98429996-5b78-522b-ae3d-bff91433d03f'],
    ['æøå|§ 9-11', '3c83fd08-d726-5853-b416-0dfb4f151186'],
  ])('derives the id it always derived from %j', (name, id) => {
    expect(deterministicId(name)).toBe(id);
  });

  it('is a UUID in the version-5 layout', () => {
    expect(deterministicId('anything')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
