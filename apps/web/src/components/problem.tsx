import { useEffect, useRef } from 'react';
import { Alert, BodyShort, Button, Heading, Table, VStack } from '@navikt/ds-react';
import type { FieldError, Problem } from '../api/problem';
import { formatInteger } from '../format/format';

/**
 * What went wrong, in bokmål: the problem's title and detail, the field errors (as a table with
 * line, column and reason when they point into a file), and «Prøv igjen» when trying again may help.
 */
export function ProblemAlert({ problem, onRetry, what, focus = false }: { problem: Problem; onRetry?: () => void; what?: string; focus?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus, problem]);
  const inFile = problem.errors.some((e) => e.line !== null);
  const retryable = problem.status === 0 || problem.status >= 500 || problem.status === 429 || problem.status === 404;
  return (
    <VStack gap="space-16">
      <Alert variant="error" ref={ref} tabIndex={-1} className="problem">
        <VStack gap="space-12">
          <Heading level="2" size="small">
            {what ? `${what}: ` : ''}
            {problem.title}
          </Heading>
          {problem.detail ? <BodyShort>{problem.detail}</BodyShort> : null}
          {problem.errors.length > 0 && !inFile ? (
            <ul className="problem__fields">
              {problem.errors.map((e, i) => (
                <li key={i}>{e.column ? `${e.column}: ${e.reason}` : e.reason}</li>
              ))}
            </ul>
          ) : null}
        </VStack>
      </Alert>
      {onRetry && retryable ? (
        <div>
          <Button variant="secondary" size="small" onClick={onRetry}>
            Prøv igjen
          </Button>
        </div>
      ) : null}
      {inFile ? <FileErrorTable errors={problem.errors} total={problem.total} /> : null}
    </VStack>
  );
}

/** A refused file's errors: line, column and reason, with the total when only the first are listed. */
export function FileErrorTable({ errors, total }: { errors: readonly FieldError[]; total: number }) {
  const shownAll = total <= errors.length;
  return (
    <VStack gap="space-8" className="file-errors">
      <BodyShort weight="semibold" id="file-errors-summary">
        {shownAll ? `${formatInteger(total)} feil i filen. Ingenting er lagret.` : `Viser de første ${formatInteger(errors.length)} av ${formatInteger(total)} feil. Ingenting er lagret.`}
      </BodyShort>
      <Table size="small" zebraStripes aria-describedby="file-errors-summary">
        <caption className="sr-only">Feil i filen</caption>
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeader scope="col">Linje</Table.ColumnHeader>
            <Table.ColumnHeader scope="col">Kolonne</Table.ColumnHeader>
            <Table.ColumnHeader scope="col">Årsak</Table.ColumnHeader>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {errors.map((e, i) => (
            <Table.Row key={i}>
              <Table.DataCell>{e.line ?? '–'}</Table.DataCell>
              <Table.DataCell>{e.column ?? '–'}</Table.DataCell>
              <Table.DataCell>{e.reason}</Table.DataCell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </VStack>
  );
}
