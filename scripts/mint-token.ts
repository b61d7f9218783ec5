/**
 * `npm run token -- <role> <kommunenr,…> [--nav-office ID] [--landlord ID] [--sub ID]`
 * Prints a bearer token signed with the public development key, valid for
 * AUTH_MAX_TOKEN_LIFETIME_SECONDS (default one hour). For local use only: only servers running
 * under NODE_ENV=development or test accept tokens signed with that key.
 */
import { ROLES, mintDevToken, type Role } from '@evp/auth';
import { authDevKeyEnabled, loadConfigOrExit } from '@evp/runtime';

async function main(): Promise<void> {
  // A developer's tool: an unset NODE_ENV means development here, where the servers' unset means
  // production. Minting grants nothing by itself (a production server refuses the development key),
  // so this default opens nothing; an explicit NODE_ENV is respected.
  if (!process.env['NODE_ENV']) process.env['NODE_ENV'] = 'development';
  const config = loadConfigOrExit();
  if (!authDevKeyEnabled(config)) {
    console.error('The development key is disabled in this configuration (NODE_ENV is not development or test, or AUTH_DEV_KEY=false).');
    process.exit(1);
  }
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const navOffice = flag('--nav-office');
  const landlordId = flag('--landlord');
  const sub = flag('--sub') ?? `dev-${args[0] ?? 'user'}`;
  const [role, municipalities = '5035'] = args;
  if (!role || !(ROLES as readonly string[]).includes(role)) {
    console.error(`usage: npm run token -- <${ROLES.join('|')}> <kommunenr,…> [--nav-office ID] [--landlord ID] [--sub ID]`);
    process.exit(2);
  }
  const token = await mintDevToken({
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    sub,
    roles: [role as Role],
    municipalities: municipalities.split(','),
    // As long as the server accepts (exp - iat at most AUTH_MAX_TOKEN_LIFETIME_SECONDS).
    lifetimeSeconds: config.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
    ...(navOffice ? { navOffice } : {}),
    ...(landlordId ? { landlordId } : {}),
  });
  process.stdout.write(`${token}\n`);
}

void main();
