import { useState, type FormEvent } from 'react';
import { Alert, BodyShort, Button, ErrorSummary, Heading, HStack, Textarea, VStack } from '@navikt/ds-react';
import { DownloadIcon, FloppydiskIcon } from '@navikt/aksel-icons';
import { api, idempotencyKey, query, send } from '../../api/client';
import { ApiError, problemOf, type Problem } from '../../api/problem';
import type { MeetingPack, MeetingPackCase, MeetingPackFigures } from '../../api/types';
import { useApi } from '../../api/use-api';
import { useToday } from '../../api/app-config';
import { useSession } from '../../auth/session';
import { formatDate, formatInteger, formatKroner, formatOneDecimal, formatShare, plural } from '../../format/format';
import { CaseStatusTag, Reasons } from '../../components/cases';
import { Loading, PageHeading, useFocusOn } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { DateField, dateOf } from '../../components/date-field';
import { Link } from '../../app/router';

/** Names for the pack's figures; an unknown figure is shown by its key. */
const FIGURE_NAMES: Record<string, string> = {
  casesAtRisk: 'Saker i faresonen',
  activeCases: 'Aktive saker',
  escalated: 'Eskalerte saker',
  openedSinceLastMeeting: 'Åpnet siden forrige møte',
  resolvedSinceLastMeeting: 'Løst siden forrige møte',
  openCases: 'Åpne saker',
  escalatedCases: 'Eskalerte saker',
  casesOpened: 'Saker åpnet siden sist',
  casesResolved: 'Saker løst siden sist',
  casesEscalated: 'Saker eskalert siden sist',
  arrearsOre: 'Samlet restanse',
  outstandingOre: 'Utestående husleie',
  outstandingShare: 'Utestående som andel av fakturert',
  medianDaysToFirstContact: 'Median dager til første kontakt',
  warnings: 'Varsler om fravikelse',
  petitions: 'Begjæringer om fravikelse',
  evictionsCarriedOut: 'Utkastelser gjennomført',
  evictionsAvoided: 'Utkastelser avverget',
  medianNavPickupDays: 'Median dager til NAV tok saken',
};

function figureValue(key: string, value: unknown): string {
  if (typeof value !== 'number') return value === null || value === undefined ? '–' : String(value);
  if (key.endsWith('Ore')) return formatKroner(value);
  if (key.endsWith('Share')) return formatShare(value);
  if (key.startsWith('median') || !Number.isInteger(value)) return formatOneDecimal(value);
  return formatInteger(value);
}

function Figures({ figures }: { figures: MeetingPackFigures }) {
  const entries = Object.entries(figures).filter(([, v]) => typeof v !== 'object' || v === null);
  if (entries.length === 0) return null;
  return (
    <section aria-labelledby="figures-heading">
      <VStack gap="space-12">
        <Heading level="2" size="medium" id="figures-heading">
          Tall
        </Heading>
        <dl className="figures">
          {entries.map(([key, value]) => (
            <div key={key}>
              <dt>{FIGURE_NAMES[key] ?? key}</dt>
              <dd>{figureValue(key, value)}</dd>
            </div>
          ))}
        </dl>
      </VStack>
    </section>
  );
}

function PackCase({ c, decision, onDecision, error }: { c: MeetingPackCase; decision: string; onDecision: (text: string) => void; error?: string | undefined }) {
  return (
    <li className="pack__case">
      <article aria-labelledby={`pack-${c.caseId}`}>
        <VStack gap="space-12">
          <HStack gap="space-12" align="center" wrap>
            <Heading level="3" size="small" id={`pack-${c.caseId}`}>
              <Link to={`/saker/${encodeURIComponent(c.caseId)}`}>Sak {c.caseId}</Link>, leieforhold {c.tenancyId}
            </Heading>
            <CaseStatusTag status={c.status} />
          </HStack>
          <Reasons reasons={c.reasons} />
          <VStack gap="space-4">
            <BodyShort weight="semibold">Siden forrige møte</BodyShort>
            {c.changesSinceLastMeeting.length === 0 ? (
              <BodyShort>Ingen endringer.</BodyShort>
            ) : (
              <ul className="reasons">
                {c.changesSinceLastMeeting.map((ch, i) => (
                  <li key={i}>
                    {formatDate(ch.on)}: {ch.summary}
                  </li>
                ))}
              </ul>
            )}
          </VStack>
          <Textarea id={`vedtak-${c.caseId}`} label={`Vedtak for sak ${c.caseId}`} description="La feltet stå tomt hvis saken ikke ble behandlet." value={decision} onChange={(e) => onDecision(e.target.value)} error={error} maxLength={2000} minRows={2} />
        </VStack>
      </article>
    </li>
  );
}

