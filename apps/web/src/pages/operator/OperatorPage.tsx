/**
 * For operators (admin): whether every subscription keeps up, what is parked (and «Prøv igjen»),
 * which deadlines are pending and overdue (DOMAIN.md: timers that silently stop firing), rebuilds
 * with progress, and the BullMQ queues. Through the api's /api/v1/operator/…, which passes to the
 * worker's /operator/….
 */
import { useEffect, useState } from 'react';
import { Alert, BodyShort, Button, Heading, HStack, Loader, Table, Tag, VStack } from '@navikt/ds-react';
import { ArrowCirclepathIcon, ExternalLinkIcon } from '@navikt/aksel-icons';
import { api, query } from '../../api/client';
import { problemOf, type Problem } from '../../api/problem';
import type { DeadlineOverview, RebuildProgress, SubscriptionLag, SubscriptionStatus } from '../../api/types';
import { useApi } from '../../api/use-api';
import { formatDateTime, formatInteger, plural } from '../../format/format';
import { DEADLINE_STATUS_NAMES, REBUILD_STATE_NAMES, SUBSCRIPTION_STATE_NAMES } from '../../format/labels';
import { Loading, PageHeading } from '../../components/page';
import { ProblemAlert } from '../../components/problem';

const OPERATOR = '/api/v1/operator';
const DEADLINES_SHOWN = 50;

