import { BodyShort, Heading, HStack, VStack } from '@navikt/ds-react';
import { query } from '../../api/client';
import type { CaseSummary, Page } from '../../api/types';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { formatDate, formatInteger, formatKroner, plural } from '../../format/format';
import { CaseStatusTag, Reasons } from '../../components/cases';
import { Loading, PageHeading } from '../../components/page';
import { Pager } from '../../components/pager';
import { ProblemAlert } from '../../components/problem';
import { Link, useLocation } from '../../app/router';

function QueueItem({ c }: { c: CaseSummary }) {
  return (
    <li className="queue__item">
      <article aria-labelledby={`case-${c.caseId}`}>
        <VStack gap="space-12">
          <HStack gap="space-12" align="center" wrap>
            <Heading level="2" size="small" id={`case-${c.caseId}`}>
              <Link to={`/saker/${encodeURIComponent(c.caseId)}`}>Sak {c.caseId}</Link>
            </Heading>
            <CaseStatusTag status={c.status} />
          </HStack>
          <dl className="facts">
            <dt>Leieforhold</dt>
            <dd>{c.tenancyId}</dd>
            <dt>Åpnet</dt>
            <dd>{formatDate(c.openedOn)}</dd>
            <dt>Eskalert</dt>
            <dd>{formatDate(c.escalatedOn)}</dd>
            <dt>Restanse ved åpning</dt>
            <dd>{formatKroner(c.arrearsOreAtOpening)}</dd>
            <dt>Kontakter</dt>
            <dd>{c.contacts === 0 ? 'Ingen registrert' : `${plural(c.contacts, 'kontakt', 'kontakter')}, sist ${formatDate(c.lastContactOn)}`}</dd>
          </dl>
          <VStack gap="space-4">
            <BodyShort weight="semibold">Hvorfor saken er eskalert</BodyShort>
            <Reasons reasons={c.escalationReasons} />
          </VStack>
          <VStack gap="space-4">
            <BodyShort weight="semibold">Hvorfor saken ble åpnet</BodyShort>
            <Reasons reasons={c.openingReasons} />
          </VStack>
        </VStack>
      </article>
    </li>
  );
}

export function QueuePage() {
  const session = useSession();
  const location = useLocation();
  const cursor = location.search.get('cursor') ?? undefined;
  const path = session ? `/api/v1/arrears-team/queue${query({ municipality: session.municipality, cursor, limit: 20 })}` : null;
  const queue = useApi<Page<CaseSummary>>(path, { keepPrevious: true });

  return (
    <VStack gap="space-16">
      <PageHeading title="Teamets kø" description="Saker som er eskalert til husleierestanseteamet og ikke løst, de som har ventet lengst først.">
        Husleierestanseteamets kø
      </PageHeading>
      {queue.state === 'loading' && !queue.data ? <Loading text="Henter køen …" /> : null}
      {queue.state === 'error' ? <ProblemAlert problem={queue.problem} what="Kunne ikke hente køen" onRetry={queue.reload} /> : null}
      {queue.data ? (
        queue.data.items.length === 0 && !cursor ? (
          <BodyShort>Ingen saker venter på teamet.</BodyShort>
        ) : (
          <>
            {queue.data.total !== undefined ? <BodyShort>{`${formatInteger(queue.data.total)} ${queue.data.total === 1 ? 'sak venter' : 'saker venter'} på teamet.`}</BodyShort> : null}
            <ul className="queue" aria-busy={queue.state === 'loading'} aria-label="Saker i køen" id="queue-list" tabIndex={-1}>
              {queue.data.items.map((c) => (
                <QueueItem key={c.caseId} c={c} />
              ))}
            </ul>
            <Pager location={location} nextCursor={queue.data.nextCursor} shown={queue.data.items.length} total={queue.data.total} label="Sider i køen" focusId="queue-list" />
          </>
        )
      ) : null}
    </VStack>
  );
}
