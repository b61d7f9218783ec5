import { useEffect, useState, type FormEvent } from 'react';
import { Alert, BodyShort, Button, ErrorSummary, FileUpload, Heading, ProgressBar, Radio, RadioGroup, Table, VStack } from '@navikt/ds-react';
import { UploadIcon } from '@navikt/aksel-icons';
import { idempotencyKey, query } from '../../api/client';
import { problemOf, type Problem } from '../../api/problem';
import type { ImportRecord, Page, PostingResult, RegistrationResult } from '../../api/types';
import { uploadFile, type UploadProgress } from '../../api/upload';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { formatDateTime, formatInteger, plural } from '../../format/format';
import { IMPORT_KIND_NAMES } from '../../format/labels';
import { Loading, PageHeading, useFocusOn } from '../../components/page';
import { Pager } from '../../components/pager';
import { ProblemAlert } from '../../components/problem';
import { Link, useLocation } from '../../app/router';

type Kind = 'postings' | 'tenancies';

const ENDPOINTS: Record<Kind, string> = {
  postings: '/api/v1/ledger/imports',
  tenancies: '/api/v1/ledger/tenancies/imports',
};

const COLUMNS: Record<Kind, string> = {
  postings: 'kommunenr;leieforhold;bilagsnr;type;dato;forfall;periode;belop',
  tenancies: 'kommunenr;leieforhold;adresse;husleie;utleier;navkontor;fodselsnummer;navn',
};

type Outcome = { kind: 'postings'; fileName: string; result: PostingResult } | { kind: 'tenancies'; fileName: string; result: RegistrationResult };

function outcomeText(o: Outcome): string {
  if (o.kind === 'postings') {
    const r = o.result;
    if (r.noOp) return `Alt i ${o.fileName} var bokført fra før (${plural(r.lines, 'linje', 'linjer')}). Ingenting nytt er lagret.`;
    return `${o.fileName} er bokført: ${plural(r.lines, 'linje', 'linjer')} for ${plural(r.tenancies, 'leieforhold', 'leieforhold')}, ${plural(r.eventsWritten, 'ny postering', 'nye posteringer')}${r.alreadyPosted ? `, ${formatInteger(r.alreadyPosted)} var bokført fra før` : ''}.`;
  }
  const r = o.result;
  if (r.noOp) return `Alle ${plural(r.tenancies, 'leieforhold', 'leieforhold')} i ${o.fileName} var registrert fra før, uendret.`;
  return `${o.fileName} er lest inn: ${formatInteger(r.registered)} nye, ${formatInteger(r.changed)} endret og ${formatInteger(r.unchanged)} uendrede leieforhold.`;
}

