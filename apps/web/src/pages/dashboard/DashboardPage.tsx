/**
 * The dashboard: the housing plan's own measure (outstanding rent as a share of rent invoiced,
 * 2.76 % in 2020 to 3.31 % in 2023), arrears volume, cases per month and time to first contact;
 * then § 9-11 warnings, petitions and evictions carried out vs avoided; then NAV's pickup time and
 * the time from a § 17 request for economic advice to its start (aggregates only, never a case).
 * Every chart sits in a <figure> with its heading and the same figures as a table for screen
 * readers (and for anyone, with «Vis tallene som tabeller»). Loaded lazily: recharts is big.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { BodyShort, Button, Heading, HStack, Select, Switch, Table, VStack } from '@navikt/ds-react';
import { query } from '../../api/client';
import type { DashboardMonth } from '../../api/types';
import { useApi } from '../../api/use-api';
import { useToday } from '../../api/app-config';
import { useSession } from '../../auth/session';
import { addMonths, formatInteger, formatKroner, formatMonth, formatOneDecimal, formatShare, formatWholeKroner } from '../../format/format';
import { Loading, PageHeading } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { navigate, useLocation, withQuery } from '../../app/router';

// Aksel's palette, dark enough against white for the 3:1 that graphics need (WCAG 1.4.11).
const BLUE = '#0063c1';
const GREEN = '#06893a';
const ORANGE = '#b65500';
const RED = '#c30000';
const AXIS = '#49515e';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const MAX_MONTHS = 36;

interface Column {
  readonly label: string;
  readonly value: (m: DashboardMonth) => string;
}

function ChartFigure({
  id,
  title,
  description,
  months,
  columns,
  showTable,
  empty,
  level = '2',
  children,
}: {
  id: string;
  title: string;
  description: string;
  months: readonly DashboardMonth[];
  columns: readonly Column[];
  showTable: boolean;
  empty?: string | undefined;
  level?: '2' | '3';
  children: ReactNode;
}) {
  return (
    <figure className="figure section" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`}>
      <VStack gap="space-12">
        <Heading level={level} size={level === '2' ? 'medium' : 'small'} id={`${id}-title`}>
          {title}
        </Heading>
        <BodyShort id={`${id}-desc`}>{description}</BodyShort>
        {empty ? <BodyShort>{empty}</BodyShort> : null}
        <div className="chart">{children}</div>
        <div className={showTable ? 'table-wrap' : 'sr-only'}>
          <Table size="small" zebraStripes>
            <caption className={showTable ? 'sr-only' : undefined}>{title}, tall per måned</caption>
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeader scope="col">Måned</Table.ColumnHeader>
                {columns.map((c) => (
                  <Table.ColumnHeader key={c.label} scope="col" align="right">
                    {c.label}
                  </Table.ColumnHeader>
                ))}
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {months.map((m) => (
                <Table.Row key={m.month}>
                  <Table.HeaderCell scope="row">{formatMonth(m.month)}</Table.HeaderCell>
                  {columns.map((c) => (
                    <Table.DataCell key={c.label} align="right" className="numeric">
                      {c.value(m)}
                    </Table.DataCell>
                  ))}
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </div>
      </VStack>
    </figure>
  );
}

const axisTick = { fill: AXIS, fontSize: 14 };
const monthTick = (m: string) => formatMonth(m, true);

function Charts({ months, showTable }: { months: readonly DashboardMonth[]; showTable: boolean }) {
  const data = months.map((m) => ({
    ...m,
    sharePercent: m.outstandingShare === null ? null : Math.round(m.outstandingShare * 1000) / 10,
    arrearsKroner: Math.round(m.arrearsOre / 100),
    adviceInTime: m.adviceStarted - m.adviceStartedLate,
  }));
  const share = (m: DashboardMonth) => (m.outstandingShare === null ? '–' : formatShare(m.outstandingShare));
  const short = months.some((m) => m.outstandingShare !== null && m.shareBasisMonths !== undefined && m.shareBasisMonths < 12);
  return (
    <>
      <ChartFigure
        id="andel"
        title="Utestående husleie som andel av fakturert husleie"
        description={`Boligsosial handlingsplans eget mål: utestående ved månedsslutt delt på husleien fakturert de siste tolv månedene (2,76 % i 2020, 3,31 % i 2023). Målet er å få andelen ned.${short ? ' Der systemet har færre enn tolv måneder fakturering, er den regnet om til et helt år.' : ''}`}
        months={months}
        showTable={showTable}
        columns={[
          { label: 'Andel utestående', value: share },
          { label: 'Fakturert', value: (m) => formatKroner(m.invoicedOre) },
          { label: 'Utestående', value: (m) => formatKroner(m.outstandingOre) },
        ]}
      >
        <LineChart responsive style={{ width: '100%', height: '100%' }} data={data} accessibilityLayer title="Utestående husleie som andel av fakturert, per måned" desc="Linjediagram i prosent med én desimal" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke="#d0d5dd" strokeDasharray="3 3" />
          <XAxis dataKey="month" tickFormatter={monthTick} tick={axisTick} stroke={AXIS} />
          <YAxis tickFormatter={(v: number) => `${formatOneDecimal(v)} %`} tick={axisTick} stroke={AXIS} width={72} domain={[0, 'auto']} />
          <Tooltip formatter={(v) => [`${formatOneDecimal(Number(v))} %`, 'Andel utestående']} labelFormatter={(l) => formatMonth(String(l))} />
          <Line type="monotone" dataKey="sharePercent" name="Andel utestående" stroke={BLUE} strokeWidth={3} dot={{ r: 4 }} isAnimationActive={false} connectNulls />
        </LineChart>
      </ChartFigure>

      <ChartFigure id="restanser" title="Restansevolum" description="Samlet forfalt, ubetalt husleie etter henstandsdagene ved utgangen av hver måned." months={months} showTable={showTable} columns={[{ label: 'Restanser', value: (m) => formatKroner(m.arrearsOre) }]}>
        <BarChart responsive style={{ width: '100%', height: '100%' }} data={data} accessibilityLayer title="Restansevolum per måned" desc="Søylediagram i kroner" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke="#d0d5dd" strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="month" tickFormatter={monthTick} tick={axisTick} stroke={AXIS} />
          <YAxis tickFormatter={(v: number) => formatWholeKroner(v * 100)} tick={axisTick} stroke={AXIS} width={110} />
          <Tooltip formatter={(v) => [formatWholeKroner(Number(v) * 100), 'Restanser']} labelFormatter={(l) => formatMonth(String(l))} />
          <Bar dataKey="arrearsKroner" name="Restanser" fill={BLUE} isAnimationActive={false} />
        </BarChart>
      </ChartFigure>

      <ChartFigure
        id="saker"
        title="Saker åpnet, løst og eskalert per måned"
        description="Hvor mange forebyggingssaker som ble åpnet, løst og eskalert til husleierestanseteamet hver måned."
        months={months}
        showTable={showTable}
        columns={[
          { label: 'Åpnet', value: (m) => formatInteger(m.casesOpened) },
          { label: 'Løst', value: (m) => formatInteger(m.casesResolved) },
          { label: 'Eskalert', value: (m) => formatInteger(m.casesEscalated) },
        ]}
      >
        <BarChart responsive style={{ width: '100%', height: '100%' }} data={data} accessibilityLayer title="Saker per måned" desc="Søylediagram med åpnede, løste og eskalerte saker" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke="#d0d5dd" strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="month" tickFormatter={monthTick} tick={axisTick} stroke={AXIS} />
          <YAxis allowDecimals={false} tick={axisTick} stroke={AXIS} width={48} />
          <Tooltip labelFormatter={(l) => formatMonth(String(l))} />
          <Legend />
          <Bar dataKey="casesOpened" name="Åpnet" fill={BLUE} isAnimationActive={false} />
          <Bar dataKey="casesResolved" name="Løst" fill={GREEN} isAnimationActive={false} />
          <Bar dataKey="casesEscalated" name="Eskalert" fill={ORANGE} isAnimationActive={false} />
        </BarChart>
      </ChartFigure>

      <ChartFigure
        id="kontakt"
        title="Tid fra åpning til første kontakt"
        description="Median antall dager fra en sak ble åpnet til noen fikk kontakt med husstanden, for saker åpnet i måneden."
        months={months}
        showTable={showTable}
        columns={[{ label: 'Median dager', value: (m) => (m.medianDaysToFirstContact === null ? '–' : formatOneDecimal(m.medianDaysToFirstContact)) }]}
        empty={months.every((m) => m.medianDaysToFirstContact === null) ? 'Ingen første kontakt er registrert i perioden.' : undefined}
      >
        <LineChart responsive style={{ width: '100%', height: '100%' }} data={data} accessibilityLayer title="Median dager til første kontakt per måned" desc="Linjediagram i dager" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke="#d0d5dd" strokeDasharray="3 3" />
          <XAxis dataKey="month" tickFormatter={monthTick} tick={axisTick} stroke={AXIS} />
          <YAxis tick={axisTick} stroke={AXIS} width={48} domain={[0, 'auto']} />
          <Tooltip formatter={(v) => [`${formatOneDecimal(Number(v))} dager`, 'Median']} labelFormatter={(l) => formatMonth(String(l))} />
          <Line type="monotone" dataKey="medianDaysToFirstContact" name="Median dager" stroke={RED} strokeWidth={3} dot={{ r: 4 }} isAnimationActive={false} connectNulls />
        </LineChart>
      </ChartFigure>

      <WarningsSection months={months} data={data} showTable={showTable} />
      <NavSection months={months} data={data} showTable={showTable} />
    </>
  );
}

const median = (value: number | null) => (value === null ? '–' : formatOneDecimal(value));

/** § 9-11 warnings (husleieloven), the petitions that follow, and how the warnings ended: an eviction carried out, or avoided. */
function WarningsSection({ months, data, showTable }: { months: readonly DashboardMonth[]; data: readonly DashboardMonth[]; showTable: boolean }) {
  const none = months.every((m) => m.warningsReceived + m.petitionsFiled + m.evictionsCarriedOut + m.evictionsAvoided === 0);
  return (
    <section className="section" aria-labelledby="varsler-heading">
      <VStack gap="space-12">
        <Heading level="2" size="large" id="varsler-heading">
          Varsler om fravikelse
        </Heading>
        <BodyShort>
          Varsler utleiere har sendt etter husleieloven § 9-11 når de vil begjære fravikelse for ubetalt husleie, begjæringene som fulgte, og hvordan varslene endte. En fravikelse er unngått når
          varselet ble avsluttet uten fravikelse: alt betalt, trukket tilbake, eller stanset fordi alt var betalt før låsen ble skiftet. Hvert varsel telles én gang, i måneden det endte.
        </BodyShort>
        <ChartFigure
          id="varsler"
          level="3"
          title="Varsler, begjæringer og fravikelser per måned"
          description="Varsler mottatt, begjæringer om fravikelse sendt, og fravikelser gjennomført og unngått, etter datoen for hver hendelse."
          months={months}
          showTable={showTable}
          empty={none ? 'Ingen varsler om fravikelse i perioden.' : undefined}
          columns={[
            { label: 'Varsler mottatt', value: (m) => formatInteger(m.warningsReceived) },
            { label: 'Sendt til NAV', value: (m) => formatInteger(m.warningsForwarded) },
            { label: 'Begjæringer', value: (m) => formatInteger(m.petitionsFiled) },
            { label: 'Fravikelser gjennomført', value: (m) => formatInteger(m.evictionsCarriedOut) },
            { label: 'Fravikelser unngått', value: (m) => formatInteger(m.evictionsAvoided) },
          ]}
        >
          <BarChart responsive style={{ width: '100%', height: '100%' }} data={[...data]} accessibilityLayer title="Varsler, begjæringer og fravikelser per måned" desc="Søylediagram med antall per måned" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid stroke="#d0d5dd" strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="month" tickFormatter={monthTick} tick={axisTick} stroke={AXIS} />
            <YAxis allowDecimals={false} tick={axisTick} stroke={AXIS} width={48} />
            <Tooltip labelFormatter={(l) => formatMonth(String(l))} />
            <Legend />
            <Bar dataKey="warningsReceived" name="Varsler mottatt" fill={BLUE} isAnimationActive={false} />
            <Bar dataKey="petitionsFiled" name="Begjæringer" fill={ORANGE} isAnimationActive={false} />
            <Bar dataKey="evictionsCarriedOut" name="Fravikelser gjennomført" fill={RED} isAnimationActive={false} />
            <Bar dataKey="evictionsAvoided" name="Fravikelser unngått" fill={GREEN} isAnimationActive={false} />
          </BarChart>
        </ChartFigure>
      </VStack>
    </section>
  );
}

