import { BodyShort, Table, VStack } from '@navikt/ds-react';
import { query } from '../../api/client';
import type { ArrearsItem, Page } from '../../api/types';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { formatDate, formatInteger, formatKroner } from '../../format/format';
import { Loading, PageHeading } from '../../components/page';
import { Pager } from '../../components/pager';
import { ProblemAlert } from '../../components/problem';
import { navigate, useLocation, withQuery } from '../../app/router';

type Sort = 'amount' | 'age';

const SORT_LABEL: Record<Sort, string> = { amount: 'størst restanse først', age: 'eldst forfall først' };

export function ArrearsPage() {
  const session = useSession();
  const location = useLocation();
  const sort: Sort = location.search.get('sort') === 'age' ? 'age' : 'amount';
  const cursor = location.search.get('cursor') ?? undefined;
  const path = session ? `/api/v1/ledger/arrears${query({ municipality: session.municipality, sort, cursor, limit: 50 })}` : null;
  const arrears = useApi<Page<ArrearsItem>>(path, { keepPrevious: true });

  return (
    <VStack gap="space-16">
      <PageHeading title="Restanser" description="Leieforhold med forfalt, ubetalt husleie etter henstandsdagene. Velg en kolonneoverskrift med pil for å sortere.">
        Restanser i kommune {session?.municipality}
      </PageHeading>
      {arrears.state === 'loading' && !arrears.data ? <Loading text="Henter restanselisten …" /> : null}
      {arrears.state === 'error' ? <ProblemAlert problem={arrears.problem} what="Kunne ikke hente restanselisten" onRetry={arrears.reload} /> : null}
      {arrears.data ? (
        arrears.data.items.length === 0 && !cursor ? (
          <BodyShort>Ingen leieforhold har forfalt, ubetalt husleie nå.</BodyShort>
        ) : (
          <>
            <BodyShort aria-live="polite">Sortert etter {SORT_LABEL[sort]}.</BodyShort>
            <div className="table-wrap">
              <Table
                zebraStripes
                sort={{ orderBy: sort, direction: 'descending' }}
                onSortChange={(key) => {
                  if (key === 'amount' || key === 'age') navigate(withQuery(location.pathname, location.search, { sort: key === 'amount' ? undefined : key, cursor: undefined }));
                }}
                aria-busy={arrears.state === 'loading'}
                id="arrears-list"
                tabIndex={-1}
              >
                <caption className="sr-only">Restanser, {SORT_LABEL[sort]}</caption>
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeader scope="col">Leieforhold</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Adresse</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">NAV-kontor</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col" align="right">
                      Forfalt
                    </Table.ColumnHeader>
                    <Table.ColumnHeader scope="col" align="right" sortable sortKey="amount">
                      Restanse
                    </Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Eldste ubetalte forfall</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col" align="right" sortable sortKey="age">
                      Dager over forfall
                    </Table.ColumnHeader>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {arrears.data.items.map((a) => (
                    <Table.Row key={`${a.municipalityNumber}-${a.tenancyId}`}>
                      <Table.HeaderCell scope="row">{a.tenancyId}</Table.HeaderCell>
                      <Table.DataCell>{a.address}</Table.DataCell>
                      <Table.DataCell>{a.navOffice}</Table.DataCell>
                      <Table.DataCell align="right" className="numeric">
                        {formatKroner(a.overdueOre)}
                      </Table.DataCell>
                      <Table.DataCell align="right" className="numeric">
                        {formatKroner(a.arrearsOre)}
                      </Table.DataCell>
                      <Table.DataCell>{formatDate(a.oldestUnpaidDueDate)}</Table.DataCell>
                      <Table.DataCell align="right" className="numeric">
                        {formatInteger(a.daysOverdue)}
                      </Table.DataCell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </div>
            <Pager location={location} nextCursor={arrears.data.nextCursor} shown={arrears.data.items.length} total={arrears.data.total} label="Sider i restanselisten" focusId="arrears-list" />
          </>
        )
      ) : null}
    </VStack>
  );
}
