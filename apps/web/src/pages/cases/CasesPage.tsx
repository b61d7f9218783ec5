import { BodyShort, HStack, Select, Table, VStack } from '@navikt/ds-react';
import { query } from '../../api/client';
import type { CaseSummary, Page } from '../../api/types';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { formatDate, formatKroner } from '../../format/format';
import { CASE_LIST_FILTERS } from '../../format/labels';
import { CaseStatusTag } from '../../components/cases';
import { Loading, PageHeading } from '../../components/page';
import { Pager } from '../../components/pager';
import { ProblemAlert } from '../../components/problem';
import { Link, navigate, useLocation, withQuery } from '../../app/router';

const STATUSES = new Set(CASE_LIST_FILTERS.map(([value]) => value as string));

export function CasesPage() {
  const session = useSession();
  const location = useLocation();
  const requested = location.search.get('status') ?? 'active';
  const status = STATUSES.has(requested) ? requested : 'active';
  const sort = location.search.get('sort') === 'deadline' ? 'deadline' : 'opened';
  const cursor = location.search.get('cursor') ?? undefined;
  const path = session ? `/api/v1/cases${query({ municipality: session.municipality, status, sort, cursor, limit: 50 })}` : null;
  const cases = useApi<Page<CaseSummary>>(path, { keepPrevious: true });

  return (
    <VStack gap="space-16">
      <PageHeading title="Saker" description={session?.role === 'nav-adviser' ? `Sakene til ${session.navOffice ?? 'ditt NAV-kontor'}.` : undefined}>
        Forebyggingssaker
      </PageHeading>
      <HStack gap="space-24" wrap>
        <Select label="Status" size="small" value={status} onChange={(e) => navigate(withQuery(location.pathname, location.search, { status: e.target.value === 'active' ? undefined : e.target.value, cursor: undefined }))}>
          {CASE_LIST_FILTERS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </Select>
        <Select label="Rekkefølge" size="small" value={sort} onChange={(e) => navigate(withQuery(location.pathname, location.search, { sort: e.target.value === 'opened' ? undefined : e.target.value, cursor: undefined }))}>
          <option value="opened">Nyeste først</option>
          <option value="deadline">Nærmeste frist for første kontakt først</option>
        </Select>
      </HStack>
      {cases.state === 'loading' && !cases.data ? <Loading text="Henter sakene …" /> : null}
      {cases.state === 'error' ? <ProblemAlert problem={cases.problem} what="Kunne ikke hente sakene" onRetry={cases.reload} /> : null}
      {cases.data ? (
        cases.data.items.length === 0 && !cursor ? (
          <BodyShort>Ingen saker med denne statusen.</BodyShort>
        ) : (
          <>
            {cases.data.total !== undefined ? <BodyShort>{`${cases.data.total.toLocaleString('nb-NO')} saker i alt.`}</BodyShort> : null}
            <div className="table-wrap">
              <Table zebraStripes aria-busy={cases.state === 'loading'} id="case-list" tabIndex={-1}>
                <caption className="sr-only">Saker</caption>
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeader scope="col">Sak</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Status</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Leieforhold</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">NAV-kontor</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Åpnet</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Frist for første kontakt</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col" align="right">
                      Restanse ved åpning
                    </Table.ColumnHeader>
                    <Table.ColumnHeader scope="col" align="right">
                      Kontakter
                    </Table.ColumnHeader>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {cases.data.items.map((c) => (
                    <Table.Row key={c.caseId} data-testid="case-row">
                      <Table.HeaderCell scope="row">
                        <Link to={`/saker/${encodeURIComponent(c.caseId)}`}>{c.caseId}</Link>
                      </Table.HeaderCell>
                      <Table.DataCell>
                        <CaseStatusTag status={c.status} />
                      </Table.DataCell>
                      <Table.DataCell>{c.tenancyId}</Table.DataCell>
                      <Table.DataCell>{c.navOffice}</Table.DataCell>
                      <Table.DataCell>{formatDate(c.openedOn)}</Table.DataCell>
                      <Table.DataCell>{formatDate(c.firstContactDeadline)}</Table.DataCell>
                      <Table.DataCell align="right" className="numeric">
                        {formatKroner(c.arrearsOreAtOpening)}
                      </Table.DataCell>
                      <Table.DataCell align="right">{c.contacts}</Table.DataCell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </div>
            <Pager location={location} nextCursor={cases.data.nextCursor} shown={cases.data.items.length} total={cases.data.total} label="Sider i sakslisten" focusId="case-list" />
          </>
        )
      ) : null}
    </VStack>
  );
}
