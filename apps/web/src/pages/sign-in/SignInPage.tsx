import { useEffect, useState, type FormEvent } from 'react';
import { Alert, BodyLong, BodyShort, Button, ErrorSummary, Heading, Radio, RadioGroup, TextField, VStack } from '@navikt/ds-react';
import { EnterIcon } from '@navikt/aksel-icons';
import { api } from '../../api/client';
import { errorsFor, problemOf, type Problem } from '../../api/problem';
import type { OidcProviderConfig } from '../../api/types';
import { useAppConfig } from '../../api/app-config';
import { providerLabel, providersOf, startOidcSignIn } from '../../auth/oidc';
import { clearEndReason, endReason, sessionFromToken, signIn } from '../../auth/session';
import { ROLES, ROLE_DESCRIPTIONS, ROLE_NAMES, type Role } from '../../format/labels';
import { Loading, PageHeading, useFocusOn } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { navigate, safeReturnPath, useLocation } from '../../app/router';

/** Where each role starts. */
export const START_PAGE: Record<Role, string> = {
  accounting: '/regnskap',
  'arrears-team': '/team',
  'nav-adviser': '/saker',
  'nav-lead': '/nav',
  landlord: '/',
  admin: '/drift',
};

const DEVELOPMENT = new Set(['development', 'test']);

interface FieldErrors {
  role?: string;
  municipality?: string;
  navOffice?: string;
  landlordId?: string;
}

function validate(role: Role | '', municipality: string, navOffice: string, landlordId: string): FieldErrors {
  const errors: FieldErrors = {};
  if (!role) errors.role = 'Velg en rolle.';
  if (!/^\d{4}$/.test(municipality.trim())) errors.municipality = 'Kommunenummeret må være fire siffer, for eksempel 5035.';
  if ((role === 'nav-adviser' || role === 'nav-lead') && !navOffice.trim()) errors.navOffice = 'Skriv inn NAV-kontoret, for eksempel nav-stjordal.';
  if (role === 'landlord' && !landlordId.trim()) errors.landlordId = 'Skriv inn utleierens id.';
  return errors;
}

/** The api's field errors on the form's fields (the request's names: role, municipalities, navOffice, landlordId). */
function fromProblem(problem: Problem): FieldErrors {
  const errors: FieldErrors = {};
  const role = errorsFor(problem, 'role', 'roles');
  const municipality = errorsFor(problem, 'municipalities', 'municipality');
  const navOffice = errorsFor(problem, 'navOffice');
  const landlordId = errorsFor(problem, 'landlordId');
  if (role) errors.role = `Rollen ${role}`;
  if (municipality) errors.municipality = `Kommunenummeret ${municipality}`;
  if (navOffice) errors.navOffice = `NAV-kontoret ${navOffice}`;
  if (landlordId) errors.landlordId = `Utleier-id-en ${landlordId}`;
  return errors;
}

function DevelopmentSignIn({ next }: { next: string | null }) {
  const [role, setRole] = useState<Role | ''>('');
  const [municipality, setMunicipality] = useState('5035');
  const [navOffice, setNavOffice] = useState('nav-stjordal');
  const [landlordId, setLandlordId] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const summary = useFocusOn<HTMLDivElement>(Object.keys(errors).length > 0 ? errors : null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    const found = validate(role, municipality, navOffice, landlordId);
    setErrors(found);
    if (Object.keys(found).length > 0 || !role) {
      return;
    }
    setBusy(true);
    try {
      const body = {
        role,
        municipalities: [municipality.trim()],
        ...(role === 'nav-adviser' || role === 'nav-lead' ? { navOffice: navOffice.trim() } : {}),
        ...(role === 'landlord' ? { landlordId: landlordId.trim() } : {}),
      };
      const { token, expiresAt } = await api<{ token: string; expiresAt: string }>('/api/dev/token', { method: 'POST', json: body, auth: false });
      const session = sessionFromToken(token, 'development', expiresAt);
      if (!session) throw new Error('Tokenet mangler rolle eller kommune.');
      signIn(session);
      navigate(safeReturnPath(next, START_PAGE[session.role]), { replace: true });
    } catch (error) {
      const p = problemOf(error);
      const fieldErrors = fromProblem(p);
      setErrors(fieldErrors);
      if (Object.keys(fieldErrors).length === 0) setProblem(p);
    } finally {
      setBusy(false);
    }
  }

  const listed = Object.entries(errors).filter(([, message]) => !!message) as Array<[keyof FieldErrors, string]>;
  const fieldIds: Record<keyof FieldErrors, string> = { role: 'rolle', municipality: 'kommunenummer', navOffice: 'nav-kontor', landlordId: 'utleier-id' };

  return (
    <form onSubmit={submit} noValidate>
      <VStack gap="space-24" maxWidth="36rem">
        <Alert variant="info" size="small">
          Utviklings- og testinnlogging: du velger selv rolle og kommune. Den finnes ikke i produksjon.
        </Alert>
        {listed.length > 0 ? (
          <ErrorSummary ref={summary} heading="Rett opp dette før du logger inn:">
            {listed.map(([field, message]) => (
              <ErrorSummary.Item key={field} href={`#${fieldIds[field]}`}>
                {message}
              </ErrorSummary.Item>
            ))}
          </ErrorSummary>
        ) : null}
        <RadioGroup legend="Rolle" value={role} onChange={(value: Role) => setRole(value)} error={errors.role}>
          {ROLES.map((r, i) => (
            // The error summary's link goes to the first choice: a fieldset cannot take the focus.
            <Radio key={r} value={r} description={ROLE_DESCRIPTIONS[r]} {...(i === 0 ? { id: 'rolle' } : {})}>
              {ROLE_NAMES[r]}
            </Radio>
          ))}
        </RadioGroup>
        <TextField
          id="kommunenummer"
          label="Kommunenummer"
          description="Fire siffer. 5035 er Stjørdal."
          inputMode="numeric"
          autoComplete="off"
          value={municipality}
          onChange={(e) => setMunicipality(e.target.value)}
          error={errors.municipality}
          htmlSize={8}
        />
        {role === 'nav-adviser' || role === 'nav-lead' ? <TextField id="nav-kontor" label="NAV-kontor" description="Kontorets id, for eksempel nav-stjordal." value={navOffice} onChange={(e) => setNavOffice(e.target.value)} error={errors.navOffice} autoComplete="off" /> : null}
        {role === 'landlord' ? <TextField id="utleier-id" label="Utleier-id" description="Utleierens id i tjenesten, for eksempel enhet-bygg." value={landlordId} onChange={(e) => setLandlordId(e.target.value)} error={errors.landlordId} autoComplete="off" /> : null}
        {problem ? <ProblemAlert problem={problem} what="Innloggingen feilet" focus /> : null}
        <div>
          <Button type="submit" loading={busy} icon={<EnterIcon aria-hidden />}>
            Logg inn
          </Button>
        </div>
      </VStack>
    </form>
  );
}

