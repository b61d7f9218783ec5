import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, BodyShort, Button, Detail, ErrorSummary, Heading, HGrid, HStack, Radio, RadioGroup, VStack } from '@navikt/ds-react';
import { PhoneIcon } from '@navikt/aksel-icons';
import { api, idempotencyKey } from '../../api/client';
import { errorsFor, problemOf, type Problem } from '../../api/problem';
import type { CaseDetail, NavSummary } from '../../api/types';
import { hasAnyRole, useSession } from '../../auth/session';
import { NAV_STATUS_NAMES } from '../../format/labels';
import { useApi } from '../../api/use-api';
import { useToday } from '../../api/app-config';
import { formatDate, formatDateTime, formatKroner, osloToday } from '../../format/format';
import { CONTACT_CHANNELS, actorName, timelineTypeName, type ContactChannel } from '../../format/labels';
import { CaseStatusTag, Reasons } from '../../components/cases';
import { Loading, PageHeading, useFocusOn } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { DateField, dateOf } from '../../components/date-field';
import { Link } from '../../app/router';

function Timeline({ entries }: { entries: CaseDetail['timeline'] }) {
  return (
    <ol className="timeline">
      {entries.map((e, i) => {
        const name = timelineTypeName(e.type);
        return (
          <li key={`${e.at}-${i}`} className="timeline__entry">
            <VStack gap="space-4">
              <Heading level="3" size="xsmall">
                {formatDate(e.on)}
                {name ? ` – ${name}` : ''}
              </Heading>
              <BodyShort>{e.summary}</BodyShort>
              <Detail textColor="subtle">
                Registrert {formatDateTime(e.at)} av {actorName(e.actorRole).toLowerCase()}
              </Detail>
            </VStack>
          </li>
        );
      })}
    </ol>
  );
}

interface ContactErrors {
  channel?: string;
  contactedOn?: string;
}

function RecordContact({ caseId, onRecorded }: { caseId: string; onRecorded: () => void }) {
  const today = useToday() ?? osloToday();
  const [channel, setChannel] = useState<ContactChannel | ''>('');
  // Empty means today by the api's clock (which the browser's may not match).
  const [contactedOn, setContactedOn] = useState<string | null>('');
  const [errors, setErrors] = useState<ContactErrors>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [recorded, setRecorded] = useState<string | null>(null);
  const summary = useFocusOn<HTMLDivElement>(Object.keys(errors).length > 0 ? errors : null);
  const success = useFocusOn<HTMLDivElement>(recorded);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setRecorded(null);
    const found: ContactErrors = {};
    if (!channel) found.channel = 'Velg hvordan dere fikk kontakt.';
    if (contactedOn === null) found.contactedOn = 'Skriv datoen som dd.mm.åååå, eller la feltet stå tomt for i dag.';
    else if (contactedOn > today) found.contactedOn = 'Datoen kan ikke være frem i tid.';
    setErrors(found);
    if (Object.keys(found).length > 0) {
      return;
    }
    setBusy(true);
    try {
      await api(`/api/v1/cases/${encodeURIComponent(caseId)}/contacts`, {
        method: 'POST',
        json: { channel, ...(contactedOn ? { contactedOn } : {}) },
        headers: { 'idempotency-key': idempotencyKey() },
      });
      const label = CONTACT_CHANNELS.find(([value]) => value === channel)?.[1] ?? channel;
      setRecorded(`Kontakten er registrert (${label.toLowerCase()}${contactedOn ? `, ${formatDate(contactedOn)}` : ', i dag'}).`);
      setChannel('');
      onRecorded();
    } catch (error) {
      const p = problemOf(error);
      const fieldErrors: ContactErrors = {};
      const c = errorsFor(p, 'channel');
      const d = errorsFor(p, 'contactedOn');
      if (c) fieldErrors.channel = `Kanalen ${c}.`;
      if (d) fieldErrors.contactedOn = `Datoen ${d}.`;
      setErrors(fieldErrors);
      if (Object.keys(fieldErrors).length === 0) setProblem(p);
    } finally {
      setBusy(false);
    }
  }

  const listed = (Object.entries(errors) as Array<[keyof ContactErrors, string | undefined]>).filter((e): e is [keyof ContactErrors, string] => !!e[1]);
  return (
    <form onSubmit={submit} noValidate aria-labelledby="contact-heading">
      <VStack gap="space-20">
        <Heading level="2" size="medium" id="contact-heading">
          Registrer kontakt
        </Heading>
        <BodyShort>Kontakt med husstanden stopper eskaleringen til husleierestanseteamet.</BodyShort>
        {listed.length > 0 ? (
          <ErrorSummary ref={summary} heading="Rett opp dette før du registrerer:">
            {listed.map(([field, message]) => (
              <ErrorSummary.Item key={field} href={field === 'channel' ? '#kanal' : '#kontaktdato'}>
                {message}
              </ErrorSummary.Item>
            ))}
          </ErrorSummary>
        ) : null}
        <RadioGroup legend="Hvordan fikk dere kontakt?" value={channel} onChange={(value: ContactChannel) => setChannel(value)} error={errors.channel}>
          {CONTACT_CHANNELS.map(([value, label], i) => (
            // The error summary's link goes to the first choice: a fieldset cannot take the focus.
            <Radio key={value} value={value} {...(i === 0 ? { id: 'kanal' } : {})}>
              {label}
            </Radio>
          ))}
        </RadioGroup>
        <DateField id="kontaktdato" label="Dato for kontakten (valgfritt)" description="La feltet stå tomt hvis kontakten var i dag." value={contactedOn ?? ''} onChange={setContactedOn} error={errors.contactedOn} latest={dateOf(today)} />
        <div>
          <Button type="submit" loading={busy} icon={<PhoneIcon aria-hidden />}>
            Registrer kontakt
          </Button>
        </div>
        {recorded ? (
          <Alert variant="success" ref={success} tabIndex={-1} className="result">
            {recorded}
          </Alert>
        ) : null}
        {problem ? <ProblemAlert problem={problem} what="Kontakten ble ikke registrert" focus /> : null}
      </VStack>
    </form>
  );
}

