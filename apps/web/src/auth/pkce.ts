/**
 * Proof Key for Code Exchange (RFC 7636) with WebCrypto: the code verifier is 32 random bytes as
 * base64url (43 characters, inside the 43–128 the RFC allows) and the challenge is S256, the
 * base64url SHA-256 of the verifier's ASCII. `plain` is never used.
 */

export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Random URL-safe text from `bytes` random bytes (state, nonce, verifier). */
export function randomToken(bytes = 32): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(bytes)));
}

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export function createCodeVerifier(): string {
  return randomToken(32);
}

export async function codeChallengeS256(verifier: string): Promise<string> {
  if (!VERIFIER.test(verifier)) throw new Error('A PKCE code verifier is 43–128 characters of A–Z, a–z, 0–9, "-", ".", "_" and "~"');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64UrlEncode(new Uint8Array(digest));
}

export interface AuthorizationRequest {
  readonly authorizationEndpoint: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeChallenge: string;
  readonly audience?: string;
}

/** The authorization-code request with PKCE (S256), as the person's browser is sent to it. */
export function authorizationUrl(r: AuthorizationRequest): string {
  const url = new URL(r.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', r.clientId);
  url.searchParams.set('redirect_uri', r.redirectUri);
  url.searchParams.set('scope', r.scope);
  url.searchParams.set('state', r.state);
  url.searchParams.set('nonce', r.nonce);
  url.searchParams.set('code_challenge', r.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  if (r.audience) url.searchParams.set('resource', r.audience);
  return url.toString();
}

/** The form body that exchanges the code for tokens; the verifier proves this browser started the flow. */
export function tokenRequestBody(r: { code: string; redirectUri: string; clientId: string; codeVerifier: string }): URLSearchParams {
  return new URLSearchParams({ grant_type: 'authorization_code', code: r.code, redirect_uri: r.redirectUri, client_id: r.clientId, code_verifier: r.codeVerifier });
}

/**
 * The callback's query: the code when the state matches the one this tab sent (CSRF and mix-up
 * protection), otherwise the reason in bokmål.
 */
export function readCallback(search: URLSearchParams, expectedState: string | null): { code: string } | { error: string } {
  const error = search.get('error');
  if (error) {
    const description = search.get('error_description');
    return { error: error === 'access_denied' ? 'Innloggingen ble avbrutt.' : `Innloggingen feilet (${error}${description ? `: ${description}` : ''}).` };
  }
  const code = search.get('code');
  const state = search.get('state');
  if (!code || !state) return { error: 'Svaret fra innloggingen mangler kode eller tilstand.' };
  if (!expectedState || state !== expectedState) return { error: 'Svaret fra innloggingen hører ikke til denne innloggingen. Start på nytt.' };
  return { code };
}
