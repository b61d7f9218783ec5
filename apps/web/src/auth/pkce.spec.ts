import { authorizationUrl, base64UrlEncode, codeChallengeS256, createCodeVerifier, readCallback, tokenRequestBody } from './pkce';

describe('PKCE (RFC 7636) with WebCrypto', () => {
  it('computes the S256 challenge of the RFC\'s own example (Appendix B)', async () => {
    expect(await codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes verifiers of 43 URL-safe characters, different every time', () => {
    const verifiers = new Set(Array.from({ length: 50 }, createCodeVerifier));
    expect(verifiers.size).toBe(50);
    for (const v of verifiers) expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a verifier the RFC does not allow', async () => {
    await expect(codeChallengeS256('too-short')).rejects.toThrow(/43–128/);
    await expect(codeChallengeS256('x'.repeat(129))).rejects.toThrow(/43–128/);
    await expect(codeChallengeS256(`${'a'.repeat(42)}+`)).rejects.toThrow(/43–128/);
  });

  it('encodes base64url without padding', () => {
    expect(base64UrlEncode(new Uint8Array([0xfb, 0xff, 0xfe]))).toBe('-__-');
    expect(base64UrlEncode(new Uint8Array([1]))).toBe('AQ');
  });

  it('asks for the code with S256 and never the plain method', () => {
    const url = new URL(
      authorizationUrl({ authorizationEndpoint: 'https://login.example/authorize?tenant=x', clientId: 'evp-web', redirectUri: 'https://evp.example/logg-inn/tilbake', scope: 'openid profile', state: 'st', nonce: 'no', codeChallenge: 'ch' }),
    );
    expect(url.origin + url.pathname).toBe('https://login.example/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: 'x',
      response_type: 'code',
      client_id: 'evp-web',
      redirect_uri: 'https://evp.example/logg-inn/tilbake',
      scope: 'openid profile',
      state: 'st',
      nonce: 'no',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
  });

  it('exchanges the code with the verifier', () => {
    expect(Object.fromEntries(tokenRequestBody({ code: 'c', redirectUri: 'https://evp.example/logg-inn/tilbake', clientId: 'evp-web', codeVerifier: 'v' }))).toEqual({
      grant_type: 'authorization_code',
      code: 'c',
      redirect_uri: 'https://evp.example/logg-inn/tilbake',
      client_id: 'evp-web',
      code_verifier: 'v',
    });
  });

  it('accepts the callback only with the state this tab sent', () => {
    expect(readCallback(new URLSearchParams('code=abc&state=s1'), 's1')).toEqual({ code: 'abc' });
    expect(readCallback(new URLSearchParams('code=abc&state=other'), 's1')).toEqual({ error: expect.stringMatching(/hører ikke til/) });
    expect(readCallback(new URLSearchParams('code=abc&state=s1'), null)).toEqual({ error: expect.stringMatching(/hører ikke til/) });
    expect(readCallback(new URLSearchParams('error=access_denied&state=s1'), 's1')).toEqual({ error: 'Innloggingen ble avbrutt.' });
    expect(readCallback(new URLSearchParams('state=s1'), 's1')).toEqual({ error: expect.stringMatching(/mangler kode/) });
  });
});
