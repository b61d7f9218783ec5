import { useState, type FormEvent } from 'react';
import { Alert, BodyLong, BodyShort, Button, Checkbox, CheckboxGroup, Fieldset, Heading, HStack, Radio, RadioGroup, Table, TextField, VStack } from '@navikt/ds-react';
import { PlusIcon, TrashIcon } from '@navikt/aksel-icons';
import { api, idempotencyKey } from '../../api/client';
import { problemOf, type Problem } from '../../api/problem';
import type { WarningSubmitResult } from '../../api/types';
import { useToday } from '../../api/app-config';
import { useSession } from '../../auth/session';
import { formatDate, osloToday } from '../../format/format';
import { EVICTION_GROUND_NAMES, LANDLORD_KIND_NAMES, RULING_KIND_NAMES } from '../../format/labels';
import { PageHeading, useFocusOn } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { FormErrors, apiFieldErrors, fieldId, parseDate, parseKroner, type FieldErrors } from '../../components/form';
import { Link } from '../../app/router';

interface TenantRow {
  key: number;
  nationalId: string;
  name: string;
  birthDate: string;
  noticeSentOn: string;
}

interface Form {
  landlordKind: string;
  landlordName: string;
  organisationNumber: string;
  address: string;
  tenants: TenantRow[];
  ground: string;
  amount: string;
  months: string;
  plannedPetitionOn: string;
  tenantGotCopy: boolean;
  noWrittenObjectionReceived: boolean;
}

let nextKey = 1;
const emptyTenant = (): TenantRow => ({ key: nextKey++, nationalId: '', name: '', birthDate: '', noticeSentOn: '' });

