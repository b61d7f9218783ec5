import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, BodyShort, Button, Heading, Select, TextField, VStack } from '@navikt/ds-react';
import { api, idempotencyKey, send } from '../../api/client';
import { problemOf, type Problem } from '../../api/problem';
import type { WarningDetail } from '../../api/types';
import { useApi } from '../../api/use-api';
import { formatDate, formatKroner } from '../../format/format';
import { EVICTION_GROUND_NAMES, WARNING_STEPS } from '../../format/labels';
import { Loading, PageHeading, useFocusOn } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { FormErrors, apiFieldErrors, fieldId, parseDate, type FieldErrors } from '../../components/form';
import { Link } from '../../app/router';
import { Advice, PetitionDates } from './WarningFormPage';

async function openTenantCopy(warningId: string): Promise<void> {
  // The PDF needs the bearer token, so it is fetched and handed to the browser as a file.
  const response = await send(`/api/v1/warnings/${encodeURIComponent(warningId)}/tenant-copy.pdf`, { headers: { accept: 'application/pdf' } });
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = 'kopi-til-leietaker.pdf';
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function NextStep({ warning, onDone }: { warning: WarningDetail; onDone: () => void }) {
  const [kind, setKind] = useState('');
  const [date, setDate] = useState('');
  const [tenantRef, setTenantRef] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const success = useFocusOn<HTMLDivElement>(done);
  const step = kind ? WARNING_STEPS[kind] : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setDone(null);
    const found: FieldErrors = {};
    if (!kind || !step) found['kind'] = 'Velg hva som har skjedd.';
    const parsed = parseDate(date);
    if (step?.dateField) {
      if (parsed === null) found[step.dateField] = 'Skriv datoen som dd.mm.åååå.';
      else if (!parsed && step.required) found[step.dateField] = 'Skriv datoen.';
    }
    if (kind === 'notice-sent' && !tenantRef) found['tenantRef'] = 'Velg leietakeren varselet gjelder.';
    setErrors(found);
    if (Object.keys(found).length > 0 || !step) return;
    setBusy(true);
    try {
      const body: Record<string, string> = { kind };
      if (step.dateField && parsed) body[step.dateField] = parsed;
      if (kind === 'notice-sent') body['tenantRef'] = tenantRef;
      const r = await api<{ message: string; statusText: string }>(`/api/v1/warnings/${encodeURIComponent(warning.warningId)}/updates`, { method: 'POST', json: body, headers: { 'idempotency-key': idempotencyKey() } });
      setDone(`${r.message} Status: ${r.statusText}.`);
      setKind('');
      setDate('');
      onDone();
    } catch (error) {
      const p = problemOf(error);
      const fields = apiFieldErrors(p);
      setErrors(fields);
      if (Object.keys(fields).length === 0 || p.status === 409) setProblem(p);
    } finally {
      setBusy(false);
    }
  }

  if (warning.possibleSteps.length === 0) return null;
  return (
    <form onSubmit={submit} noValidate aria-labelledby="step-heading">
      <VStack gap="space-16">
        <Heading level="2" size="medium" id="step-heading">
          Meld neste steg
        </Heading>
        <FormErrors errors={errors} heading="Rett opp dette før du melder:" />
        <Select id={fieldId('kind')} label="Hva har skjedd?" value={kind} onChange={(e) => setKind(e.target.value)} error={errors['kind']}>
          <option value="">Velg</option>
          {warning.possibleSteps.map((k) => (
            <option key={k} value={k}>
              {WARNING_STEPS[k]?.label ?? k}
            </option>
          ))}
        </Select>
        {kind === 'notice-sent' ? (
          <Select id={fieldId('tenantRef')} label="Leietaker" value={tenantRef} onChange={(e) => setTenantRef(e.target.value)} error={errors['tenantRef']}>
            <option value="">Velg</option>
            {warning.tenants.map((t) => (
              <option key={t.tenantRef} value={t.tenantRef}>
                {t.name}
              </option>
            ))}
          </Select>
        ) : null}
        {step?.dateField ? (
          <TextField id={fieldId(step.dateField)} label={`${step.dateLabel}${step.required ? '' : ' (valgfritt)'}`} description="dd.mm.åååå." value={date} onChange={(e) => setDate(e.target.value)} error={errors[step.dateField]} htmlSize={12} />
        ) : null}
        <div>
          <Button type="submit" loading={busy}>
            Meld steget
          </Button>
        </div>
        {done ? (
          <Alert variant="success" ref={success} tabIndex={-1} className="result">
            {done}
          </Alert>
        ) : null}
        {problem ? <ProblemAlert problem={problem} what="Steget ble ikke registrert" focus /> : null}
      </VStack>
    </form>
  );
}