/** NAV's figures for the whole municipality: how soon a referral is picked up, and how soon § 17 economic advice starts. */
function NavSection({ months, data, showTable }: { months: readonly DashboardMonth[]; data: readonly DashboardMonth[]; showTable: boolean }) {
  return (
    <section className="section" aria-labelledby="nav-heading">
      <VStack gap="space-12">
        <Heading level="2" size="large" id="nav-heading">
          NAV
        </Heading>
        <BodyShort>Tall for hele kommunen, aldri enkeltsaker: hvor raskt NAV-kontoret tar en henvisning, og hvor raskt økonomisk rådgivning etter sosialtjenesteloven § 17 starter etter at husstanden ba om det.</BodyShort>
        <ChartFigure
          id="nav-henvisninger"
          level="3"
          title="Tid til NAV tar en henvisning"
          description="Median antall virkedager fra en henvisning kom i NAV-kontorets innboks til en veileder tok den, for henvisninger tatt i måneden. Henvisninger som ikke ble tatt innen fristen, telles i måneden fristen gikk ut."
          months={months}
          showTable={showTable}
          empty={months.every((m) => m.medianPickupWorkingDays === null) ? 'Ingen henvisninger er tatt i perioden.' : undefined}
          columns={[
            { label: 'Henvisninger mottatt', value: (m) => formatInteger(m.referralsReceived) },
            { label: 'Tatt', value: (m) => formatInteger(m.referralsPickedUp) },
            { label: 'Median virkedager', value: (m) => median(m.medianPickupWorkingDays) },
            { label: 'Ikke tatt innen fristen', value: (m) => formatInteger(m.referralsPickupOverdue) },
          ]}
        >
          <LineChart responsive style={{ width: '100%', height: '100%' }} data={[...data]} accessibilityLayer title="Median virkedager til en henvisning blir tatt, per måned" desc="Linjediagram i virkedager" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid stroke="#d0d5dd" strokeDasharray="3 3" />
            <XAxis dataKey="month" tickFormatter={monthTick} tick={axisTick} stroke={AXIS} />
            <YAxis tick={axisTick} stroke={AXIS} width={48} domain={[0, 'auto']} />
            <Tooltip formatter={(v) => [`${formatOneDecimal(Number(v))} virkedager`, 'Median']} labelFormatter={(l) => formatMonth(String(l))} />
            <Line type="monotone" dataKey="medianPickupWorkingDays" name="Median virkedager" stroke={BLUE} strokeWidth={3} dot={{ r: 4 }} isAnimationActive={false} connectNulls />
          </LineChart>
        </ChartFigure>
        <ChartFigure
          id="nav-radgivning"
          level="3"
          title="Fra søknad om økonomisk rådgivning (§ 17) til oppstart"
          description="Median antall kalenderdager fra husstanden ba om økonomisk rådgivning (muntlig eller skriftlig) til rådgivningen startet, for oppstarter i måneden, og hvor mange som startet senere enn kontorets norm."
          months={months}
          showTable={showTable}
          empty={months.every((m) => m.medianDaysToAdviceStart === null) ? 'Ingen økonomisk rådgivning har startet i perioden.' : undefined}
          columns={[
            { label: 'Oppstarter', value: (m) => formatInteger(m.adviceStarted) },
            { label: 'Median dager', value: (m) => median(m.medianDaysToAdviceStart) },
            { label: 'Senere enn normen', value: (m) => formatInteger(m.adviceStartedLate) },
          ]}
        >
          <ComposedChart responsive style={{ width: '100%', height: '100%' }} data={[...data]} accessibilityLayer title="Oppstarter av økonomisk rådgivning og median dager fra søknad, per måned" desc="Søyler med antall oppstarter i tide og senere enn normen, og en linje med median dager" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid stroke="#d0d5dd" strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="month" tickFormatter={monthTick} tick={axisTick} stroke={AXIS} />
            <YAxis yAxisId="count" allowDecimals={false} tick={axisTick} stroke={AXIS} width={48} label={{ value: 'Antall', angle: -90, position: 'insideLeft', fill: AXIS }} />
            <YAxis yAxisId="days" orientation="right" tick={axisTick} stroke={AXIS} width={56} domain={[0, 'auto']} label={{ value: 'Dager', angle: 90, position: 'insideRight', fill: AXIS }} />
            <Tooltip labelFormatter={(l) => formatMonth(String(l))} />
            <Legend />
            <Bar yAxisId="count" dataKey="adviceInTime" name="Oppstarter i tide" stackId="starts" fill={GREEN} isAnimationActive={false} />
            <Bar yAxisId="count" dataKey="adviceStartedLate" name="Senere enn normen" stackId="starts" fill={ORANGE} isAnimationActive={false} />
            <Line yAxisId="days" type="monotone" dataKey="medianDaysToAdviceStart" name="Median dager fra søknad" stroke={RED} strokeWidth={3} dot={{ r: 4 }} isAnimationActive={false} connectNulls />
          </ComposedChart>
        </ChartFigure>
      </VStack>
    </section>
  );
}

