import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Alert, BodyShort, Button, Checkbox, CheckboxGroup, Detail, Heading, HGrid, HStack, Radio, RadioGroup, Select, Table, TextField, Textarea, VStack } from '@navikt/ds-react';
import { PlusIcon, TrashIcon } from '@navikt/aksel-icons';
import { api, idempotencyKey } from '../../api/client';
import { problemOf, type Problem } from '../../api/problem';
import type { NavRecord } from '../../api/types';
import { useApi } from '../../api/use-api';
import { formatDate, formatDateTime, formatKroner } from '../../format/format';
import { CONTACT_CHANNELS, NAV_STATUS_NAMES, actorName } from '../../format/labels';
import { Loading, PageHeading, useFocusOn } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { FormErrors, apiFieldErrors, fieldId, parseDate, parseKroner, type FieldErrors } from '../../components/form';
import { Link } from '../../app/router';
import { claimedByText } from './InboxPage';

type Built = { errors: FieldErrors; body?: Record<string, unknown> };

/**
 * One follow-up step as a form: the page's own checks first, then `POST …/steps`; the api's field
 * errors land at their fields and in the summary; success is said and takes the focus.
 */
function StepForm({ caseId, id, heading, button, build, success, onDone, children, errors, setErrors }: { caseId: string; id: string; heading: string; button: string; build: () => Built; success: string; onDone: () => void; children: ReactNode; errors: FieldErrors; setErrors: (e: FieldErrors) => void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const ref = useFocusOn<HTMLDivElement>(done);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setDone(null);
    const built = build();
    setErrors(built.errors);
    if (Object.keys(built.errors).length > 0 || !built.body) return;
    setBusy(true);
    try {
      await api(`/api/v1/nav/cases/${encodeURIComponent(caseId)}/steps`, { method: 'POST', json: built.body, headers: { 'idempotency-key': idempotencyKey() } });
      setDone(success);
      onDone();
    } catch (error) {
      const p = problemOf(error);
      const fields = apiFieldErrors(p);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setProblem(p);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${id}-heading`} className="step-form">
      <VStack gap="space-16">
        <Heading level="3" size="small" id={`${id}-heading`}>
          {heading}
        </Heading>
        <FormErrors errors={errors} heading="Rett opp dette før du lagrer:" prefix={id} />
        {children}
        <div>
          <Button type="submit" size="small" loading={busy}>
            {button}
          </Button>
        </div>
        {done ? (
          <Alert variant="success" size="small" ref={ref} tabIndex={-1} className="result">
            {done}
          </Alert>
        ) : null}
        {problem ? <ProblemAlert problem={problem} what={`${heading}: ikke lagret`} focus /> : null}
      </VStack>
    </form>
  );
}

/** An optional date field: '' is today (the api's), an unreadable one an error. */
function dateInto(errors: FieldErrors, path: string, text: string, required = false): string | undefined {
  const d = parseDate(text);
  if (d === null) errors[path] = 'Skriv datoen som dd.mm.åååå.';
  else if (!d && required) errors[path] = 'Skriv datoen.';
  return d || undefined;
}

function DateInput({ prefix, path, label, value, onChange, errors, optional = true }: { prefix: string; path: string; label: string; value: string; onChange: (v: string) => void; errors: FieldErrors; optional?: boolean }) {
  return <TextField id={fieldId(`${prefix}.${path}`)} label={optional ? `${label} (valgfritt)` : label} description={optional ? 'dd.mm.åååå. Tomt betyr i dag.' : 'dd.mm.åååå.'} value={value} onChange={(e) => onChange(e.target.value)} error={errors[path]} htmlSize={12} />;
}

function ContactForm({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const [channel, setChannel] = useState('');
  const [on, setOn] = useState('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const build = (): Built => {
    const e: FieldErrors = {};
    if (!channel) e['channel'] = 'Velg hvordan dere fikk kontakt.';
    const contactedOn = dateInto(e, 'contactedOn', on);
    return { errors: e, body: { type: 'contact-made', channel, ...(contactedOn ? { contactedOn } : {}), ...(note.trim() ? { note: note.trim() } : {}) } };
  };
  return (
    <StepForm caseId={caseId} id="kontakt" heading="Kontakt med husstanden" button="Registrer kontakt" success="Kontakten er registrert." build={build} onDone={onDone} errors={errors} setErrors={setErrors}>
      <RadioGroup legend="Hvordan fikk dere kontakt?" value={channel} onChange={(v: string) => setChannel(v)} error={errors['channel']} size="small">
        {CONTACT_CHANNELS.map(([value, label], i) => (
          <Radio key={value} value={value} {...(i === 0 ? { id: fieldId('kontakt.channel') } : {})}>
            {label}
          </Radio>
        ))}
      </RadioGroup>
      <DateInput prefix="kontakt" path="contactedOn" label="Dato" value={on} onChange={setOn} errors={errors} />
      <Textarea id={fieldId('kontakt.note')} label="Notat (valgfritt)" description="Ikke skriv fødselsnummer." value={note} onChange={(e) => setNote(e.target.value)} error={errors['note']} maxLength={2000} size="small" />
    </StepForm>
  );
}

function AdviceRequestForm({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const [form, setForm] = useState('');
  const [on, setOn] = useState('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const build = (): Built => {
    const e: FieldErrors = {};
    if (!form) e['form'] = 'Velg om anmodningen var muntlig eller skriftlig.';
    const requestedOn = dateInto(e, 'requestedOn', on);
    return { errors: e, body: { type: 'economic-advice-requested', form, ...(requestedOn ? { requestedOn } : {}), ...(note.trim() ? { note: note.trim() } : {}) } };
  };
  return (
    <StepForm caseId={caseId} id="anmodning" heading="Anmodning om økonomisk rådgivning (§ 17)" button="Registrer anmodningen" success="Anmodningen er registrert. Den skal ha et skriftlig vedtak." build={build} onDone={onDone} errors={errors} setErrors={setErrors}>
      <RadioGroup legend="Hvordan kom anmodningen?" description="Også en muntlig anmodning skal ha et skriftlig vedtak." value={form} onChange={(v: string) => setForm(v)} error={errors['form']} size="small">
        <Radio value="oral" id={fieldId('anmodning.form')}>
          Muntlig
        </Radio>
        <Radio value="written">Skriftlig</Radio>
      </RadioGroup>
      <DateInput prefix="anmodning" path="requestedOn" label="Dato for anmodningen" value={on} onChange={setOn} errors={errors} />
      <Textarea id={fieldId('anmodning.note')} label="Notat (valgfritt)" value={note} onChange={(e) => setNote(e.target.value)} error={errors['note']} maxLength={2000} size="small" />
    </StepForm>
  );
}

function AdviceDecisionForm({ caseId, record, onDone }: { caseId: string; record: NavRecord; onDone: () => void }) {
  const waiting = record.economicAdvice.filter((a) => a.writtenDecision === null);
  const [requestId, setRequestId] = useState(waiting[0]?.requestId ?? '');
  const [outcome, setOutcome] = useState('');
  const [on, setOn] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  if (waiting.length === 0) return null;
  const chosen = waiting.some((a) => a.requestId === requestId) ? requestId : (waiting[0]?.requestId ?? '');
  const build = (): Built => {
    const e: FieldErrors = {};
    if (!outcome) e['outcome'] = 'Velg innvilget eller avslått.';
    if (outcome === 'refused' && !reason.trim()) e['reason'] = 'Skriv begrunnelsen for avslaget.';
    const decidedOn = dateInto(e, 'decidedOn', on);
    return { errors: e, body: { type: 'economic-advice-decided', requestId: chosen, outcome, ...(decidedOn ? { decidedOn } : {}), ...(reason.trim() ? { reason: reason.trim() } : {}) } };
  };
  return (
    <StepForm caseId={caseId} id="vedtak" heading="Skriftlig vedtak om økonomisk rådgivning" button="Lagre vedtaket" success="Vedtaket er lagret." build={build} onDone={onDone} errors={errors} setErrors={setErrors}>
      <Select id={fieldId('vedtak.requestId')} label="Anmodning" value={chosen} onChange={(e) => setRequestId(e.target.value)} error={errors['requestId']} size="small">
        {waiting.map((a) => (
          <option key={a.requestId} value={a.requestId}>
            {a.form === 'oral' ? 'Muntlig' : 'Skriftlig'} anmodning {formatDate(a.requestedOn)}
          </option>
        ))}
      </Select>
      <RadioGroup legend="Vedtak" value={outcome} onChange={(v: string) => setOutcome(v)} error={errors['outcome']} size="small">
        <Radio value="granted" id={fieldId('vedtak.outcome')}>
          Innvilget
        </Radio>
        <Radio value="refused">Avslått</Radio>
      </RadioGroup>
      <DateInput prefix="vedtak" path="decidedOn" label="Vedtaksdato" value={on} onChange={setOn} errors={errors} />
      <Textarea id={fieldId('vedtak.reason')} label="Begrunnelse" description="Må fylles ut ved avslag." value={reason} onChange={(e) => setReason(e.target.value)} error={errors['reason']} maxLength={2000} size="small" />
    </StepForm>
  );
}

function AdviceStartForm({ caseId, record, onDone }: { caseId: string; record: NavRecord; onDone: () => void }) {
  const pending = record.economicAdvice.filter((a) => a.writtenDecision?.outcome === 'granted' && a.startedOn === null);
  const [requestId, setRequestId] = useState('');
  const [on, setOn] = useState('');
  const [lateReason, setLateReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  if (pending.length === 0) return null;
  const chosenId = pending.some((a) => a.requestId === requestId) ? requestId : (pending[0]?.requestId ?? '');
  const chosen = pending.find((a) => a.requestId === chosenId);
  const build = (): Built => {
    const e: FieldErrors = {};
    const startedOn = dateInto(e, 'startedOn', on);
    return { errors: e, body: { type: 'economic-advice-started', requestId: chosenId, ...(startedOn ? { startedOn } : {}), ...(lateReason.trim() ? { lateReason: lateReason.trim() } : {}) } };
  };
  return (
    <StepForm caseId={caseId} id="oppstart" heading="Oppstart av økonomisk rådgivning" button="Registrer oppstart" success="Oppstarten er registrert." build={build} onDone={onDone} errors={errors} setErrors={setErrors}>
      <Select id={fieldId('oppstart.requestId')} label="Innvilget anmodning" value={chosenId} onChange={(e) => setRequestId(e.target.value)} size="small">
        {pending.map((a) => (
          <option key={a.requestId} value={a.requestId}>
            Anmodning {formatDate(a.requestedOn)}, skal starte innen {formatDate(a.startNormDueOn)}
          </option>
        ))}
      </Select>
      {chosen ? <BodyShort size="small">Normen sier oppstart innen {formatDate(chosen.startNormDueOn)}. Starter den senere, må du skrive hvorfor.</BodyShort> : null}
      <DateInput prefix="oppstart" path="startedOn" label="Startdato" value={on} onChange={setOn} errors={errors} />
      <Textarea id={fieldId('oppstart.lateReason')} label="Hvorfor senere enn normen (valgfritt)" value={lateReason} onChange={(e) => setLateReason(e.target.value)} error={errors['lateReason']} maxLength={2000} size="small" />
    </StepForm>
  );
}

interface InstalmentRow {
  key: number;
  dueOn: string;
  amount: string;
}
let rowKey = 1;

function PaymentPlanForm({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const [rows, setRows] = useState<InstalmentRow[]>([{ key: rowKey++, dueOn: '', amount: '' }]);
  const [tolerance, setTolerance] = useState('');
  const [on, setOn] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (i: number, change: Partial<InstalmentRow>) => setRows((r) => r.map((row, j) => (j === i ? { ...row, ...change } : row)));
  const build = (): Built => {
    const e: FieldErrors = {};
    const instalments = rows.map((r, i) => {
      const dueOn = dateInto(e, `instalments.${i}.dueOn`, r.dueOn, true);
      const ore = parseKroner(r.amount);
      if (ore === null || ore <= 0) e[`instalments.${i}.amountOre`] = 'Skriv et beløp i kroner, for eksempel 1 500,00.';
      return { dueOn, amountOre: ore ?? 0 };
    });
    let toleranceDays: number | undefined;
    if (tolerance.trim()) {
      toleranceDays = Number(tolerance.trim());
      if (!Number.isInteger(toleranceDays) || toleranceDays < 0 || toleranceDays > 31) e['toleranceDays'] = 'Skriv et helt antall dager fra 0 til 31.';
    }
    const agreedOn = dateInto(e, 'agreedOn', on);
    return { errors: e, body: { type: 'payment-plan-agreed', instalments, ...(toleranceDays !== undefined ? { toleranceDays } : {}), ...(agreedOn ? { agreedOn } : {}) } };
  };
  return (
    <StepForm caseId={caseId} id="plan" heading="Nedbetalingsavtale" button="Lagre avtalen" success="Nedbetalingsavtalen er lagret." build={build} onDone={onDone} errors={errors} setErrors={setErrors}>
      <VStack gap="space-12">
        {rows.map((r, i) => (
          <fieldset key={r.key} className="instalment">
            <legend className="sr-only">Avdrag {i + 1}</legend>
            <HStack gap="space-12" align="end" wrap>
              <TextField id={fieldId(`plan.instalments.${i}.dueOn`)} label={`Avdrag ${i + 1}: forfall`} description="dd.mm.åååå." value={r.dueOn} onChange={(e) => set(i, { dueOn: e.target.value })} error={errors[`instalments.${i}.dueOn`]} htmlSize={12} size="small" />
              <TextField id={fieldId(`plan.instalments.${i}.amountOre`)} label={`Avdrag ${i + 1}: beløp i kroner`} description="For eksempel 1 500,00." value={r.amount} onChange={(e) => set(i, { amount: e.target.value })} error={errors[`instalments.${i}.amountOre`]} htmlSize={12} size="small" inputMode="decimal" />
              {rows.length > 1 ? (
                <Button type="button" variant="tertiary" size="small" icon={<TrashIcon aria-hidden />} onClick={() => setRows((all) => all.filter((_, j) => j !== i))}>
                  Fjern avdrag {i + 1}
                </Button>
              ) : null}
            </HStack>
          </fieldset>
        ))}
        <div>
          <Button type="button" variant="secondary" size="small" icon={<PlusIcon aria-hidden />} onClick={() => setRows((all) => [...all, { key: rowKey++, dueOn: '', amount: '' }])}>
            Legg til avdrag
          </Button>
        </div>
      </VStack>
      <TextField id={fieldId('plan.toleranceDays')} label="Toleranse i dager (valgfritt)" description="Hvor mange dager et avdrag kan komme for sent før avtalen regnes som brutt." value={tolerance} onChange={(e) => setTolerance(e.target.value)} error={errors['toleranceDays']} htmlSize={4} inputMode="numeric" size="small" />
      <DateInput prefix="plan" path="agreedOn" label="Avtalt" value={on} onChange={setOn} errors={errors} />
    </StepForm>
  );
}

const COVERS = [
  ['rent', 'Husleie'],
  ['electricity', 'Strøm'],
  ['other', 'Annet'],
] as const;

function IncomeManagementForm({ caseId, record, onDone }: { caseId: string; record: NavRecord; onDone: () => void }) {
  const [consent, setConsent] = useState('');
  const [covers, setCovers] = useState<string[]>(['rent']);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [withdrawn, setWithdrawn] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const active = record.incomeManagement && record.incomeManagement.withdrawnOn === null ? record.incomeManagement : null;
  if (active) {
    const build = (): Built => {
      const e: FieldErrors = {};
      const withdrawnOn = dateInto(e, 'withdrawnOn', withdrawn);
      return { errors: e, body: { type: 'income-management-withdrawn', ...(withdrawnOn ? { withdrawnOn } : {}) } };
    };
    return (
      <StepForm caseId={caseId} id="forvaltning" heading="Frivillig forvaltning: samtykket trukket" button="Registrer at samtykket er trukket" success="Det er registrert at samtykket er trukket." build={build} onDone={onDone} errors={errors} setErrors={setErrors}>
        <BodyShort size="small">
          Forvaltning fra {formatDate(active.startOn)}
          {active.endOn ? ` til ${formatDate(active.endOn)}` : ''}, samtykke {formatDate(active.consentOn)}.
        </BodyShort>
        <DateInput prefix="forvaltning" path="withdrawnOn" label="Trukket" value={withdrawn} onChange={setWithdrawn} errors={errors} />
      </StepForm>
    );
  }
  const build = (): Built => {
    const e: FieldErrors = {};
    const consentOn = dateInto(e, 'consentOn', consent);
    const startOn = dateInto(e, 'startOn', start, true);
    const endOn = dateInto(e, 'endOn', end);
    if (covers.length === 0) e['covers'] = 'Velg minst husleien.';
    if (startOn && endOn && endOn < startOn) e['endOn'] = 'Sluttdatoen kan ikke være før startdatoen.';
    return { errors: e, body: { type: 'income-management-agreed', covers, ...(consentOn ? { consentOn } : {}), startOn, ...(endOn ? { endOn } : {}) } };
  };
  return (
    <StepForm caseId={caseId} id="forvaltning" heading="Frivillig forvaltning av inntekt" button="Lagre forvaltningen" success="Forvaltningen er lagret." build={build} onDone={onDone} errors={errors} setErrors={setErrors}>
      <DateInput prefix="forvaltning" path="consentOn" label="Samtykke gitt" value={consent} onChange={setConsent} errors={errors} />
      <CheckboxGroup legend="Forvaltningen dekker" value={covers} onChange={(v: string[]) => setCovers(v)} error={errors['covers']} size="small">
        {COVERS.map(([value, label], i) => (
          <Checkbox key={value} value={value} {...(i === 0 ? { id: fieldId('forvaltning.covers') } : {})}>
            {label}
          </Checkbox>
        ))}
      </CheckboxGroup>
      <DateInput prefix="forvaltning" path="startOn" label="Start" value={start} onChange={setStart} errors={errors} optional={false} />
      <TextField id={fieldId('forvaltning.endOn')} label="Slutt (valgfritt)" description="dd.mm.åååå. Tomt betyr til videre." value={end} onChange={(e) => setEnd(e.target.value)} error={errors['endOn']} htmlSize={12} />
    </StepForm>
  );
}

function AssistanceForm({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const [paragraph, setParagraph] = useState('');
  const [form, setForm] = useState('');
  const [amount, setAmount] = useState('');
  const [outcome, setOutcome] = useState('');
  const [on, setOn] = useState('');
  const [expected, setExpected] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const build = (): Built => {
    const e: FieldErrors = {};
    if (!paragraph) e['paragraph'] = 'Velg hjemmel.';
    if (!form) e['form'] = 'Velg bidrag eller lån.';
    const ore = parseKroner(amount);
    if (ore === null || ore <= 0) e['amountOre'] = 'Skriv beløpet i kroner, for eksempel 9 282,00.';
    if (!outcome) e['outcome'] = 'Velg innvilget eller avslått.';
    const decidedOn = dateInto(e, 'decidedOn', on);
    const expectedPaymentOn = dateInto(e, 'expectedPaymentOn', expected);
    return {
      errors: e,
      body: { type: 'financial-assistance-decided', paragraph, form, amountOre: ore ?? 0, outcome, ...(decidedOn ? { decidedOn } : {}), ...(expectedPaymentOn ? { expectedPaymentOn } : {}), ...(reason.trim() ? { reason: reason.trim() } : {}) },
    };
  };
  return (
    <StepForm caseId={caseId} id="stonad" heading="Vedtak om økonomisk stønad" button="Lagre vedtaket om stønad" success="Vedtaket om stønad er lagret." build={build} onDone={onDone} errors={errors} setErrors={setErrors}>
      <RadioGroup legend="Hjemmel (sosialtjenesteloven)" value={paragraph} onChange={(v: string) => setParagraph(v)} error={errors['paragraph']} size="small">
        <Radio value="18" id={fieldId('stonad.paragraph')}>
          § 18 Stønad til livsopphold
        </Radio>
        <Radio value="19">§ 19 Stønad i særlige tilfeller</Radio>
      </RadioGroup>
      <RadioGroup legend="Form" value={form} onChange={(v: string) => setForm(v)} error={errors['form']} size="small">
        <Radio value="grant" id={fieldId('stonad.form')}>
          Bidrag
        </Radio>
        <Radio value="loan">Lån</Radio>
      </RadioGroup>
      <TextField id={fieldId('stonad.amountOre')} label="Beløp i kroner" value={amount} onChange={(e) => setAmount(e.target.value)} error={errors['amountOre']} htmlSize={12} inputMode="decimal" size="small" />
      <RadioGroup legend="Vedtak" value={outcome} onChange={(v: string) => setOutcome(v)} error={errors['outcome']} size="small">
        <Radio value="granted" id={fieldId('stonad.outcome')}>
          Innvilget
        </Radio>
        <Radio value="refused">Avslått</Radio>
      </RadioGroup>
      <DateInput prefix="stonad" path="decidedOn" label="Vedtaksdato" value={on} onChange={setOn} errors={errors} />
      <TextField id={fieldId('stonad.expectedPaymentOn')} label="Forventet utbetaling (valgfritt)" description="dd.mm.åååå." value={expected} onChange={(e) => setExpected(e.target.value)} error={errors['expectedPaymentOn']} htmlSize={12} size="small" />
      <Textarea id={fieldId('stonad.reason')} label="Begrunnelse (valgfritt)" value={reason} onChange={(e) => setReason(e.target.value)} error={errors['reason']} maxLength={2000} size="small" />
    </StepForm>
  );
}

function yesNo(v: boolean | null): string {
  return v === null ? 'Ikke ennå' : v ? 'Ja' : 'Nei';
}

/** The county governor's two questions (sosialtjenesteloven § 17), answered for this case. */
function AuditAnswers({ record }: { record: NavRecord }) {
  const a = record.auditAnswers;
  return (
    <section aria-labelledby="audit-heading">
      <VStack gap="space-8">
        <Heading level="2" size="medium" id="audit-heading">
          Økonomisk rådgivning (§ 17): revisjonens spørsmål
        </Heading>
        {a.requests === 0 ? (
          <BodyShort>Ingen anmodning om økonomisk rådgivning er registrert.</BodyShort>
        ) : (
          <>
            <dl className="facts">
              <dt>Skriftlig vedtak?</dt>
              <dd>
                {a.withWrittenDecision} av {a.requests} anmodninger har skriftlig vedtak{a.awaitingDecision.length ? ` – ${a.awaitingDecision.length} venter på vedtak` : ''}.
              </dd>
              <dt>Startet i tide?</dt>
              <dd>
                {a.startedInTime} startet i tide, {a.startedLate} startet for sent
                {a.notStartedPastNorm.length ? `, ${a.notStartedPastNorm.length} ikke startet etter fristen` : ''}.
              </dd>
            </dl>
            <div className="table-wrap">
              <Table size="small">
                <caption className="sr-only">Anmodninger om økonomisk rådgivning</caption>
                <Table.Header>
                  <Table.Row>
                    <Table.ColumnHeader scope="col">Anmodning</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Skriftlig vedtak</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Startfrist</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">Startet</Table.ColumnHeader>
                    <Table.ColumnHeader scope="col">I tide</Table.ColumnHeader>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {record.economicAdvice.map((r) => (
                    <Table.Row key={r.requestId}>
                      <Table.HeaderCell scope="row">
                        {r.form === 'oral' ? 'Muntlig' : 'Skriftlig'}, {formatDate(r.requestedOn)}
                      </Table.HeaderCell>
                      <Table.DataCell>{r.writtenDecision ? `${r.writtenDecision.outcome === 'granted' ? 'Innvilget' : 'Avslått'} ${formatDate(r.writtenDecision.decidedOn)}` : 'Nei, venter'}</Table.DataCell>
                      <Table.DataCell>{formatDate(r.startNormDueOn)}</Table.DataCell>
                      <Table.DataCell>{formatDate(r.startedOn)}</Table.DataCell>
                      <Table.DataCell>{yesNo(r.startedInTime)}</Table.DataCell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </div>
          </>
        )}
      </VStack>
    </section>
  );
}

function NavTimeline({ entries }: { entries: NavRecord['timeline'] }) {
  if (entries.length === 0) return <BodyShort>Ingenting registrert ennå.</BodyShort>;
  return (
    <ol className="timeline">
      {entries.map((e, i) => (
        <li key={`${e.at}-${i}`} className="timeline__entry">
          <VStack gap="space-4">
            <Heading level="3" size="xsmall">
              {formatDate(e.on)} – {e.summary}
            </Heading>
            {e.notes.map((n, j) => (
              <BodyShort key={j} size="small">
                Notat: {n}
              </BodyShort>
            ))}
            <Detail textColor="subtle">
              Registrert {formatDateTime(e.at)} av {actorName(e.actor.role).toLowerCase()}
            </Detail>
          </VStack>
        </li>
      ))}
    </ol>
  );
}

/** NAV's panel on a case: the follow-up, the § 17 audit answers, the timeline with notes, and the forms for each step. */
export function NavCasePage({ params }: { params: Record<string, string> }) {
  const id = params['id'] ?? '';
  const record = useApi<NavRecord>(`/api/v1/nav/cases/${encodeURIComponent(id)}`);
  const [waitingFor, setWaitingFor] = useState<number | null>(null);
  const [claimProblem, setClaimProblem] = useState<Problem | null>(null);
  const polls = useRef(0);
  const { reload } = record;
  const count = record.data?.timeline.length;

  // NAV's read model follows a moment after a step: look again until the timeline has it.
  useEffect(() => {
    if (waitingFor === null) return;
    if ((count !== undefined && count >= waitingFor) || polls.current >= 25) {
      polls.current = 0;
      setWaitingFor(null);
      return;
    }
    if (record.state === 'loading') return;
    polls.current += 1;
    const timer = window.setTimeout(reload, 400);
    return () => window.clearTimeout(timer);
  }, [waitingFor, count, reload, record.state]);

  if (record.state === 'loading' && !record.data) return <Loading text="Henter NAVs oppfølging …" />;
  if (record.state === 'error') {
    return (
      <VStack gap="space-16">
        <PageHeading title="NAV-sak">NAV-oppfølging av sak {id}</PageHeading>
        <ProblemAlert problem={record.problem} what="Kunne ikke hente NAVs oppfølging" onRetry={record.reload} />
        <div>
          <Link to="/nav">Til innboksen</Link>
        </div>
      </VStack>
    );
  }
  const r = record.data as NavRecord;
  const onDone = () => setWaitingFor(r.timeline.length + 1);
  const claim = async () => {
    setClaimProblem(null);
    try {
      await api(`/api/v1/nav/cases/${encodeURIComponent(r.caseId)}/claim`, { method: 'POST', headers: { 'idempotency-key': idempotencyKey() } });
      onDone();
    } catch (error) {
      setClaimProblem(problemOf(error));
    }
  };
  const active = r.concluded === null;
  return (
    <VStack gap="space-24">
      <PageHeading title={`NAV-sak ${r.caseId}`}>NAV-oppfølging av sak {r.caseId}</PageHeading>
      <dl className="facts">
        <dt>Status</dt>
        <dd>{r.mine ? 'Du har saken' : (NAV_STATUS_NAMES[r.status] ?? r.status)}</dd>
        <dt>Leieforhold</dt>
        <dd>
          {r.tenancyId} (kommune {r.municipalityNumber})
        </dd>
        <dt>Henvist</dt>
        <dd>{r.referrals.map((x) => formatDate(x.referredOn)).join(', ')}</dd>
        {r.pickupDueOn ? (
          <>
            <dt>Må tas innen</dt>
            <dd className={r.pickupOverdue ? 'overdue' : undefined}>
              {formatDate(r.pickupDueOn)}
              {r.pickupOverdue ? ' – forfalt' : ''}
            </dd>
          </>
        ) : null}
        <dt>Neste dato</dt>
        <dd>{formatDate(r.nextDate)}</dd>
        <dt>Hjelp på vei</dt>
        <dd>{r.helpOnItsWay ? 'Ja' : 'Nei'}</dd>
        <dt>Kontakter</dt>
        <dd>{r.contacts.length === 0 ? 'Ingen' : r.contacts.map((c) => `${CONTACT_CHANNELS.find(([v]) => v === c.channel)?.[1] ?? c.channel} ${formatDate(c.contactedOn)}`).join(', ')}</dd>
        <dt>Nedbetalingsavtaler</dt>
        <dd>{r.paymentPlans.length === 0 ? 'Ingen' : r.paymentPlans.map((p) => `${p.status === 'active' ? 'Aktiv' : p.status === 'kept' ? 'Overholdt' : 'Avsluttet'} fra ${formatDate(p.agreedOn)}: ${p.instalments.map((i) => `${formatKroner(i.amountOre)} ${formatDate(i.dueOn)}`).join(', ')}`).join('; ')}</dd>
        <dt>Økonomisk stønad</dt>
        <dd>{r.financialAssistance.length === 0 ? 'Ingen vedtak' : r.financialAssistance.map((a) => `§ ${a.paragraph} ${a.outcome === 'granted' ? 'innvilget' : 'avslått'} ${formatKroner(a.amountOre)} ${formatDate(a.decidedOn)}`).join('; ')}</dd>
      </dl>
      {r.status === 'unclaimed' ? (
        <VStack gap="space-8">
          <div>
            <Button onClick={claim}>Ta saken</Button>
          </div>
          {claimProblem ? claimProblem.status === 409 && claimedByText(claimProblem) ? <Alert variant="warning" role="alert">{claimedByText(claimProblem)}</Alert> : <ProblemAlert problem={claimProblem} what="Kunne ikke ta saken" focus /> : null}
        </VStack>
      ) : null}
      <AuditAnswers record={r} />
      <HGrid columns={{ xs: 1, lg: 2 }} gap="space-32">
        <section aria-labelledby="steps-heading">
          <VStack gap="space-32">
            <Heading level="2" size="medium" id="steps-heading">
              Registrer oppfølging
            </Heading>
            {!active ? (
              <Alert variant="info" size="small">
                NAVs oppfølging er avsluttet.
              </Alert>
            ) : !r.mine ? (
              <Alert variant="info" size="small">
                Ta saken for å registrere oppfølging.
              </Alert>
            ) : (
              <>
                <ContactForm caseId={r.caseId} onDone={onDone} />
                <AdviceRequestForm caseId={r.caseId} onDone={onDone} />
                <AdviceDecisionForm key={`d-${r.auditAnswers.awaitingDecision.length}`} caseId={r.caseId} record={r} onDone={onDone} />
                <AdviceStartForm caseId={r.caseId} record={r} onDone={onDone} />
                <PaymentPlanForm caseId={r.caseId} onDone={onDone} />
                <IncomeManagementForm caseId={r.caseId} record={r} onDone={onDone} />
                <AssistanceForm caseId={r.caseId} onDone={onDone} />
              </>
            )}
          </VStack>
        </section>
        <section aria-labelledby="nav-timeline-heading">
          <VStack gap="space-16">
            <Heading level="2" size="medium" id="nav-timeline-heading">
              Tidslinje
            </Heading>
            {waitingFor !== null ? (
              <BodyShort role="status" size="small">
                Oppdaterer tidslinjen …
              </BodyShort>
            ) : null}
            <NavTimeline entries={r.timeline} />
          </VStack>
        </section>
      </HGrid>
      <HStack gap="space-16">
        <Link to="/nav">Til innboksen</Link>
      </HStack>
    </VStack>
  );
}
