/**
 * Production sign-in: the authorization-code flow with PKCE against the organisation's OpenID
 * Connect provider (Entra ID for staff, ID-porten for landlords), configured by the api's
 * `GET /api/config`. The browser is sent to the provider; the pages never see a password. The
 * verifier, state and nonce live in sessionStorage only for the round trip.
 */
import type { OidcProviderConfig } from '../api/types';
import { authorizationUrl, codeChallengeS256, createCodeVerifier, randomToken, readCallback, tokenRequestBody } from './pkce';
import { claimsOf, sessionFromMe, type MeView, type Session } from './session';

const PENDING_KEY = 'evp.oidc.pending';
export const CALLBACK_PATH = '/logg-inn/tilbake';

interface Pending {
  readonly provider: OidcProviderConfig;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
  readonly next: string;
  readonly redirectUri: string;
}

export function providersOf(oidc: OidcProviderConfig | readonly OidcProviderConfig[] | undefined): OidcProviderConfig[] {
  if (!oidc) return [];
  return Array.isArray(oidc) ? [...(oidc as readonly OidcProviderConfig[])] : [oidc as OidcProviderConfig];
}

/** «Entra ID (ansatte)», «ID-porten (utleiere)»: the service first, as on the button «Logg inn med …». */
export function providerLabel(p: OidcProviderConfig): string {
  if (p.id === 'staff' || /microsoftonline|login\.microsoft/i.test(p.issuer)) return 'Entra ID (ansatte)';
  if (p.id === 'landlord' || /idporten/i.test(p.issuer)) return 'ID-porten (utleiere)';
  return p.label ?? 'ID-porten / Entra ID';
}

async function endpoints(p: OidcProviderConfig): Promise<{ authorization: string; token: string }> {
  if (p.authorizationEndpoint && p.tokenEndpoint) return { authorization: p.authorizationEndpoint, token: p.tokenEndpoint };
  const response = await fetch(`${p.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error('Fant ikke oppsettet til innloggingstjenesten.');
  const discovery = (await response.json()) as { authorization_endpoint?: string; token_endpoint?: string };
  if (!discovery.authorization_endpoint || !discovery.token_endpoint) throw new Error('Innloggingstjenesten oppgir ikke sine adresser.');
  return { authorization: p.authorizationEndpoint ?? discovery.authorization_endpoint, token: p.tokenEndpoint ?? discovery.token_endpoint };
}

const redirectUriFor = (p: OidcProviderConfig) => `${window.location.origin}${p.redirectPath ?? CALLBACK_PATH}`;

export async function startOidcSignIn(provider: OidcProviderConfig, next: string): Promise<void> {
  const { authorization } = await endpoints(provider);
  const pending: Pending = { provider, verifier: createCodeVerifier(), state: randomToken(), nonce: randomToken(), next, redirectUri: redirectUriFor(provider) };
  window.sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  window.location.assign(
    authorizationUrl({
      authorizationEndpoint: authorization,
      clientId: provider.clientId,
      redirectUri: pending.redirectUri,
      scope: provider.scope ?? 'openid',
      state: pending.state,
      nonce: pending.nonce,
      codeChallenge: await codeChallengeS256(pending.verifier),
      ...(provider.audience ? { audience: provider.audience } : {}),
    }),
  );
}

/** The callback page: exchange the code for tokens; the session, and where to go next. */
export async function completeOidcSignIn(search: URLSearchParams): Promise<{ session: Session; next: string }> {
  const raw = window.sessionStorage.getItem(PENDING_KEY);
  window.sessionStorage.removeItem(PENDING_KEY);
  const pending = raw ? (JSON.parse(raw) as Pending) : null;
  const callback = readCallback(search, pending?.state ?? null);
  if ('error' in callback) throw new Error(callback.error);
  if (!pending) throw new Error('Innloggingen ble ikke startet i denne fanen.');
  const { token } = await endpoints(pending.provider);
  const response = await fetch(token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody({ code: callback.code, redirectUri: pending.redirectUri, clientId: pending.provider.clientId, codeVerifier: pending.verifier }),
  });
  if (!response.ok) throw new Error('Innloggingstjenesten godtok ikke innloggingen. Prøv igjen.');
  const tokens = (await response.json()) as { access_token?: string; id_token?: string; expires_in?: number };
  if (tokens.id_token && claimsOf(tokens.id_token)['nonce'] !== pending.nonce) throw new Error('Svaret fra innloggingen hører ikke til denne innloggingen. Start på nytt.');
  if (!tokens.access_token) throw new Error('Innloggingstjenesten ga ingen tilgangsnøkkel.');
  const expiresAt = typeof tokens.expires_in === 'number' ? new Date(Date.now() + tokens.expires_in * 1000).toISOString() : null;
  return { session: await sessionFromApi(tokens.access_token, expiresAt), next: pending.next };
}

const NO_ACCESS = 'Brukeren din har ingen rolle eller kommune i denne tjenesten. Kontakt den som gir tilganger.';

/**
 * The session for a provider's access token, as the api reads it (`GET /api/v1/me`): an Entra ID or
 * ID-porten token carries none of our claims, so the page cannot read roles and municipalities from
 * it. A 403 is a real person without access here: the api's bokmål reason is shown.
 */
export async function sessionFromApi(accessToken: string, expiresAt: string | null, meUrl = '/api/v1/me'): Promise<Session> {
  let response: Response;
  try {
    response = await fetch(meUrl, { headers: { accept: 'application/json, application/problem+json', authorization: `Bearer ${accessToken}` }, credentials: 'same-origin' });
  } catch {
    throw new Error('Fikk ikke kontakt med tjenesten. Sjekk nettverket og prøv igjen.');
  }
  if (response.status === 403) {
    const problem = (await response.json().catch(() => null)) as { detail?: unknown } | null;
    throw new Error(typeof problem?.detail === 'string' ? problem.detail : NO_ACCESS);
  }
  if (response.status === 401) throw new Error('Tjenesten godtok ikke innloggingen. Prøv igjen, eller kontakt den som gir tilganger.');
  if (!response.ok) throw new Error('Tjenesten svarer ikke akkurat nå. Prøv igjen om litt.');
  const session = sessionFromMe(accessToken, (await response.json()) as MeView, 'oidc', expiresAt);
  if (!session) throw new Error(NO_ACCESS);
  return session;
}