async function fetchPdf(meetingId: string): Promise<Response> {
  // The meeting reaches its read model a moment after it is recorded: a 404 right after saving is asked again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(`/api/v1/arrears-team/meetings/${encodeURIComponent(meetingId)}/pack.pdf`, { headers: { accept: 'application/pdf' } });
    } catch (error) {
      if (!(error instanceof ApiError) || error.problem.status !== 404 || attempt >= 20) throw error;
      await new Promise((r) => window.setTimeout(r, 300));
    }
  }
}

async function downloadPdf(meetingId: string, heldOn: string): Promise<void> {
  // The PDF needs the bearer token, so it is fetched and handed to the browser as a file.
  const response = await fetchPdf(meetingId);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `motepakke-${heldOn}.pdf`;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function DecisionsForm({ pack, municipality, today }: { pack: MeetingPack; municipality: string; today: string }) {
  const [heldOn, setHeldOn] = useState<string | null>(today);
  const [decisions, setDecisions] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<{ meetingId: string; count: number; heldOn: string } | null>(null);
  const [downloadProblem, setDownloadProblem] = useState<Problem | null>(null);
  const summary = useFocusOn<HTMLDivElement>(Object.keys(errors).length > 0 ? errors : null);
  const success = useFocusOn<HTMLDivElement>(saved);

  const chosen = pack.cases.map((c, index) => ({ c, index, text: (decisions[c.caseId] ?? '').trim() })).filter((d) => d.text !== '');

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    const found: Record<string, string> = {};
    if (!heldOn) found['heldOn'] = 'Skriv inn møtedatoen som dd.mm.åååå.';
    else if (heldOn > today) found['heldOn'] = 'Møtedatoen kan ikke være frem i tid.';
    setErrors(found);
    if (Object.keys(found).length > 0) {
      return;
    }
    setBusy(true);
    try {
      if (!heldOn) return;
      const body = { municipality, heldOn, decisions: chosen.map((d) => ({ caseId: d.c.caseId, decision: d.text })) };
      const { meetingId } = await api<{ meetingId: string }>('/api/v1/arrears-team/meetings', { method: 'POST', json: body, headers: { 'idempotency-key': idempotencyKey() } });
      setSaved({ meetingId, count: chosen.length, heldOn });
    } catch (error) {
      const p = problemOf(error);
      // Errors name the field: heldOn, or decisions.<n>.decision / decisions.<n>.caseId for the n-th decision sent.
      const fieldErrors: Record<string, string> = {};
      for (const e of p.errors) {
        if (e.column === 'heldOn') fieldErrors['heldOn'] = `Møtedatoen ${e.reason}.`;
        const m = /^decisions\.(\d+)/.exec(e.column ?? '');
        const d = m ? chosen[Number(m[1])] : undefined;
        if (d) fieldErrors[d.c.caseId] = `Vedtaket ${e.reason}.`;
      }
      setErrors(fieldErrors);
      if (Object.keys(fieldErrors).length === 0) setProblem(p);
    } finally {
      setBusy(false);
    }
  }

  const listed = Object.entries(errors);
  return (
    <form onSubmit={submit} noValidate aria-labelledby="decisions-heading">
      <VStack gap="space-24">
        <Heading level="2" size="medium" id="decisions-heading">
          Saker i faresonen ({formatInteger(pack.cases.length)})
        </Heading>
        {listed.length > 0 ? (
          <ErrorSummary ref={summary} heading="Rett opp dette før du lagrer:">
            {listed.map(([field, message]) => (
              <ErrorSummary.Item key={field} href={field === 'heldOn' ? '#motedato' : `#vedtak-${field}`}>
                {message}
              </ErrorSummary.Item>
            ))}
          </ErrorSummary>
        ) : null}
        <DateField id="motedato" label="Møtedato" value={heldOn ?? ''} onChange={setHeldOn} error={errors['heldOn']} latest={dateOf(today)} />
        {pack.cases.length === 0 ? (
          <BodyShort>Ingen saker er i faresonen nå.</BodyShort>
        ) : (
          <ul className="pack">
            {pack.cases.map((c) => (
              <PackCase key={c.caseId} c={c} decision={decisions[c.caseId] ?? ''} onDecision={(text) => setDecisions((d) => ({ ...d, [c.caseId]: text }))} error={errors[c.caseId]} />
            ))}
          </ul>
        )}
        <BodyShort>{chosen.length === 0 ? 'Ingen vedtak er skrevet inn. Du kan likevel lagre møtet og lage møtepakken.' : `${plural(chosen.length, 'vedtak', 'vedtak')} blir lagret på sakene.`}</BodyShort>
        <div>
          <Button type="submit" loading={busy} icon={<FloppydiskIcon aria-hidden />}>
            Lagre møtet og vedtakene
          </Button>
        </div>
        {problem ? <ProblemAlert problem={problem} what="Møtet ble ikke lagret" focus /> : null}
        {saved ? (
          <Alert variant="success" ref={success} tabIndex={-1} className="result">
            <VStack gap="space-12">
              <BodyShort>
                Møtet {formatDate(saved.heldOn)} er lagret med {plural(saved.count, 'vedtak', 'vedtak')}.
              </BodyShort>
              <div>
                <Button
                  type="button"
                  variant="secondary"
                  icon={<DownloadIcon aria-hidden />}
                  onClick={() => {
                    setDownloadProblem(null);
                    downloadPdf(saved.meetingId, saved.heldOn).catch((e: unknown) => setDownloadProblem(problemOf(e)));
                  }}
                >
                  Last ned møtepakken (PDF)
                </Button>
              </div>
            </VStack>
          </Alert>
        ) : null}
        {downloadProblem ? <ProblemAlert problem={downloadProblem} what="Kunne ikke laste ned PDF-en" /> : null}
      </VStack>
    </form>
  );
}

