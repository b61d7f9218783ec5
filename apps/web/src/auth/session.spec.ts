import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sessionFromApi } from './oidc';
import { expiryOf, sessionFromMe, sessionFromToken } from './session';

/** An unsigned JWT-shaped string: the page only reads claims for display, the api verifies. */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.signature`;
}

const EXP = 1_900_000_000;
const entra = jwt({ iss: 'https://login.microsoftonline.com/tenant/v2.0', sub: 'pairwise', roles: ['evp.accounting'], groups: ['0a1b2c3d-1111'], exp: EXP });
const idporten = jwt({ iss: 'https://idporten.no', sub: 'pairwise', pid: '15838512329', acr: 'idporten-loa-substantial', exp: EXP });

describe('the session of a signed-in person', () => {
  it('reads a development token’s own claims', () => {
    const token = jwt({ roles: ['nav-adviser'], municipalities: ['5035'], navOffice: 'nav-stjordal', exp: EXP });
    expect(sessionFromToken(token, 'development')).toEqual({ token, expiresAt: '2030-03-17T17:46:40.000Z', role: 'nav-adviser', roles: ['nav-adviser'], municipalities: ['5035'], municipality: '5035', navOffice: 'nav-stjordal', landlordId: null, via: 'development' });
  });

  it('tolerates Entra ID and ID-porten tokens (none of our claims) and unreadable ones: no session from the token, no error', () => {
    for (const token of [entra, idporten, 'opaque-reference-token', 'a.b.c', '']) expect(sessionFromToken(token, 'oidc')).toBeNull();
    expect(expiryOf(entra)).toBe('2030-03-17T17:46:40.000Z');
    expect(expiryOf('opaque-reference-token')).toBeNull();
  });

  it('takes roles and municipalities from the api’s reading of the token, dropping what it does not know', () => {
    const session = sessionFromMe(idporten, { roles: ['landlord', 'superuser'], municipalities: ['5035'], navOffice: null, landlordId: 'p0123456789abcdef0123456789abcdef' }, 'oidc');
    expect(session).toMatchObject({ role: 'landlord', roles: ['landlord'], municipality: '5035', landlordId: 'p0123456789abcdef0123456789abcdef', expiresAt: '2030-03-17T17:46:40.000Z', via: 'oidc' });
    expect(sessionFromMe(entra, { roles: [], municipalities: ['5035'], navOffice: null, landlordId: null }, 'oidc')).toBeNull();
    expect(sessionFromMe(entra, { roles: ['accounting'], municipalities: [], navOffice: null, landlordId: null }, 'oidc')).toBeNull();
  });

  describe('from the api (GET /api/v1/me)', () => {
    let server: Server;
    let base: string;
    let answer: { status: number; body: unknown };
    let seen: string | undefined;

    beforeAll(async () => {
      server = createServer((request, response) => {
        seen = request.headers.authorization;
        response.writeHead(answer.status, { 'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json' }).end(JSON.stringify(answer.body));
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    it('sends the access token and builds the session from the answer', async () => {
      answer = { status: 200, body: { roles: ['accounting', 'arrears-team'], municipalities: ['5035', '5034'], navOffice: null, landlordId: null } };
      const session = await sessionFromApi(entra, null, `${base}/api/v1/me`);
      expect(seen).toBe(`Bearer ${entra}`);
      expect(session).toMatchObject({ token: entra, role: 'accounting', roles: ['accounting', 'arrears-team'], municipality: '5035', expiresAt: '2030-03-17T17:46:40.000Z', via: 'oidc' });
    });

    it('shows the api’s reason when a genuine person has no access here, and says so on other failures', async () => {
      answer = { status: 403, body: { type: 'https://evp.no/problems/forbidden', detail: 'Du er logget inn, men brukeren din har ingen rolle i denne tjenesten. Kontakt den som gir tilganger.' } };
      await expect(sessionFromApi(entra, null, `${base}/api/v1/me`)).rejects.toThrow('Du er logget inn, men brukeren din har ingen rolle i denne tjenesten. Kontakt den som gir tilganger.');
      answer = { status: 401, body: { type: 'https://evp.no/problems/unauthorized' } };
      await expect(sessionFromApi(entra, null, `${base}/api/v1/me`)).rejects.toThrow('Tjenesten godtok ikke innloggingen');
      answer = { status: 503, body: { type: 'https://evp.no/problems/unavailable' } };
      await expect(sessionFromApi(entra, null, `${base}/api/v1/me`)).rejects.toThrow('Tjenesten svarer ikke akkurat nå');
      answer = { status: 200, body: { roles: [], municipalities: [], navOffice: null, landlordId: null } };
      await expect(sessionFromApi(entra, null, `${base}/api/v1/me`)).rejects.toThrow('Brukeren din har ingen rolle eller kommune i denne tjenesten');
      await expect(sessionFromApi(entra, null, 'http://127.0.0.1:9/api/v1/me')).rejects.toThrow('Fikk ikke kontakt med tjenesten');
    });
  });
});
