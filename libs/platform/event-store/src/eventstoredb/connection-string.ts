/**
 * Production refuses an EventStoreDB connection that is unencrypted, unauthenticated or does not
 * verify the server (ARCHITECTURE.md invariant 14, fail closed). Returns a short English reason,
 * or null when the string is acceptable. Outside production everything that parses is accepted
 * (the docker-compose server runs insecure on 127.0.0.1).
 *
 * The client's own defaults are what makes a missing setting safe: `tls` defaults to true and
 * certificate verification cannot be switched off in 6.2.1 (it warns that `tlsVerifyCert=false`
 * has no effect), but the string states an intent, and a later client may honour it, so it is
 * refused. Credentials are `user:password@` or an X.509 user certificate (`userCertFile` and
 * `userKeyFile`, supported since client 6.2.0). With `tls=false` the client drops credentials
 * altogether ("Credentials are unsupported in insecure mode"), one more reason to refuse it.
 */
export function checkEventStoreConnectionString(connectionString: string, production: boolean): string | null {
  // Credentials parsed as the client parses them: a user without `:`, a password without `@`.
  const match = /^(esdb|esdb\+discover):\/\/(?:([^:@]+):([^@]+)@)?([^?]*)(?:\?(.*))?$/.exec(connectionString.trim());
  if (!match) return 'the EventStoreDB connection string must start with esdb:// or esdb+discover://';
  const [, , user, password, hosts, query] = match;
  if (!hosts || hosts.replace(/\/+$/, '') === '') return 'the EventStoreDB connection string names no host';
  if (!production) return null;

  const params = new Map<string, string>();
  for (const pair of (query ?? '').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    // Keys as the client reads them: case, `-` and `_` do not matter (`TLS`, `tls_verify_cert`).
    const key = (eq < 0 ? pair : pair.slice(0, eq)).trim().toLowerCase().replace(/[_-]/g, '');
    const value = eq < 0 ? '' : safeDecode(pair.slice(eq + 1)).trim().toLowerCase();
    params.set(key, value);
  }
  if (params.get('tls') === 'false') return 'tls=false: production needs an encrypted EventStoreDB connection';
  if (params.get('tlsverifycert') === 'false') return 'tlsVerifyCert=false: production must verify the EventStoreDB server certificate';
  const hasPassword = Boolean(user && password);
  const hasCertificate = Boolean(params.get('usercertfile') && params.get('userkeyfile'));
  if (!hasPassword && !hasCertificate) {
    return 'no credentials: production needs esdb://user:password@host (or userCertFile and userKeyFile) so the server can enforce access';
  }
  return null;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