function UploadForm({ onUploaded }: { onUploaded: () => void }) {
  const [kind, setKind] = useState<Kind>('postings');
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | undefined>();
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const summary = useFocusOn<HTMLDivElement>(fileError);
  const success = useFocusOn<HTMLDivElement>(outcome);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setOutcome(null);
    setProblem(null);
    if (!file) {
      setFileError('Velg en fil å laste opp.');
      return;
    }
    setFileError(undefined);
    setBusy(true);
    setProgress({ loaded: 0, total: file.size });
    try {
      const result = await uploadFile<PostingResult & RegistrationResult>(ENDPOINTS[kind], file, { idempotencyKey: idempotencyKey(), onProgress: setProgress });
      setOutcome({ kind, fileName: file.name, result } as Outcome);
      setFile(null);
      onUploaded();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  const percent = progress && progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : 0;

  return (
    <form onSubmit={submit} noValidate aria-labelledby="upload-heading">
      <VStack gap="space-24" maxWidth="44rem">
        <Heading level="2" size="medium" id="upload-heading">
          Last opp fil fra økonomisystemet
        </Heading>
        {fileError ? (
          <ErrorSummary ref={summary} heading="Rett opp dette før du laster opp:">
            <ErrorSummary.Item href="#fil">{fileError}</ErrorSummary.Item>
          </ErrorSummary>
        ) : null}
        <RadioGroup legend="Hva slags fil?" value={kind} onChange={(value: Kind) => setKind(value)}>
          <Radio value="postings" description="Faktura, innbetaling, kreditnota, avskrivning og saldo.">
            Posteringer
          </Radio>
          <Radio value="tenancies" description="Leieforhold med adresse, husleie, utleier, NAV-kontor og leietakere.">
            Leieforhold
          </Radio>
        </RadioGroup>
        <VStack gap="space-8">
          <FileUpload.Dropzone
            id="fil"
            label="Fil (CSV)"
            description={`Semikolonseparert med overskriftslinje: ${COLUMNS[kind]}. UTF-8 eller Windows-1252.`}
            accept=".csv,.txt,text/csv,text/plain"
            multiple={false}
            error={fileError}
            onSelect={(files) => {
              const chosen = files[0];
              setFile(chosen ? chosen.file : null);
              setFileError(chosen?.error ? 'Filen må være en CSV-fil.' : undefined);
              setOutcome(null);
              setProblem(null);
            }}
          />
          {file ? (
            <FileUpload.Item
              as="div"
              file={file}
              status={busy ? 'uploading' : 'idle'}
              button={busy ? undefined : { action: 'delete', onClick: () => setFile(null) }}
            />
          ) : null}
        </VStack>
        {progress && (busy || percent < 100) ? (
          <VStack gap="space-8">
            <BodyShort id="upload-progress-label" aria-live="polite">
              {busy ? `Laster opp ${file?.name ?? 'filen'}: ${percent} %` : `Opplastingen stoppet ved ${percent} %`}
            </BodyShort>
            <ProgressBar value={percent} valueMax={100} aria-labelledby="upload-progress-label" />
          </VStack>
        ) : null}
        <div>
          <Button type="submit" loading={busy} icon={<UploadIcon aria-hidden />}>
            Last opp
          </Button>
        </div>
        {outcome ? (
          <Alert variant="success" ref={success} tabIndex={-1} className="result">
            <VStack gap="space-8">
              <BodyShort>{outcomeText(outcome)}</BodyShort>
              {outcome.kind === 'postings' ? (
                <BodyShort>
                  <Link to="/regnskap/restanser">Se restanselisten</Link>
                </BodyShort>
              ) : null}
            </VStack>
          </Alert>
        ) : null}
        {problem ? <ProblemAlert problem={problem} what="Filen ble ikke lastet opp" focus /> : null}
      </VStack>
    </form>
  );
}

function ImportHistory({ version }: { version: number }) {
  const session = useSession();
  const location = useLocation();
  const cursor = location.search.get('historikk') ?? undefined;
  const path = session ? `/api/v1/ledger/imports${query({ municipality: session.municipality, cursor, limit: 20 })}` : null;
  const history = useApi<Page<ImportRecord>>(path, { keepPrevious: true });
  const { reload } = history;
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
  return (
    <section aria-labelledby="history-heading" className="section">
      <VStack gap="space-16">
        <Heading level="2" size="medium" id="history-heading">
          Importhistorikk
        </Heading>
        {history.state === 'loading' && !history.data ? <Loading text="Henter importhistorikken …" /> : null}
        {history.state === 'error' ? <ProblemAlert problem={history.problem} what="Kunne ikke hente importhistorikken" onRetry={history.reload} /> : null}
        {history.data ? (
          history.data.items.length === 0 ? (
            <BodyShort>Ingen filer er lastet opp ennå.</BodyShort>
          ) : (
            <>
              <div className="table-wrap">
                <Table size="small" zebraStripes id="import-history" tabIndex={-1}>
                  <caption className="sr-only">Filer lastet opp, nyeste først</caption>
                  <Table.Header>
                    <Table.Row>
                      <Table.ColumnHeader scope="col">Tidspunkt</Table.ColumnHeader>
                      <Table.ColumnHeader scope="col">Type</Table.ColumnHeader>
                      <Table.ColumnHeader scope="col" align="right">
                        Linjer
                      </Table.ColumnHeader>
                      <Table.ColumnHeader scope="col" align="right">
                        Nye hendelser
                      </Table.ColumnHeader>
                      <Table.ColumnHeader scope="col">Resultat</Table.ColumnHeader>
                    </Table.Row>
                  </Table.Header>
                  <Table.Body>
                    {history.data.items.map((i) => (
                      <Table.Row key={i.importId}>
                        <Table.DataCell>{formatDateTime(i.at)}</Table.DataCell>
                        <Table.DataCell>{IMPORT_KIND_NAMES[i.kind] ?? i.kind}</Table.DataCell>
                        <Table.DataCell align="right">{formatInteger(i.lines)}</Table.DataCell>
                        <Table.DataCell align="right">{formatInteger(i.eventsWritten)}</Table.DataCell>
                        <Table.DataCell>{i.noOp ? 'Ingen endring (alt fra før)' : 'Lagret'}</Table.DataCell>
                      </Table.Row>
                    ))}
                  </Table.Body>
                </Table>
              </div>
              <Pager location={location} nextCursor={history.data.nextCursor} param="historikk" shown={history.data.items.length} total={history.data.total} label="Sider i importhistorikken" focusId="import-history" />
            </>
          )
        ) : null}
      </VStack>
    </section>
  );
}

export function ImportsPage() {
  const [version, setVersion] = useState(0);
  return (
    <VStack gap="space-16">
      <PageHeading title="Filimport" description="Hele filen kontrolleres før noe lagres. Har den feil, lagres ingenting, og du får en liste over feilene med linje og kolonne.">
        Filimport fra økonomisystemet
      </PageHeading>
      <UploadForm onUploaded={() => setVersion((v) => v + 1)} />
      <ImportHistory version={version} />
    </VStack>
  );
}