export default function DashboardPage() {
  const today = useToday();
  return today ? <Dashboard today={today} /> : <Loading text="Henter oppsettet …" />;
}

function Dashboard({ today }: { today: string }) {
  const session = useSession();
  const location = useLocation();
  // The api's month (its clock decides what «the future» is), and at most 36 months back, as the api allows.
  const current = today.slice(0, 7);
  const to = MONTH.test(location.search.get('til') ?? '') ? (location.search.get('til') as string) : current;
  const from = MONTH.test(location.search.get('fra') ?? '') ? (location.search.get('fra') as string) : addMonths(to, -11);
  const choices = [...new Set([...Array.from({ length: MAX_MONTHS }, (_, i) => addMonths(current, -i)), from, to])].sort().reverse();
  const [draftFrom, setDraftFrom] = useState(from);
  const [draftTo, setDraftTo] = useState(to);
  const [rangeError, setRangeError] = useState<string | undefined>();
  const [showTable, setShowTable] = useState(false);
  const path = session ? `/api/v1/dashboard${query({ municipality: session.municipality, from, to })}` : null;
  const dashboard = useApi<{ months: DashboardMonth[] }>(path);

  function apply(event: FormEvent) {
    event.preventDefault();
    if (!MONTH.test(draftFrom) || !MONTH.test(draftTo)) return setRangeError('Velg både fra og til måned.');
    if (draftFrom > draftTo) return setRangeError('Fra-måneden må være før til-måneden.');
    if (draftFrom < addMonths(draftTo, -(MAX_MONTHS - 1))) return setRangeError(`Perioden kan være høyst ${MAX_MONTHS} måneder.`);
    setRangeError(undefined);
    navigate(withQuery(location.pathname, location.search, { fra: draftFrom, til: draftTo }));
  }

  return (
    <VStack gap="space-16">
      <PageHeading title="Dashbord" description={`Kommune ${session?.municipality ?? ''}, ${formatMonth(from)} til ${formatMonth(to)}.`}>
        Dashbord
      </PageHeading>
      <form onSubmit={apply} aria-label="Velg periode">
        <HStack gap="space-16" align="end" wrap>
          <Select label="Fra måned" size="small" value={draftFrom} onChange={(e) => setDraftFrom(e.target.value)} error={rangeError}>
            {choices.map((m) => (
              <option key={m} value={m}>
                {formatMonth(m)}
              </option>
            ))}
          </Select>
          <Select label="Til måned" size="small" value={draftTo} onChange={(e) => setDraftTo(e.target.value)}>
            {choices.map((m) => (
              <option key={m} value={m}>
                {formatMonth(m)}
              </option>
            ))}
          </Select>
          <Button type="submit" size="small" variant="secondary">
            Vis periode
          </Button>
        </HStack>
      </form>
      <Switch checked={showTable} onChange={(e) => setShowTable(e.target.checked)}>
        Vis tallene som tabeller
      </Switch>
      {dashboard.state === 'loading' && !dashboard.data ? <Loading text="Henter tallene …" /> : null}
      {dashboard.state === 'error' ? <ProblemAlert problem={dashboard.problem} what="Kunne ikke hente tallene" onRetry={dashboard.reload} /> : null}
      {dashboard.data ? dashboard.data.months.length === 0 ? <BodyShort>Ingen tall for perioden.</BodyShort> : <Charts months={dashboard.data.months} showTable={showTable} /> : null}
    </VStack>
  );
}