function OidcSignIn({ providers, next }: { providers: OidcProviderConfig[]; next: string | null }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  return (
    <VStack gap="space-16">
      {providers.map((p) => (
        <div key={p.issuer}>
          <Button
            loading={busy === p.issuer}
            icon={<EnterIcon aria-hidden />}
            onClick={() => {
              setBusy(p.issuer);
              setError(null);
              startOidcSignIn(p, safeReturnPath(next, '/')).catch((e: unknown) => {
                setBusy(null);
                setError(e instanceof Error ? e.message : 'Kunne ikke starte innloggingen.');
              });
            }}
          >
            Logg inn med {providerLabel(p)}
          </Button>
        </div>
      ))}
      {error ? (
        <Alert variant="error" role="alert">
          {error}
        </Alert>
      ) : null}
    </VStack>
  );
}

export function SignInPage() {
  const location = useLocation();
  const next = location.search.get('neste');
  const [ended] = useState(endReason);
  useEffect(clearEndReason, []);
  const { config, problem, retry } = useAppConfig();

  let body;
  if (problem) body = <ProblemAlert problem={problem} what="Kunne ikke hente innloggingsvalgene" onRetry={retry} />;
  else if (!config) body = <Loading text="Henter innloggingsvalg …" />;
  else {
    const providers = providersOf(config.oidc ?? undefined);
    // The api says whether its development sign-in exists; an older api only says which environment it runs in.
    const development = config.devSignIn ?? DEVELOPMENT.has(config.environment);
    body = (
      <VStack gap="space-40">
        {providers.length > 0 ? (
          <section aria-labelledby="oidc-heading">
            <VStack gap="space-16">
              <Heading level="2" size="medium" id="oidc-heading">
                Logg inn med ID-porten eller Entra ID
              </Heading>
              <BodyLong>Ansatte logger inn med Entra ID, utleiere med ID-porten. Du sendes til innloggingstjenesten og tilbake hit.</BodyLong>
              <OidcSignIn providers={providers} next={next} />
            </VStack>
          </section>
        ) : null}
        {development ? (
          <section aria-labelledby="dev-heading">
            <VStack gap="space-16">
              <Heading level="2" size="medium" id="dev-heading">
                Velg rolle og kommune
              </Heading>
              <DevelopmentSignIn next={next} />
            </VStack>
          </section>
        ) : null}
        {providers.length === 0 && !development ? <Alert variant="warning">Innlogging er ikke satt opp for denne tjenesten. Kontakt driften.</Alert> : null}
      </VStack>
    );
  }

  return (
    <VStack gap="space-24">
      <PageHeading title="Logg inn">Logg inn</PageHeading>
      {ended === 'expired' ? (
        <Alert variant="warning" role="status">
          Økten din er utløpt. Logg inn på nytt for å fortsette der du var.
        </Alert>
      ) : null}
      {ended === 'signed-out' ? (
        <Alert variant="success" role="status">
          Du er logget ut.
        </Alert>
      ) : null}
      <BodyShort>Tjenesten hjelper kommunen å oppdage husleierestanser tidlig og følge opp husstander før de mister boligen.</BodyShort>
      {body}
    </VStack>
  );
}