/** The warnings on the case and their legal dates, as the case's timeline tells them (never NAV's work). */
function Warnings({ entries }: { entries: CaseDetail['timeline'] }) {
  const warnings = entries.filter((e) => e.type === 'cases.WarningAttached' || e.type === 'cases.WarningStepRecorded');
  if (warnings.length === 0) return null;
  return (
    <section aria-labelledby="warnings-heading">
      <VStack gap="space-8">
        <Heading level="2" size="small" id="warnings-heading">
          Varsel om fravikelse og datoer
        </Heading>
        <ul className="reasons">
          {warnings.map((w, i) => (
            <li key={i}>
              <strong>{formatDate(w.on)}:</strong> {w.summary}
            </li>
          ))}
        </ul>
      </VStack>
    </section>
  );
}

/** What the team may know of NAV's follow-up: the summary only (no amounts, no notes). */
function NavSummaryPanel({ caseId }: { caseId: string }) {
  const summary = useApi<NavSummary>(`/api/v1/nav/cases/${encodeURIComponent(caseId)}/summary`);
  return (
    <section aria-labelledby="nav-summary-heading">
      <VStack gap="space-8">
        <Heading level="2" size="small" id="nav-summary-heading">
          NAV
        </Heading>
        {summary.state === 'loading' ? <Loading text="Henter NAVs sammendrag …" /> : null}
        {summary.state === 'error' ? (
          summary.problem.status === 404 ? (
            <BodyShort>Saken er ikke henvist til NAV.</BodyShort>
          ) : (
            <ProblemAlert problem={summary.problem} what="Kunne ikke hente NAVs sammendrag" onRetry={summary.reload} />
          )
        ) : null}
        {summary.state === 'ok' ? (
          <dl className="facts">
            <dt>Status hos NAV</dt>
            <dd>{NAV_STATUS_NAMES[summary.data.status] ?? summary.data.status}</dd>
            <dt>Neste dato</dt>
            <dd>{formatDate(summary.data.nextDate)}</dd>
            <dt>Hjelp på vei</dt>
            <dd>{summary.data.helpOnItsWay ? 'Ja' : 'Nei'}</dd>
            {summary.data.pickupOverdue ? (
              <>
                <dt>Varsel</dt>
                <dd className="overdue">NAV har ikke tatt saken innen fristen.</dd>
              </>
            ) : null}
            {summary.data.planBreached ? (
              <>
                <dt>Nedbetalingsavtale</dt>
                <dd className="overdue">Avtalen er brutt.</dd>
              </>
            ) : null}
          </dl>
        ) : null}
      </VStack>
    </section>
  );
}

