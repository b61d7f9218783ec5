import { useMemo, type FormEvent } from 'react';
import { BodyShort, Button, HStack, Select, Table, TextField, VStack } from '@navikt/ds-react';
import { FunnelIcon } from '@navikt/aksel-icons';
import { query } from '../../api/client';
import type { ArrearsItem, Page } from '../../api/types';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { formatDate, formatInteger, formatKroner } from '../../format/format';
import { Loading, PageHeading } from '../../components/page';
import { Pager } from '../../components/pager';
import { ProblemAlert } from '../../components/problem';
import { FormErrors, apiFieldErrors, fieldId, type FieldErrors } from '../../components/form';
import { navigate, useLocation, withQuery } from '../../app/router';

type Sort = 'amount' | 'age';

const SORT_LABEL: Record<Sort, string> = { amount: 'størst forfalt beløp først', age: 'eldst forfall først' };

/** The list's filters: query parameters of the page and of the api alike, so a filtered list is a deep link. */
const FILTERS = ['address', 'navOffice', 'landlordKind', 'minOverdue', 'minDaysOverdue'] as const;
type Filter = (typeof FILTERS)[number];

const FILTER_LABEL: Record<Filter, string> = {
  address: 'Adressen inneholder',
  navOffice: 'NAV-kontor',
  landlordKind: 'Utleier',
  minOverdue: 'Minste forfalte beløp (kr)',
  minDaysOverdue: 'Minst antall dager over forfall',
};

const LANDLORD_KIND_LABEL: Record<string, string> = { municipal: 'Kommunal bolig', 'private-sublet': 'Innleid bolig' };

export function ArrearsPage() {
  const session = useSession();
  const location = useLocation();
  const sort: Sort = location.search.get('sort') === 'age' ? 'age' : 'amount';
  const cursor = location.search.get('cursor') ?? undefined;
  const filters = Object.fromEntries(FILTERS.map((f) => [f, location.search.get(f) ?? undefined])) as Record<Filter, string | undefined>;
  const filtered = FILTERS.some((f) => filters[f] !== undefined);
  const path = session ? `/api/v1/ledger/arrears${query({ municipality: session.municipality, sort, ...filters, cursor, limit: 50 })}` : null;
  const arrears = useApi<Page<ArrearsItem>>(path, { keepPrevious: true });
  // The api checks every filter; its field errors land on the fields (a cursor error is shown with the list).
  // Memoised on the problem: the error summary takes the focus when its errors change, not on every render.
  const problem = arrears.state === 'error' ? arrears.problem : null;
  const fieldErrors: FieldErrors = useMemo(() => (problem ? Object.fromEntries(Object.entries(apiFieldErrors(problem)).filter(([field]) => (FILTERS as readonly string[]).includes(field))) : {}), [problem]);
  const filterError = Object.keys(fieldErrors).length > 0;
  const showNavOffice = session?.role !== 'nav-adviser';

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const changes: Record<string, string | undefined> = { cursor: undefined };
    for (const f of FILTERS) {
      const value = form.get(f);
      changes[f] = typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    }
    navigate(withQuery(location.pathname, location.search, changes));
  };
  const reset = () => navigate(withQuery(location.pathname, location.search, Object.fromEntries([...FILTERS, 'cursor'].map((f) => [f, undefined]))));

  return (
    <VStack gap="space-16">
      <PageHeading title="Restanser" description="Leieforhold med forfalt, ubetalt husleie etter henstandsdagene. Velg en kolonneoverskrift med pil for å sortere.">
        Restanser i kommune {session?.municipality}
      </PageHeading>
      {/* Keyed by the address: after «Tilbake» the fields show the filters of the list shown. */}
      <form key={FILTERS.map((f) => filters[f] ?? '').join('\u0000')} role="search" aria-label="Filtrer restanselisten" onSubmit={apply} noValidate className="arrears-filter">
        <VStack gap="space-16">
          <FormErrors errors={fieldErrors} heading="Rett opp filteret for å se listen" labels={(field) => FILTER_LABEL[field as Filter] ?? field} />
          <HStack gap="space-16" align="end" wrap>
            <TextField id={fieldId('address')} name="address" label={FILTER_LABEL.address} description="Gatenavn eller en del av det" size="small" defaultValue={filters.address ?? ''} error={fieldErrors['address']} htmlSize={22} autoComplete="off" />
            {showNavOffice ? (
              <TextField id={fieldId('navOffice')} name="navOffice" label={FILTER_LABEL.navOffice} description="For eksempel nav-stjordal" size="small" defaultValue={filters.navOffice ?? ''} error={fieldErrors['navOffice']} htmlSize={16} autoComplete="off" />
            ) : null}
            <Select id={fieldId('landlordKind')} name="landlordKind" label={FILTER_LABEL.landlordKind} description="Kommunal eller innleid" size="small" defaultValue={filters.landlordKind ?? ''} error={fieldErrors['landlordKind']}>
              <option value="">Alle</option>
              {Object.entries(LANDLORD_KIND_LABEL).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </Select>
            <TextField id={fieldId('minOverdue')} name="minOverdue" label={FILTER_LABEL.minOverdue} description="For eksempel 5 000" size="small" defaultValue={filters.minOverdue ?? ''} error={fieldErrors['minOverdue']} inputMode="decimal" htmlSize={12} autoComplete="off" />
            <TextField id={fieldId('minDaysOverdue')} name="minDaysOverdue" label={FILTER_LABEL.minDaysOverdue} description="Eldste ubetalte forfall" size="small" defaultValue={filters.minDaysOverdue ?? ''} error={fieldErrors['minDaysOverdue']} inputMode="numeric" htmlSize={8} autoComplete="off" />
          </HStack>
          <HStack gap="space-12">
            <Button type="submit" size="small" icon={<FunnelIcon aria-hidden />}>
              Bruk filter
            </Button>
            {filtered ? (
              <Button type="button" variant="tertiary" size="small" onClick={reset}>
                Fjern filter
              </Button>
            ) : null}
          </HStack>
        </VStack>
      </form>
      {arrears.state === 'loading' && !arrears.data ? <Loading text="Henter restanselisten …" /> : null}
      {arrears.state === 'error' && !filterError ? <ProblemAlert problem={arrears.problem} what="Kunne ikke hente restanselisten" onRetry={arrears.reload} /> : null}
      {arrears.data && !filterError ? (
        arrears.data.items.length === 0 && !cursor ? (
          <BodyShort aria-live="polite">{filtered ? 'Ingen leieforhold med forfalt, ubetalt husleie passer til filteret.' : 'Ingen leieforhold har forfalt, ubetalt husleie nå.'}</BodyShort>
        ) : (
          <>
            <BodyShort aria-live="polite">
              Sortert etter {SORT_LABEL[sort]}
              {filtered ? ', filtrert' : ''}.
            </BodyShort>
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
                <caption className="sr-only">
                  Restanser, {SORT_LABEL[sort]}
                  {filtered ? ', filtrert' : ''}
                </caption>
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeader scope="col">Leieforhold</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Adresse</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">NAV-kontor</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Utleier</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col" align="right" sortable sortKey="amount">
                      Forfalt
                    </Table.ColumnHeader>
                    <Table.ColumnHeader scope="col" align="right">
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
                      <Table.DataCell>{LANDLORD_KIND_LABEL[a.landlordKind] ?? a.landlordKind}</Table.DataCell>
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
