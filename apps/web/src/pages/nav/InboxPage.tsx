import { useState } from 'react';
import { Alert, BodyShort, Button, Heading, HStack, Tag, ToggleGroup, VStack } from '@navikt/ds-react';
import { api, idempotencyKey, query } from '../../api/client';
import { problemOf, type Problem } from '../../api/problem';
import type { NavInboxItem, Page } from '../../api/types';
import { useApi } from '../../api/use-api';
import { formatDate } from '../../format/format';
import { NAV_STATUS_NAMES, actorName } from '../../format/labels';
import { Loading, PageHeading, useFocusOn } from '../../components/page';
import { Pager } from '../../components/pager';
import { ProblemAlert } from '../../components/problem';
import { Link, navigate, useLocation, withQuery } from '../../app/router';

const VIEWS = [
  ['open', 'Åpne'],
  ['unclaimed', 'Ikke tatt'],
  ['mine', 'Mine'],
  ['claimed', 'Tatt'],
  ['concluded', 'Avsluttet'],
] as const;

/** Who has a referral, from a 409's problem: an opaque id and a role, never a name. */
export function claimedByText(p: Problem): string | null {
  const role = p.errors.find((e) => e.column === 'claimedBy.role')?.reason;
  const actor = p.errors.find((e) => e.column === 'claimedBy.actorId')?.reason;
  if (!role && !actor) return null;
  return `Saken er allerede tatt av ${role ? actorName(role).toLowerCase() : 'en annen'}${actor ? ` (id ${actor})` : ''}.`;
}

function InboxEntry({ item, onClaimed }: { item: NavInboxItem; onClaimed: () => void }) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [claimed, setClaimed] = useState(false);
  const result = useFocusOn<HTMLDivElement>(claimed);
  const headingId = `sak-${item.caseId}`;

  async function claim() {
    setBusy(true);
    setProblem(null);
    try {
      await api(`/api/v1/nav/cases/${encodeURIComponent(item.caseId)}/claim`, { method: 'POST', headers: { 'idempotency-key': idempotencyKey() } });
      setClaimed(true);
      onClaimed();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  const who = problem && problem.status === 409 ? claimedByText(problem) : null;
  return (
    <li>
      <article aria-labelledby={headingId} className="queue__item">
        <VStack gap="space-8">
          <HStack gap="space-12" align="center" wrap>
            <Heading level="2" size="small" id={headingId}>
              <Link to={`/nav/saker/${encodeURIComponent(item.caseId)}`}>Sak {item.caseId}</Link>
            </Heading>
            <Tag size="small" variant="moderate" data-color={item.status === 'unclaimed' ? 'warning' : 'info'}>
              {item.mine ? 'Din' : (NAV_STATUS_NAMES[item.status] ?? item.status)}
            </Tag>
            {item.pickupOverdue ? (
              <Tag size="small" variant="strong" data-color="danger">
                Fristen for å ta saken er passert
              </Tag>
            ) : null}
            {item.planBreached ? (
              <Tag size="small" variant="moderate" data-color="danger">
                Nedbetalingsavtalen er brutt
              </Tag>
            ) : null}
          </HStack>
          <BodyShort>
            Leieforhold {item.tenancyId} (kommune {item.municipalityNumber}). Henvist {item.referrals.map((r) => formatDate(r.referredOn)).join(', ')}.
          </BodyShort>
          {item.pickupDueOn ? (
            <BodyShort className={item.pickupOverdue ? 'overdue' : undefined}>
              Må tas innen {formatDate(item.pickupDueOn)}
              {item.pickupOverdue ? ' – forfalt' : ''}
            </BodyShort>
          ) : null}
          {item.priorityReasons.length > 0 ? (
            <div>
              <BodyShort weight="semibold">Prioritet fordi</BodyShort>
              <ul className="reasons">
                {item.priorityReasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            </div>
          ) : null}
          {item.status === 'unclaimed' && !claimed ? (
            <div>
              <Button size="small" loading={busy} onClick={claim} aria-describedby={headingId}>
                Ta saken
              </Button>
            </div>
          ) : null}
          {claimed ? (
            <Alert variant="success" size="small" ref={result} tabIndex={-1} className="result">
              Du har tatt saken. <Link to={`/nav/saker/${encodeURIComponent(item.caseId)}`}>Åpne sak {item.caseId}</Link>
            </Alert>
          ) : null}
          {problem ? who ? <Alert variant="warning" size="small" role="alert">{who}</Alert> : <ProblemAlert problem={problem} what="Kunne ikke ta saken" focus /> : null}
        </VStack>
      </article>
    </li>
  );
}

/** The NAV office's inbox: referrals by priority and pickup deadline, with «Ta saken». */
export function InboxPage() {
  const location = useLocation();
  const view = location.search.get('visning') ?? 'open';
  const cursor = location.search.get('cursor') ?? undefined;
  const inbox = useApi<Page<NavInboxItem>>(`/api/v1/nav/inbox${query({ view, cursor, limit: 20 })}`, { keepPrevious: true });
  return (
    <VStack gap="space-24">
      <PageHeading title="NAV-kontorets innboks" description="Henvisninger etter prioritet og frist. Ta saken for å følge den opp.">
        NAV-kontorets innboks
      </PageHeading>
      <ToggleGroup label="Vis" value={view} onChange={(v) => navigate(withQuery(location.pathname, location.search, { visning: v === 'open' ? undefined : v, cursor: undefined }))} size="small">
        {VIEWS.map(([value, label]) => (
          <ToggleGroup.Item key={value} value={value}>
            {label}
          </ToggleGroup.Item>
        ))}
      </ToggleGroup>
      {inbox.state === 'error' ? <ProblemAlert problem={inbox.problem} what="Kunne ikke hente innboksen" onRetry={inbox.reload} /> : null}
      {!inbox.data && inbox.state === 'loading' ? <Loading text="Henter innboksen …" /> : null}
      {inbox.data ? (
        inbox.data.items.length === 0 ? (
          <Alert variant="info">Ingen henvisninger her.</Alert>
        ) : (
          <VStack gap="space-12">
            <ul className="queue" id="innboks" tabIndex={-1} aria-label="Henvisninger" aria-busy={inbox.state === 'loading'}>
              {inbox.data.items.map((item) => (
                <InboxEntry key={item.caseId} item={item} onClaimed={inbox.reload} />
              ))}
            </ul>
            <Pager location={location} nextCursor={inbox.data.nextCursor} shown={inbox.data.items.length} total={inbox.data.total} label="Sider i innboksen" focusId="innboks" />
          </VStack>
        )
      ) : null}
    </VStack>
  );
}