export function MeetingPackPage() {
  const session = useSession();
  const path = session ? `/api/v1/arrears-team/meeting-pack${query({ municipality: session.municipality })}` : null;
  const pack = useApi<MeetingPack>(path);
  const today = useToday();
  return (
    <VStack gap="space-24">
      <PageHeading title="Møtepakke" description="Til husleierestanseteamets møte: sakene i faresonen, hva som har skjedd siden forrige møte, og tallene. Vedtakene som lagres her, blir en del av sakenes historikk.">
        Møtepakke for husleierestanseteamet
      </PageHeading>
      {(pack.state === 'loading' && !pack.data) || (pack.data && !today) ? <Loading text="Setter sammen møtepakken …" /> : null}
      {pack.state === 'error' ? <ProblemAlert problem={pack.problem} what="Kunne ikke hente møtepakken" onRetry={pack.reload} /> : null}
      {pack.data && session && today ? (
        <>
          <BodyShort>{pack.data.since ? `Endringer siden forrige møte ${formatDate(pack.data.since)}.` : 'Ingen møter er holdt før; alt som har skjedd er med.'}</BodyShort>
          {pack.data.truncated ? (
            <Alert variant="warning" size="small">
              Flere saker er i faresonen enn møtepakken rommer. Teamets kø har alle.
            </Alert>
          ) : null}
          <Figures figures={pack.data.figures} />
          <DecisionsForm pack={pack.data} municipality={session.municipality} today={today} />
        </>
      ) : null}
    </VStack>
  );
}
