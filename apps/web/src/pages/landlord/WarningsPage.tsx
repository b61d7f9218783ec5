import { Alert, BodyShort, HStack, Table, VStack } from '@navikt/ds-react';
import { query } from '../../api/client';
import type { Page, WarningSummary } from '../../api/types';
import { useApi } from '../../api/use-api';
import { formatDate, formatKroner, plural } from '../../format/format';
import { Loading, PageHeading } from '../../components/page';
import { Pager } from '../../components/pager';
import { ProblemAlert } from '../../components/problem';
import { ButtonLink, Link, useLocation } from '../../app/router';

/** The landlord's own § 9-11 warnings, newest first, one keyset page at a time. */
export function WarningsPage() {
  const location = useLocation();
  const cursor = location.search.get('cursor') ?? undefined;
  const list = useApi<Page<WarningSummary>>(`/api/v1/warnings${query({ cursor, limit: 20 })}`, { keepPrevious: true });
  return (
    <VStack gap="space-24">
      <PageHeading title="Mine varsler">Mine varsler om fravikelse</PageHeading>
      <HStack>
        <ButtonLink to="/utleier/varsler/ny" variant="primary">
          Send nytt varsel
        </ButtonLink>
      </HStack>
      {list.state === 'error' ? <ProblemAlert problem={list.problem} what="Kunne ikke hente varslene" onRetry={list.reload} /> : null}
      {!list.data && list.state === 'loading' ? <Loading text="Henter varslene …" /> : null}
      {list.data ? (
        list.data.items.length === 0 ? (
          <Alert variant="info">Du har ikke sendt noen varsler ennå.</Alert>
        ) : (
          <VStack gap="space-12">
            <BodyShort>{plural(list.data.total ?? list.data.items.length, 'varsel', 'varsler')} i alt.</BodyShort>
            <div className="table-wrap" id="varsler" tabIndex={-1} aria-busy={list.state === 'loading'}>
              <Table size="small" zebraStripes>
                <caption className="sr-only">Dine varsler</caption>
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeader scope="col">Bolig</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Sendt inn</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Status</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Hvor saken står</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col" align="right">
                      Restanse
                    </Table.ColumnHeader>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {list.data.items.map((w) => (
                    <Table.Row key={w.warningId}>
                      <Table.HeaderCell scope="row">
                        <Link to={`/utleier/varsler/${encodeURIComponent(w.warningId)}`}>{w.address}</Link>
                      </Table.HeaderCell>
                      <Table.DataCell>{formatDate(w.submittedOn)}</Table.DataCell>
                      <Table.DataCell>{w.statusText}</Table.DataCell>
                      <Table.DataCell>{w.stageText}</Table.DataCell>
                      <Table.DataCell align="right" className="numeric">
                        {formatKroner(w.arrearsOre)}
                      </Table.DataCell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </div>
            <Pager location={location} nextCursor={list.data.nextCursor} shown={list.data.items.length} total={list.data.total} label="Sider med varsler" focusId="varsler" />
          </VStack>
        )
      ) : null}
    </VStack>
  );
}