/** «10.2026, 11.2026» → ['2026-10', '2026-11']; null when one is not a month. */
function parseMonths(text: string): string[] | null {
  const parts = text
    .split(/[,;\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const out: string[] = [];
  for (const p of parts) {
    const m = /^(\d{1,2})\.(\d{4})$/.exec(p) ?? null;
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 12) return null;
    out.push(`${m[2]}-${String(Number(m[1])).padStart(2, '0')}`);
  }
  return out;
}

/** Every rule the page can check itself, by the api's field paths. */
function validate(f: Form, today: string): FieldErrors {
  const e: FieldErrors = {};
  if (!f.landlordKind) e['landlord.kind'] = 'Velg hva slags utleier du er.';
  if (!f.landlordName.trim()) e['landlord.name'] = 'Skriv utleierens navn.';
  const org = f.organisationNumber.replace(/\s/g, '');
  if (f.landlordKind === 'company' && !org) e['landlord.organisationNumber'] = 'Skriv organisasjonsnummeret (ni siffer).';
  else if (org && !/^\d{9}$/.test(org)) e['landlord.organisationNumber'] = 'Organisasjonsnummeret har ni siffer.';
  if (!f.address.trim()) e['dwelling.address'] = 'Skriv adressen til boligen.';
  f.tenants.forEach((t, i) => {
    const at = `tenants.${i}`;
    if (!t.name.trim()) e[`${at}.name`] = 'Skriv leietakerens navn.';
    const id = t.nationalId.replace(/\s/g, '');
    if (id && !/^\d{11}$/.test(id)) e[`${at}.nationalId`] = 'Fødselsnummeret har 11 siffer.';
    const birth = parseDate(t.birthDate);
    if (birth === null) e[`${at}.birthDate`] = 'Skriv fødselsdatoen som dd.mm.åååå.';
    else if (!id && !birth) e[`${at}.birthDate`] = 'Skriv fødselsdatoen når fødselsnummeret ikke er kjent.';
    else if (birth && birth > today) e[`${at}.birthDate`] = 'Fødselsdatoen kan ikke være frem i tid.';
    const notice = parseDate(t.noticeSentOn);
    if (notice === null) e[`${at}.noticeSentOn`] = 'Skriv datoen som dd.mm.åååå, eller la feltet stå tomt.';
    else if (notice && notice > today) e[`${at}.noticeSentOn`] = 'Datoen kan ikke være frem i tid.';
  });
  if (!f.ground) e['ground'] = 'Velg grunnlaget for fravikelsen.';
  const amount = f.amount.trim() ? parseKroner(f.amount) : 0;
  if (amount === null) e['arrears.amount'] = 'Skriv beløpet i kroner, for eksempel 18 564,00.';
  else if (f.ground === 'unpaid-rent' && amount === 0) e['arrears.amount'] = 'Skriv restansen når grunnlaget er ubetalt husleie.';
  const months = parseMonths(f.months);
  if (months === null) e['arrears.months'] = 'Skriv månedene som mm.åååå, skilt med komma.';
  else if (f.ground === 'unpaid-rent' && months.length === 0) e['arrears.months'] = 'Skriv hvilke måneder restansen gjelder.';
  else if (months.some((m) => m > today.slice(0, 7))) e['arrears.months'] = 'Månedene kan ikke være frem i tid.';
  const planned = parseDate(f.plannedPetitionOn);
  if (planned === null || planned === '') e['plannedPetitionOn'] = 'Skriv datoen som dd.mm.åååå.';
  else if (planned < today) e['plannedPetitionOn'] = 'Datoen kan ikke være tilbake i tid.';
  if (!f.tenantGotCopy) e['declarations.tenantGotCopy'] = 'Leietakeren skal få kopi av varselet (husleieloven § 9-11). Bekreft at kopien er gitt.';
  return e;
}

function bodyOf(f: Form, municipalityNumber: string) {
  return {
    landlord: { kind: f.landlordKind, name: f.landlordName.trim(), ...(f.organisationNumber.trim() ? { organisationNumber: f.organisationNumber.trim() } : {}) },
    municipalityNumber,
    dwelling: { address: f.address.trim() },
    tenants: f.tenants.map((t) => ({
      ...(t.nationalId.trim() ? { nationalId: t.nationalId.trim() } : {}),
      name: t.name.trim(),
      ...(parseDate(t.birthDate) ? { birthDate: parseDate(t.birthDate) } : {}),
      noticeSentOn: parseDate(t.noticeSentOn) || null,
    })),
    ground: f.ground,
    arrears: { amount: f.amount.trim() || null, months: parseMonths(f.months) ?? [] },
    plannedPetitionOn: parseDate(f.plannedPetitionOn),
    declarations: { tenantGotCopy: f.tenantGotCopy, noWrittenObjectionReceived: f.noWrittenObjectionReceived },
  };
}

/** A field path in words, for the error summary. */
function labelOf(path: string): string {
  const m = /^tenants\.(\d+)\.(\w+)$/.exec(path);
  if (m) return `Leietaker ${Number(m[1]) + 1}`;
  return '';
}

export function Result({ result, names }: { result: WarningSubmitResult; names: readonly string[] }) {
  const ref = useFocusOn<HTMLDivElement>(result);
  return (
    <VStack gap="space-24">
      <Alert variant={result.status === 'not-forwarded' ? 'warning' : 'success'} ref={ref} tabIndex={-1} className="result">
        <VStack gap="space-8">
          <Heading level="2" size="small">
            Status: {result.statusText}
          </Heading>
          <BodyShort>{result.message}</BodyShort>
        </VStack>
      </Alert>
      <PetitionDates tenants={result.tenants.map((t, i) => ({ ...t, name: names[i] ?? t.tenantRef }))} />
      <Advice advice={result.advice} names={Object.fromEntries(result.tenants.map((t, i) => [t.tenantRef, names[i] ?? t.tenantRef]))} />
      <HStack gap="space-16">
        <Link to={`/utleier/varsler/${encodeURIComponent(result.warningId)}`}>Se status for varselet</Link>
        <Link to="/utleier/varsler">Alle dine varsler</Link>
      </HStack>
    </VStack>
  );
}

export function PetitionDates({ tenants }: { tenants: ReadonlyArray<{ tenantRef: string; name: string; noticeSentOn: string | null; petitionLegalOn: string | null; petitionCarefulOn: string | null }> }) {
  return (
    <section aria-labelledby="dates-heading">
      <VStack gap="space-8">
        <Heading level="2" size="small" id="dates-heading">
          Tidligste dato for begjæring om fravikelse
        </Heading>
        <BodyShort size="small">
          Lovlig dato: 14 dager etter at varselet etter tvangsfullbyrdelsesloven § 4-18 ble sendt. Forsiktig dato (retningslinje, ikke lov): regner med at varselet kommer frem etter tre virkedager, så 14 dager, så neste virkedag.
        </BodyShort>
        <div className="table-wrap">
          <Table size="small">
            <caption className="sr-only">Datoer per leietaker</caption>
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeader scope="col">Leietaker</Table.ColumnHeader>
                <Table.ColumnHeader scope="col">§ 4-18-varsel sendt</Table.ColumnHeader>
                <Table.ColumnHeader scope="col">Lovlig dato</Table.ColumnHeader>
                <Table.ColumnHeader scope="col">Forsiktig dato (retningslinje)</Table.ColumnHeader>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {tenants.map((t) => (
                <Table.Row key={t.tenantRef}>
                  <Table.HeaderCell scope="row">{t.name}</Table.HeaderCell>
                  <Table.DataCell>{t.noticeSentOn ? formatDate(t.noticeSentOn) : 'Ikke sendt ennå'}</Table.DataCell>
                  <Table.DataCell>{formatDate(t.petitionLegalOn)}</Table.DataCell>
                  <Table.DataCell>{formatDate(t.petitionCarefulOn)}</Table.DataCell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </div>
      </VStack>
    </section>
  );
}

export function Advice({ advice, names, heading = 'Råd' }: { advice: ReadonlyArray<{ rule: string; date: string; kind: string; explanation: string; tenantRef?: string }>; names: Record<string, string>; heading?: string }) {
  if (advice.length === 0) return null;
  return (
    <section aria-label={heading}>
      <VStack gap="space-8">
        <Heading level="2" size="small">
          {heading}
        </Heading>
        <ul className="plain-list">
          {advice.map((a, i) => (
            <li key={i}>
              <BodyShort>
                <strong>
                  {RULING_KIND_NAMES[a.kind] ?? a.kind}, {formatDate(a.date)}
                  {a.tenantRef ? ` (${names[a.tenantRef] ?? a.tenantRef})` : ''}:
                </strong>{' '}
                {a.explanation}
              </BodyShort>
            </li>
          ))}
        </ul>
      </VStack>
    </section>
  );
}

export function WarningFormPage() {
  const session = useSession();
  const today = useToday() ?? osloToday();
  const [form, setForm] = useState<Form>({
    landlordKind: '',
    landlordName: '',
    organisationNumber: '',
    address: '',
    tenants: [emptyTenant()],
    ground: '',
    amount: '',
    months: '',
    plannedPetitionOn: '',
    tenantGotCopy: false,
    noWrittenObjectionReceived: false,
  });
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ data: WarningSubmitResult; names: string[] } | null>(null);
  const [key, setKey] = useState(idempotencyKey);

  const live = validate(form, today);
  const shown: FieldErrors = {};
  for (const [path, message] of Object.entries(live)) if (submitted || touched.has(path)) shown[path] = message;
  for (const [path, message] of Object.entries(server)) if (!shown[path]) shown[path] = message;

  const touch = (path: string) => setTouched((t) => (t.has(path) ? t : new Set(t).add(path)));
  const update = (path: string, change: Partial<Form>) => {
    setForm((f) => ({ ...f, ...change }));
    if (server[path]) setServer(({ [path]: _gone, ...rest }) => rest);
  };
  const updateTenant = (i: number, field: keyof Omit<TenantRow, 'key'>, value: string) => {
    setForm((f) => ({ ...f, tenants: f.tenants.map((t, j) => (j === i ? { ...t, [field]: value } : t)) }));
    const path = `tenants.${i}.${field}`;
    if (server[path]) setServer(({ [path]: _gone, ...rest }) => rest);
  };
  const blur = (path: string) => () => touch(path);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    setProblem(null);
    const errors = validate(form, today);
    if (Object.keys(errors).length > 0) {
      setSummary(errors);
      return;
    }
    setBusy(true);
    try {
      const data = await api<WarningSubmitResult>('/api/v1/warnings', { method: 'POST', json: bodyOf(form, session?.municipality ?? ''), headers: { 'idempotency-key': key } });
      setResult({ data, names: form.tenants.map((t) => t.name.trim()) });
      setSummary({});
    } catch (error) {
      const p = problemOf(error);
      const fields = apiFieldErrors(p);
      setServer(fields);
      setSummary(fields);
      if (Object.keys(fields).length === 0) setProblem(p);
      // What was sent was refused: the corrected form is a new submission.
      setKey(idempotencyKey());
    } finally {
      setBusy(false);
    }
  }

  if (result) {
    return (
      <VStack gap="space-24">
        <PageHeading title="Varselet er sendt">Varselet er mottatt</PageHeading>
        <Result result={result.data} names={result.names} />
      </VStack>
    );
  }

  const err = (path: string) => shown[path];
  return (
    <VStack gap="space-24">
      <PageHeading title="Varsel om fravikelse" description="Husleieloven § 9-11: utleieren skal varsle NAV-kontoret i kommunen før begjæring om fravikelse for ubetalt husleie. Leietakeren skal få kopi.">
        Send varsel om fravikelse til NAV
      </PageHeading>
      <form onSubmit={submit} noValidate aria-label="Varsel om fravikelse">
        <VStack gap="space-32">
          <FormErrors errors={summary} heading="Rett opp dette før du sender:" labels={labelOf} />
          <Fieldset legend="Utleier">
            <VStack gap="space-16">
              <RadioGroup legend="Hva slags utleier er du?" value={form.landlordKind} onChange={(v: string) => update('landlord.kind', { landlordKind: v })} error={err('landlord.kind')}>
                {Object.entries(LANDLORD_KIND_NAMES).map(([value, label], i) => (
                  <Radio key={value} value={value} {...(i === 0 ? { id: fieldId('landlord.kind') } : {})}>
                    {label}
                  </Radio>
                ))}
              </RadioGroup>
              <TextField id={fieldId('landlord.name')} label="Utleierens navn" value={form.landlordName} onChange={(e) => update('landlord.name', { landlordName: e.target.value })} onBlur={blur('landlord.name')} error={err('landlord.name')} autoComplete="organization" />
              <TextField id={fieldId('landlord.organisationNumber')} label="Organisasjonsnummer" description="Ni siffer. Må fylles ut for et selskap." value={form.organisationNumber} onChange={(e) => update('landlord.organisationNumber', { organisationNumber: e.target.value })} onBlur={blur('landlord.organisationNumber')} error={err('landlord.organisationNumber')} inputMode="numeric" htmlSize={12} />
            </VStack>
          </Fieldset>
          <TextField id={fieldId('dwelling.address')} label="Boligens adresse" value={form.address} onChange={(e) => update('dwelling.address', { address: e.target.value })} onBlur={blur('dwelling.address')} error={err('dwelling.address')} autoComplete="street-address" />
          <Fieldset legend="Leietakere" description="Hver leietaker med fødselsnummer, eller navn og fødselsdato. Varselet etter tvangsfullbyrdelsesloven § 4-18 gjelder hver leietaker for seg.">
            <VStack gap="space-24">
              {form.tenants.map((t, i) => (
                <Fieldset key={t.key} legend={`Leietaker ${i + 1}`} className="tenant">
                  <VStack gap="space-12">
                    <TextField id={fieldId(`tenants.${i}.name`)} label="Navn" value={t.name} onChange={(e) => updateTenant(i, 'name', e.target.value)} onBlur={blur(`tenants.${i}.name`)} error={err(`tenants.${i}.name`)} autoComplete="off" />
                    <TextField id={fieldId(`tenants.${i}.nationalId`)} label="Fødselsnummer (valgfritt)" description="11 siffer. Lar du feltet stå tomt, må du skrive fødselsdatoen." value={t.nationalId} onChange={(e) => updateTenant(i, 'nationalId', e.target.value)} onBlur={blur(`tenants.${i}.nationalId`)} error={err(`tenants.${i}.nationalId`)} inputMode="numeric" htmlSize={14} autoComplete="off" />
                    <TextField id={fieldId(`tenants.${i}.birthDate`)} label="Fødselsdato" description="dd.mm.åååå. Trengs når fødselsnummeret ikke er kjent." value={t.birthDate} onChange={(e) => updateTenant(i, 'birthDate', e.target.value)} onBlur={blur(`tenants.${i}.birthDate`)} error={err(`tenants.${i}.birthDate`)} htmlSize={12} autoComplete="off" />
                    <TextField id={fieldId(`tenants.${i}.noticeSentOn`)} label="Varsel etter § 4-18 sendt (valgfritt)" description="dd.mm.åååå. La feltet stå tomt hvis varselet ikke er sendt ennå." value={t.noticeSentOn} onChange={(e) => updateTenant(i, 'noticeSentOn', e.target.value)} onBlur={blur(`tenants.${i}.noticeSentOn`)} error={err(`tenants.${i}.noticeSentOn`)} htmlSize={12} autoComplete="off" />
                    {form.tenants.length > 1 ? (
                      <div>
                        <Button type="button" variant="tertiary" size="small" icon={<TrashIcon aria-hidden />} onClick={() => setForm((f) => ({ ...f, tenants: f.tenants.filter((_, j) => j !== i) }))}>
                          Fjern leietaker {i + 1}
                        </Button>
                      </div>
                    ) : null}
                  </VStack>
                </Fieldset>
              ))}
              {form.tenants.length < 10 ? (
                <div>
                  <Button type="button" variant="secondary" size="small" icon={<PlusIcon aria-hidden />} onClick={() => setForm((f) => ({ ...f, tenants: [...f.tenants, emptyTenant()] }))}>
                    Legg til leietaker
                  </Button>
                </div>
              ) : null}
            </VStack>
          </Fieldset>
          <RadioGroup legend="Grunnlag for fravikelse" value={form.ground} onChange={(v: string) => update('ground', { ground: v })} error={err('ground')}>
            {Object.entries(EVICTION_GROUND_NAMES).map(([value, label], i) => (
              <Radio key={value} value={value} {...(i === 0 ? { id: fieldId('ground') } : {})}>
                {label}
              </Radio>
            ))}
          </RadioGroup>
          <Fieldset legend="Restanse" description="Må fylles ut når grunnlaget er ubetalt husleie.">
            <VStack gap="space-12">
              <TextField id={fieldId('arrears.amount')} label="Beløp i kroner" description="For eksempel 18 564,00." value={form.amount} onChange={(e) => update('arrears.amount', { amount: e.target.value })} onBlur={blur('arrears.amount')} error={err('arrears.amount')} inputMode="decimal" htmlSize={14} />
              <TextField id={fieldId('arrears.months')} label="Måneder restansen gjelder" description="mm.åååå, skilt med komma, for eksempel 10.2026, 11.2026." value={form.months} onChange={(e) => update('arrears.months', { months: e.target.value })} onBlur={blur('arrears.months')} error={err('arrears.months')} />
            </VStack>
          </Fieldset>
          <TextField id={fieldId('plannedPetitionOn')} label="Planlagt dato for begjæring om fravikelse" description="dd.mm.åååå." value={form.plannedPetitionOn} onChange={(e) => update('plannedPetitionOn', { plannedPetitionOn: e.target.value })} onBlur={blur('plannedPetitionOn')} error={err('plannedPetitionOn')} htmlSize={12} />
          <CheckboxGroup
            legend="Bekreftelser"
            value={[...(form.tenantGotCopy ? ['tenantGotCopy'] : []), ...(form.noWrittenObjectionReceived ? ['noWrittenObjectionReceived'] : [])]}
            onChange={(values: string[]) => {
              update('declarations.tenantGotCopy', { tenantGotCopy: values.includes('tenantGotCopy'), noWrittenObjectionReceived: values.includes('noWrittenObjectionReceived') });
              touch('declarations.tenantGotCopy');
            }}
            error={err('declarations.tenantGotCopy')}
          >
            <Checkbox value="tenantGotCopy" id={fieldId('declarations.tenantGotCopy')}>
              Leietakeren har fått kopi av dette varselet
            </Checkbox>
            <Checkbox value="noWrittenObjectionReceived">Leietakeren har ikke reservert seg skriftlig mot at NAV varsles</Checkbox>
          </CheckboxGroup>
          <BodyLong size="small">Har leietakeren reservert seg skriftlig, blir varselet lagret, men ikke sendt til NAV. Du får vite det i svaret.</BodyLong>
          <div>
            <Button type="submit" loading={busy}>
              Send varselet
            </Button>
          </div>
          {problem ? <ProblemAlert problem={problem} what="Varselet ble ikke sendt" focus /> : null}
        </VStack>
      </form>
    </VStack>
  );
}
