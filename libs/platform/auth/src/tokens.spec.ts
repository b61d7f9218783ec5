import { SignJWT } from 'jose';
import { InvalidTokenError, TokenVerifier, mintDevToken } from './tokens';

const verifier = new TokenVerifier({ issuer: 'evp-dev', audience: 'evp-api', devKey: true });
const base = { issuer: 'evp-dev', audience: 'evp-api', sub: 'person-1', municipalities: ['5035'] };

describe('bearer tokens', () => {
  it('turns a valid token into a caller with roles, municipalities and NAV office', async () => {
    const token = await mintDevToken({ ...base, roles: ['nav-adviser'], navOffice: 'nav-stjordal' });
    expect(await verifier.verify(token)).toEqual({ personId: 'person-1', roles: ['nav-adviser'], municipalities: ['5035'], navOffice: 'nav-stjordal', landlordId: null });
  });

  it('refuses another issuer or audience, an expired token and a token signed with another key', async () => {
    await expect(verifier.verify(await mintDevToken({ ...base, issuer: 'someone-else', roles: ['admin'] }))).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifier.verify(await mintDevToken({ ...base, audience: 'other', roles: ['admin'] }))).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifier.verify(await mintDevToken({ ...base, roles: ['admin'], expiresIn: '-1m' }))).rejects.toBeInstanceOf(InvalidTokenError);
    const forged = await new SignJWT({ roles: ['admin'], municipalities: ['5035'] }).setProtectedHeader({ alg: 'HS256' }).setIssuer('evp-dev').setAudience('evp-api').setSubject('x').sign(new TextEncoder().encode('not-the-key-not-the-key-not-the-key'));
    await expect(verifier.verify(forged)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses unknown roles, bad municipalities, and a NAV adviser or landlord without their office or id', async () => {
    await expect(verifier.verify(await mintDevToken({ ...base, roles: ['superuser' as never] }))).rejects.toThrow(/roles/);
    await expect(verifier.verify(await mintDevToken({ ...base, municipalities: ['Stjørdal'], roles: ['admin'] }))).rejects.toThrow(/municipalities/);
    await expect(verifier.verify(await mintDevToken({ ...base, roles: ['nav-adviser'] }))).rejects.toThrow(/navOffice/);
    await expect(verifier.verify(await mintDevToken({ ...base, roles: ['landlord'] }))).rejects.toThrow(/landlordId/);
  });

  it('has no key at all unless one is configured', () => {
    expect(() => new TokenVerifier({ issuer: 'x', audience: 'y', devKey: false })).toThrow(/No token verification key/);
  });
});