export function CasePage({ params }: { params: Record<string, string> }) {
  const id = params['id'] ?? '';
  const session = useSession();
  const detail = useApi<CaseDetail>(`/api/v1/cases/${encodeURIComponent(id)}`);
  const [waitingFor, setWaitingFor] = useState<number | null>(null);
  const polls = useRef(0);
  const { reload } = detail;
  const contacts = detail.data?.contacts;

  // The case's read model is updated by the worker a moment after the contact is recorded: look again until it shows.
  useEffect(() => {
    if (waitingFor === null) return;
    if ((contacts !== undefined && contacts >= waitingFor) || polls.current >= 25) {
      polls.current = 0;
      setWaitingFor(null);
      return;
    }
    if (detail.state === 'loading') return;
    polls.current += 1;
    const timer = window.setTimeout(reload, 400);
    return () => window.clearTimeout(timer);
  }, [waitingFor, contacts, reload, detail.state]);

  if (detail.state === 'loading' && !detail.data) return <Loading text="Henter saken …" />;
  if (detail.state === 'error') {
    return (
      <VStack gap="space-16">
        <PageHeading title="Sak">Sak {id}</PageHeading>
        <ProblemAlert problem={detail.problem} what="Kunne ikke hente saken" onRetry={detail.reload} />
        <div>
          <Link to="/saker">Til sakslisten</Link>
        </div>
      </VStack>
    );
  }
  const c = detail.data as CaseDetail;
  const nav = hasAnyRole(session, 'nav-adviser', 'nav-lead');
  return (
    <VStack gap="space-24">
      <PageHeading title={`Sak ${c.caseId}`}>
        <HStack as="span" gap="space-12" align="center">
          <span>Sak {c.caseId}</span>
          <CaseStatusTag status={c.status} />
        </HStack>
      </PageHeading>
      <HGrid columns={{ xs: 1, md: 2 }} gap="space-32">
        <VStack gap="space-24">
          <dl className="facts">
            <dt>Leieforhold</dt>
            <dd>
              {c.tenancyId} (kommune {c.municipalityNumber})
            </dd>
            <dt>NAV-kontor</dt>
            <dd>{c.navOffice}</dd>
            <dt>Åpnet</dt>
            <dd>{formatDate(c.openedOn)}</dd>
            <dt>Frist for første kontakt</dt>
            <dd>{formatDate(c.firstContactDeadline)}</dd>
            <dt>Restanse ved åpning</dt>
            <dd>{formatKroner(c.arrearsOreAtOpening)}</dd>
            <dt>Kontakter</dt>
            <dd>{c.contacts === 0 ? 'Ingen registrert' : `${c.contacts}, sist ${formatDate(c.lastContactOn)}`}</dd>
            {c.escalatedOn ? (
              <>
                <dt>Eskalert</dt>
                <dd>{formatDate(c.escalatedOn)}</dd>
              </>
            ) : null}
            {c.resolvedOn ? (
              <>
                <dt>Avsluttet</dt>
                <dd>{formatDate(c.resolvedOn)}</dd>
              </>
            ) : null}
          </dl>
          <section aria-labelledby="reasons-heading">
            <VStack gap="space-8">
              <Heading level="2" size="small" id="reasons-heading">
                Begrunnelse
              </Heading>
              <BodyShort weight="semibold">Åpnet fordi</BodyShort>
              <Reasons reasons={c.openingReasons} />
              {c.escalationReasons.length > 0 ? (
                <>
                  <BodyShort weight="semibold">Eskalert fordi</BodyShort>
                  <Reasons reasons={c.escalationReasons} />
                </>
              ) : null}
            </VStack>
          </section>
          <Warnings entries={c.timeline} />
          {nav ? (
            <div>
              <Link to={`/nav/saker/${encodeURIComponent(c.caseId)}`}>NAVs oppfølging av saken</Link>
            </div>
          ) : hasAnyRole(session, 'arrears-team') ? (
            <NavSummaryPanel caseId={c.caseId} />
          ) : null}
          {c.status === 'resolved' ? (
            <Alert variant="info" size="small">
              Saken er avsluttet. Kontakt kan ikke registreres på en avsluttet sak.
            </Alert>
          ) : (
            <RecordContact caseId={c.caseId} onRecorded={() => setWaitingFor(c.contacts + 1)} />
          )}
        </VStack>
        <section aria-labelledby="timeline-heading">
          <VStack gap="space-16">
            <Heading level="2" size="medium" id="timeline-heading">
              Tidslinje
            </Heading>
            {waitingFor !== null ? (
              <BodyShort role="status" size="small">
                Oppdaterer tidslinjen …
              </BodyShort>
            ) : null}
            {c.timeline.length === 0 ? <BodyShort>Ingenting registrert ennå.</BodyShort> : <Timeline entries={c.timeline} />}
          </VStack>
        </section>
      </HGrid>
    </VStack>
  );
}