/** One warning: its status, dates per tenant, advice, history, the next step, and the tenant's copy. */
export function WarningPage({ params }: { params: Record<string, string> }) {
  const id = params['id'] ?? '';
  const detail = useApi<WarningDetail>(`/api/v1/warnings/${encodeURIComponent(id)}`);
  const [pdfProblem, setPdfProblem] = useState<Problem | null>(null);
  const polls = useRef(0);
  const { reload } = detail;
  const status = detail.data?.status;

  // The worker forwards a received warning to NAV a moment after it came in: look again until it has.
  useEffect(() => {
    if (status !== 'received' || detail.state === 'loading' || polls.current >= 30) return;
    polls.current += 1;
    const timer = window.setTimeout(reload, 1000);
    return () => window.clearTimeout(timer);
  }, [status, reload, detail.state]);

  if (detail.state === 'loading' && !detail.data) return <Loading text="Henter varselet …" />;
  if (detail.state === 'error') {
    return (
      <VStack gap="space-16">
        <PageHeading title="Varsel">Varsel om fravikelse</PageHeading>
        <ProblemAlert problem={detail.problem} what="Kunne ikke hente varselet" onRetry={detail.reload} />
        <div>
          <Link to="/utleier/varsler">Til dine varsler</Link>
        </div>
      </VStack>
    );
  }
  const w = detail.data as WarningDetail;
  const names = Object.fromEntries(w.tenants.map((t) => [t.tenantRef, t.name]));
  return (
    <VStack gap="space-24">
      <PageHeading title={`Varsel: ${w.address}`}>Varsel om fravikelse: {w.address}</PageHeading>
      <Alert variant={w.status === 'not-forwarded' ? 'warning' : w.status === 'received' ? 'info' : 'success'} role="status">
        <VStack gap="space-4">
          <Heading level="2" size="small">
            Status: {w.statusText}
          </Heading>
          {w.notForwardedReason ? <BodyShort>{w.notForwardedReason}</BodyShort> : null}
          <BodyShort>{w.stageText}</BodyShort>
        </VStack>
      </Alert>
      <dl className="facts">
        <dt>Sendt inn</dt>
        <dd>{formatDate(w.submittedOn)}</dd>
        <dt>NAV-kontor</dt>
        <dd>{w.navOffice ?? '–'}</dd>
        <dt>Grunnlag</dt>
        <dd>{EVICTION_GROUND_NAMES[w.ground] ?? w.ground}</dd>
        <dt>Restanse</dt>
        <dd>
          {formatKroner(w.arrearsOre)}
          {w.arrearsMonths.length ? ` (${w.arrearsMonths.join(', ')})` : ''}
        </dd>
        <dt>Planlagt begjæring</dt>
        <dd>{formatDate(w.plannedPetitionOn)}</dd>
        {w.petitionFiledOn ? (
          <>
            <dt>Begjæring sendt</dt>
            <dd>{formatDate(w.petitionFiledOn)}</dd>
          </>
        ) : null}
        {w.evictionOn ? (
          <>
            <dt>Utkastelse</dt>
            <dd>{formatDate(w.evictionOn)}</dd>
          </>
        ) : null}
      </dl>
      <PetitionDates tenants={w.tenants} />
      <Advice advice={w.advice} names={names} />
      <Advice advice={w.deadlines} names={names} heading="Frister" />
      <section aria-labelledby="history-heading">
        <VStack gap="space-8">
          <Heading level="2" size="medium" id="history-heading">
            Historikk
          </Heading>
          <ol className="timeline">
            {w.history.map((h, i) => (
              <li key={i} className="timeline__entry">
                <BodyShort>
                  <strong>{formatDate(h.on)}:</strong> {h.text}
                </BodyShort>
              </li>
            ))}
          </ol>
        </VStack>
      </section>
      <NextStep warning={w} onDone={reload} />
      <VStack gap="space-8">
        <div>
          <Button
            variant="secondary"
            onClick={() => {
              setPdfProblem(null);
              openTenantCopy(w.warningId).catch((error: unknown) => setPdfProblem(problemOf(error)));
            }}
          >
            Last ned kopi til leietakeren (PDF)
          </Button>
        </div>
        {pdfProblem ? <ProblemAlert problem={pdfProblem} what="Kunne ikke hente kopien" focus /> : null}
      </VStack>
      <div>
        <Link to="/utleier/varsler">Til dine varsler</Link>
      </div>
    </VStack>
  );
}