function Lag() {
  const lag = useApi<{ caughtUp: boolean; subscriptions: SubscriptionLag[] }>(`${OPERATOR}/lag`);
  return (
    <section aria-labelledby="lag-heading" className="section">
      <VStack gap="space-12">
        <HStack gap="space-16" align="center">
          <Heading level="2" size="medium" id="lag-heading">
            Abonnementer og etterslep
          </Heading>
          <Button size="small" variant="tertiary" icon={<ArrowCirclepathIcon aria-hidden />} onClick={lag.reload}>
            Oppdater
          </Button>
        </HStack>
        {lag.state === 'loading' && !lag.data ? <Loading text="Henter etterslep …" /> : null}
        {lag.state === 'error' ? <ProblemAlert problem={lag.problem} what="Kunne ikke hente etterslepet" onRetry={lag.reload} /> : null}
        {lag.data ? (
          <>
            <BodyShort>
              {lag.data.caughtUp
                ? 'Alle abonnementer har behandlet alt i loggen.'
                : lag.data.subscriptions.every((s) => s.caughtUp || s.building)
                  ? 'Bare projeksjoner som bygges på nytt ligger etter, og det er ventet.'
                  : 'Minst ett abonnement ligger etter.'}
            </BodyShort>
            <div className="table-wrap">
              <Table size="small" zebraStripes>
                <caption className="sr-only">Abonnementer og etterslep</caption>
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeader scope="col">Abonnement</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Tilstand</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Ajour</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Etter siden</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col" align="right">
                      Parkerte
                    </Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Siste feil</Table.ColumnHeader>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {lag.data.subscriptions.map((s) => (
                    <Table.Row key={s.name}>
                      <Table.HeaderCell scope="row">{s.name}</Table.HeaderCell>
                      <Table.DataCell>{SUBSCRIPTION_STATE_NAMES[s.state] ?? s.state}</Table.DataCell>
                      <Table.DataCell>{s.caughtUp ? 'Ja' : s.building ? 'Nei, bygges på nytt' : <span className="overdue">Nei</span>}</Table.DataCell>
                      <Table.DataCell>{formatDateTime(s.behindSince)}</Table.DataCell>
                      <Table.DataCell align="right">{s.parked}</Table.DataCell>
                      <Table.DataCell>{s.error ?? s.lastError ?? '–'}</Table.DataCell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </div>
          </>
        ) : null}
      </VStack>
    </section>
  );
}

function Parked() {
  const subscriptions = useApi<SubscriptionStatus[]>(`${OPERATOR}/subscriptions`);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function retry(subscription: string, stream: string) {
    setBusy(`${subscription}|${stream}`);
    setMessage(null);
    setProblem(null);
    try {
      const result = await api<{ released: boolean; parked: Array<{ error: string | null }> }>(`${OPERATOR}/subscriptions/${encodeURIComponent(subscription)}/parked/retry${query({ stream })}`, { method: 'POST' });
      setMessage(
        result.released
          ? { ok: true, text: `Hendelsene i strømmen ${stream} er behandlet, og strømmen går igjen.` }
          : { ok: false, text: `Hendelsen i ${stream} feilet igjen: ${result.parked[0]?.error ?? 'ukjent feil'}. Den er parkert på nytt.` },
      );
      subscriptions.reload();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(null);
    }
  }

  const rows = (subscriptions.data ?? []).flatMap((s) => s.parked.map((p) => ({ subscription: s.name, ...p })));
  return (
    <section aria-labelledby="parked-heading" className="section">
      <VStack gap="space-12">
        <Heading level="2" size="medium" id="parked-heading">
          Parkerte hendelser
        </Heading>
        <BodyShort>En hendelse parkeres når behandlingen feiler gang på gang mens alt annet virker. Senere hendelser i samme strøm venter bak den. Rett årsaken, og prøv igjen.</BodyShort>
        {message ? (
          <Alert variant={message.ok ? 'success' : 'warning'} role="status">
            {message.text}
          </Alert>
        ) : null}
        {problem ? <ProblemAlert problem={problem} what="Nytt forsøk feilet" /> : null}
        {subscriptions.state === 'loading' && !subscriptions.data ? <Loading text="Henter parkerte hendelser …" /> : null}
        {subscriptions.state === 'error' ? <ProblemAlert problem={subscriptions.problem} what="Kunne ikke hente abonnementene" onRetry={subscriptions.reload} /> : null}
        {subscriptions.data ? (
          rows.length === 0 ? (
            <BodyShort>Ingen hendelser er parkert.</BodyShort>
          ) : (
            <div className="table-wrap">
              <Table size="small" zebraStripes>
                <caption className="sr-only">Parkerte og ventende hendelser</caption>
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeader scope="col">Abonnement</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Strøm</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Hendelse</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Status</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Feil</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col" align="right">
                      Forsøk
                    </Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Parkert</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">
                      <span className="sr-only">Handling</span>
                    </Table.ColumnHeader>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {rows.map((p) => (
                    <Table.Row key={`${p.subscription}|${p.eventId}`}>
                      <Table.DataCell>{p.subscription}</Table.DataCell>
                      <Table.DataCell>{p.streamName}</Table.DataCell>
                      <Table.DataCell>
                        {p.type} (nr. {p.revision})
                      </Table.DataCell>
                      <Table.DataCell>{p.reason === 'parked' ? 'Feilet' : 'Venter bak'}</Table.DataCell>
                      <Table.DataCell>{p.error ?? '–'}</Table.DataCell>
                      <Table.DataCell align="right">{p.attempts}</Table.DataCell>
                      <Table.DataCell>{formatDateTime(p.at)}</Table.DataCell>
                      <Table.DataCell>
                        {p.reason === 'parked' ? (
                          <Button size="small" variant="secondary" loading={busy === `${p.subscription}|${p.streamName}`} onClick={() => void retry(p.subscription, p.streamName)} aria-label={`Prøv igjen: ${p.type} i ${p.streamName}`}>
                            Prøv igjen
                          </Button>
                        ) : null}
                      </Table.DataCell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </div>
          )
        ) : null}
      </VStack>
    </section>
  );
}

function Deadlines() {
  const deadlines = useApi<DeadlineOverview>(`${OPERATOR}/deadlines${query({ limit: DEADLINES_SHOWN })}`);
  const d = deadlines.data;
  const pendingTotal = d ? d.counts.filter((c) => c.status === 'pending').reduce((n, c) => n + c.count, 0) : 0;
  return (
    <section aria-labelledby="deadlines-heading" className="section">
      <VStack gap="space-12">
        <Heading level="2" size="medium" id="deadlines-heading">
          Ventende frister
        </Heading>
        {deadlines.state === 'loading' && !d ? <Loading text="Henter fristene …" /> : null}
        {deadlines.state === 'error' ? <ProblemAlert problem={deadlines.problem} what="Kunne ikke hente fristene" onRetry={deadlines.reload} /> : null}
        {d ? (
          <>
            <BodyShort>
              {plural(pendingTotal, 'frist venter', 'frister venter')}
              {d.overdue > 0 ? `, ${formatInteger(d.overdue)} av dem på overtid` : ', ingen på overtid'}.{' '}
              {pendingTotal > d.pending.length ? `Viser de ${formatInteger(d.pending.length)} første.` : ''}
            </BodyShort>
            {d.overdue > 0 ? (
              <Alert variant="warning" size="small">
                {plural(d.overdue, 'frist har', 'frister har')} passert uten å bli utløst. Sjekk at arbeideren og Redis kjører.
              </Alert>
            ) : null}
            {d.pending.length > 0 ? (
              <div className="table-wrap">
                <Table size="small" zebraStripes>
                  <caption className="sr-only">Ventende frister, første forfall først</caption>
                  <Table.Header>
                    <Table.Row>
                      <Table.ColumnHeader scope="col">Frist</Table.ColumnHeader>
                      <Table.ColumnHeader scope="col">Arbeidsflyt</Table.ColumnHeader>
                      <Table.ColumnHeader scope="col">Type</Table.ColumnHeader>
                      <Table.ColumnHeader scope="col">Forfaller</Table.ColumnHeader>
                      <Table.ColumnHeader scope="col">Status</Table.ColumnHeader>
                    </Table.Row>
                  </Table.Header>
                  <Table.Body>
                    {d.pending.map((p) => (
                      <Table.Row key={p.id}>
                        <Table.DataCell>{p.id}</Table.DataCell>
                        <Table.DataCell>{p.workflow}</Table.DataCell>
                        <Table.DataCell>{p.kind}</Table.DataCell>
                        <Table.DataCell>{formatDateTime(p.dueAt)}</Table.DataCell>
                        <Table.DataCell>
                          {p.overdue ? (
                            <Tag size="small" variant="strong" data-color="danger">
                              På overtid
                            </Tag>
                          ) : (
                            DEADLINE_STATUS_NAMES[p.status] ?? p.status
                          )}
                        </Table.DataCell>
                      </Table.Row>
                    ))}
                  </Table.Body>
                </Table>
              </div>
            ) : null}
          </>
        ) : null}
      </VStack>
    </section>
  );
}

function Rebuild({ name, initial }: { name: string; initial: RebuildProgress | null }) {
  const [progress, setProgress] = useState<RebuildProgress | null>(initial);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [starting, setStarting] = useState(false);
  const building = progress?.state === 'building';

  useEffect(() => {
    if (!building) return;
    const timer = window.setInterval(() => {
      api<RebuildProgress | null>(`${OPERATOR}/projections/${encodeURIComponent(name)}/rebuild`).then(setProgress, (e: unknown) => setProblem(problemOf(e)));
    }, 1000);
    return () => window.clearInterval(timer);
  }, [building, name]);

  async function start() {
    setStarting(true);
    setProblem(null);
    try {
      setProgress(await api<RebuildProgress>(`${OPERATOR}/projections/${encodeURIComponent(name)}/rebuild`, { method: 'POST' }));
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setStarting(false);
    }
  }

  const labelId = `rebuild-${name}`;
  return (
    <VStack gap="space-8">
      <HStack gap="space-16" align="center" wrap>
        <Button size="small" variant="secondary" loading={starting} disabled={building} onClick={() => void start()} aria-describedby={labelId}>
          Bygg {name} på nytt
        </Button>
        <BodyShort id={labelId} size="small" role="status">
          {progress
            ? `${REBUILD_STATE_NAMES[progress.state] ?? progress.state}: ${plural(progress.handled, 'hendelse', 'hendelser')} behandlet${building ? `, sist fremdrift ${formatDateTime(progress.lastProgressAt)}` : ''}${progress.finishedAt ? `, ferdig ${formatDateTime(progress.finishedAt)}` : ''}${progress.error ? `. Feil: ${progress.error}` : ''}.`
            : 'Ikke bygget på nytt siden arbeideren startet.'}
        </BodyShort>
      </HStack>
      {building ? <Loader size="small" title="Bygger …" /> : null}
      {problem ? <ProblemAlert problem={problem} what={`Kunne ikke bygge ${name} på nytt`} /> : null}
    </VStack>
  );
}

function Projections() {
  const projections = useApi<Array<{ name: string; rebuild: RebuildProgress | null }>>(`${OPERATOR}/projections`);
  return (
    <section aria-labelledby="projections-heading" className="section">
      <VStack gap="space-12">
        <Heading level="2" size="medium" id="projections-heading">
          Projeksjoner
        </Heading>
        <BodyShort>En projeksjon bygges på nytt i nye tabeller mens de gamle svarer, og byttes når den har tatt igjen loggen.</BodyShort>
        {projections.state === 'loading' && !projections.data ? <Loading text="Henter projeksjonene …" /> : null}
        {projections.state === 'error' ? <ProblemAlert problem={projections.problem} what="Kunne ikke hente projeksjonene" onRetry={projections.reload} /> : null}
        {projections.data ? (
          <ul className="plain-list">
            {projections.data.map((p) => (
              <li key={p.name}>
                <Rebuild name={p.name} initial={p.rebuild} />
              </li>
            ))}
          </ul>
        ) : null}
      </VStack>
    </section>
  );
}

function Queues() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  async function open() {
    setBusy(true);
    setProblem(null);
    try {
      // A short-lived cookie lets the browser open bull-board, which cannot send the bearer token itself.
      const session = await api<{ url?: string }>(`${OPERATOR}/queues-session`, { method: 'POST' });
      window.location.assign(session?.url?.startsWith('/') ? session.url : '/admin/queues/');
    } catch (error) {
      setProblem(problemOf(error));
      setBusy(false);
    }
  }
  return (
    <section aria-labelledby="queues-heading" className="section">
      <VStack gap="space-12">
        <Heading level="2" size="medium" id="queues-heading">
          Køer (BullMQ)
        </Heading>
        <BodyShort>Tidtakernes jobber i BullMQ, i bull-board.</BodyShort>
        <div>
          <Button variant="secondary" size="small" loading={busy} icon={<ExternalLinkIcon aria-hidden />} iconPosition="right" onClick={() => void open()}>
            Åpne køoversikten
          </Button>
        </div>
        {problem ? <ProblemAlert problem={problem} what="Kunne ikke åpne køoversikten" /> : null}
      </VStack>
    </section>
  );
}

export function OperatorPage() {
  return (
    <VStack gap="space-16">
      <PageHeading title="Drift" description="Om hendelsene behandles, hva som er parkert, hvilke frister som venter, og køene.">
        Drift
      </PageHeading>
      <Lag />
      <Parked />
      <Deadlines />
      <Projections />
      <Queues />
    </VStack>
  );
}
