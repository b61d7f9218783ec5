import { parse, type Options as CsvParseOptions } from 'csv-parse';
import iconv from 'iconv-lite';

/**
 * One problem with the input, named precisely enough for accounting to fix the line. The reason
 * never repeats a value from the input: column names, line numbers and lists of allowed values only.
 */
export interface FieldError {
  /** 1-based line in the file (the header is line 1), or the 1-based item in a JSON list. */
  readonly line: number | null;
  /** The file's column name (or the JSON field) the error is about. */
  readonly column: string | null;
  readonly reason: string;
}

/** A refused input's answer lists at most this many errors, and says how many there were in all. */
export const MAX_REPORTED_ERRORS = 200;
/** No reason is longer than this (characters); with the cap on the count, a list stays far below 1 MB. */
export const MAX_REASON_LENGTH = 300;
const MAX_COLUMN_LENGTH = 60;

/** The errors to answer with: `total` is how many there were, `errors` the first ones by line. */
export interface ReportedErrors {
  readonly total: number;
  readonly errors: FieldError[];
}

/** What every input parser returns: the valid lines, and the errors (empty when the input is valid). */
export interface InputResult<L> extends ReportedErrors {
  readonly lines: L[];
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const lineOrder = (a: FieldError, b: FieldError) => (a.line ?? 0) - (b.line ?? 0);

/**
 * Collects errors in bounded memory, however many an input produces: it counts all of them and
 * keeps the first `limit` by line (errors about the whole file, with no line, first; the order of
 * errors on the same line is kept).
 */
export class ErrorList {
  private kept: FieldError[] = [];
  private count = 0;

  constructor(private readonly limit = MAX_REPORTED_ERRORS) {}

  push(...errors: FieldError[]): void {
    for (const e of errors) {
      this.count += 1;
      this.kept.push({ line: e.line, column: e.column === null ? null : clip(e.column, MAX_COLUMN_LENGTH), reason: clip(e.reason, MAX_REASON_LENGTH) });
      if (this.kept.length >= 2 * this.limit) this.trim();
    }
  }

  /** How many errors were pushed in all. */
  get total(): number {
    return this.count;
  }

  report(): ReportedErrors {
    this.trim();
    return { total: this.count, errors: [...this.kept] };
  }

  private trim(): void {
    this.kept.sort(lineOrder); // stable: errors on one line keep their order
    if (this.kept.length > this.limit) this.kept.length = this.limit;
  }
}

/** Caps any list of errors for an answer: the first `MAX_REPORTED_ERRORS` by line, reasons shortened, and the total. */
export function reportErrors(errors: Iterable<FieldError>, limit = MAX_REPORTED_ERRORS): ReportedErrors {
  const list = new ErrorList(limit);
  for (const e of errors) list.push(e);
  return list.report();
}

export interface CsvRow {
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
  /** Cells of columns the parser does not read, labelled by position («kolonne 9»), never by the file's own header text. */
  readonly unmapped: ReadonlyArray<{ readonly column: string; readonly value: string }>;
}

/**
 * Norwegian ERPs export UTF-8 with or without a BOM, or Windows-1252. Text that is valid UTF-8 is
 * read as UTF-8; anything else as Windows-1252, so that æ, ø and å survive either way.
 */
export function decodeText(bytes: Buffer): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, 'win1252');
  }
}

const normaliseHeader = (h: string) =>
  h
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase()
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .replace(/æ/g, 'ae')
    .replace(/[\s_-]+/g, '');

/** csv-parse's messages quote the field they stumbled on; ours say what is wrong without it. */
const PARSE_ERRORS: Record<string, string> = {
  INVALID_OPENING_QUOTE: 'et anførselstegn (") står inne i et felt; sett hele feltet i anførselstegn og skriv anførselstegn inni feltet dobbelt ("")',
  CSV_INVALID_CLOSING_QUOTE: 'et felt i anførselstegn (") fortsetter etter det avsluttende anførselstegnet',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'et felt i anførselstegn (") fortsetter etter det avsluttende anførselstegnet',
  CSV_QUOTE_NOT_CLOSED: 'et felt som begynner med anførselstegn (") blir aldri avsluttet',
};

const OTHER_DELIMITERS = [
  { delimiter: ',', reason: 'filen ser ut til å være kommaseparert; bruk semikolon (;) som skilletegn' },
  { delimiter: '\t', reason: 'filen ser ut til å være tabulatorseparert; bruk semikolon (;) som skilletegn' },
] as const;

/**
 * A file saved with commas or tabs between the fields has a header that names our columns only
 * when split on that character. Answered with one error instead of one per «missing» column.
 */
function wrongDelimiter(text: string, known: ReadonlySet<string>): string | undefined {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const end = text.search(/\r?\n/);
  const firstLine = text.slice(start, end < 0 ? text.length : end);
  const matches = (delimiter: string) => new Set(firstLine.split(delimiter).map(normaliseHeader).filter((h) => known.has(h))).size;
  const semicolon = matches(';');
  for (const { delimiter, reason } of OTHER_DELIMITERS) {
    const other = matches(delimiter);
    if (other >= 2 && other > semicolon) return reason;
  }
  return undefined;
}

/**
 * Lets the event loop in every `sliceMs` of work: a month's file (100 000 lines) takes a couple
 * of seconds to parse and check, during which the api must go on answering everybody else.
 */
export class Slicer {
  private since = performance.now();
  constructor(private readonly sliceMs = 20) {}

  /** Resolves at once while the slice lasts (no await needed then); after it, on the next turn. */
  pause(): Promise<void> | undefined {
    if (performance.now() - this.since < this.sliceMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        this.since = performance.now();
        resolve();
      }),
    );
  }
}

const CSV_OPTIONS: CsvParseOptions = { delimiter: ';', info: true, skip_empty_lines: true, relax_column_count: true, trim: true, bom: true };
/** Characters handed to the parser at a time. */
const PARSE_CHUNK = 256 * 1024;

/** csv-parse's streaming parser fed a slice at a time, the event loop let in between. */
function parseInSlices(text: string): Promise<Array<{ record: string[]; info: { lines: number } }>> {
  return new Promise((resolve, reject) => {
    const records: Array<{ record: string[]; info: { lines: number } }> = [];
    const parser = parse(CSV_OPTIONS);
    let failed = false;
    parser.on('readable', () => {
      let record: { record: string[]; info: { lines: number } } | null;
      while ((record = parser.read() as typeof record) !== null) records.push(record);
    });
    parser.on('error', (error) => {
      failed = true;
      reject(error);
    });
    parser.on('end', () => resolve(records));
    void (async () => {
      for (let i = 0; i < text.length && !failed; i += PARSE_CHUNK) {
        parser.write(text.slice(i, i + PARSE_CHUNK));
        await new Promise<void>((r) => setImmediate(r));
      }
      if (!failed) parser.end();
    })();
  });
}

/**
 * Parses a semicolon-separated file with a header line. `columns` maps each canonical column name
 * to the spellings accepted in the header (e.g. `belop` for «beløp»). A wrong delimiter, missing
 * required columns, ragged lines and quoting errors go to `errors` with their line, never as an
 * exception; no error repeats the file's content. Parsed in slices (see `Slicer`).
 */
export async function parseSemicolonCsv(
  text: string,
  columns: Readonly<Record<string, readonly string[]>>,
  required: readonly string[],
  errors: ErrorList = new ErrorList(),
): Promise<{ rows: CsvRow[]; errors: ErrorList }> {
  const delimiterProblem = wrongDelimiter(text, new Set(Object.values(columns).flat()));
  if (delimiterProblem) {
    errors.push({ line: 1, column: null, reason: delimiterProblem });
    return { rows: [], errors };
  }
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = await parseInSlices(text);
  } catch (error) {
    const e = error as { lines?: unknown; code?: unknown };
    const detail = typeof e.code === 'string' ? PARSE_ERRORS[e.code] : undefined;
    errors.push({ line: typeof e.lines === 'number' ? e.lines : null, column: null, reason: `filen kan ikke leses som semikolonseparert CSV${detail ? `: ${detail}` : ''}` });
    return { rows: [], errors };
  }
  const [header, ...body] = records;
  if (!header) {
    errors.push({ line: 1, column: null, reason: 'filen er tom; den må ha en overskriftslinje' });
    return { rows: [], errors };
  }
  const index = new Map<string, number>();
  header.record.forEach((name, i) => {
    const n = normaliseHeader(name);
    for (const [canonical, spellings] of Object.entries(columns)) if (spellings.includes(n) && !index.has(canonical)) index.set(canonical, i);
  });
  const missing = required.filter((c) => !index.has(c));
  if (missing.length) {
    errors.push(...missing.map((c) => ({ line: 1, column: c, reason: `kolonnen «${c}» mangler i overskriftslinjen` })));
    return { rows: [], errors };
  }
  const mapped = new Set(index.values());
  const unmappedColumns = header.record.map((_, i) => i).filter((i) => !mapped.has(i));
  const rows: CsvRow[] = [];
  const slicer = new Slicer();
  for (const { record, info } of body) {
    const paused = slicer.pause();
    if (paused) await paused;
    if (record.length !== header.record.length) {
      errors.push({ line: info.lines, column: null, reason: `linjen har ${record.length} felt, overskriften ${header.record.length}` });
      continue;
    }
    const values: Record<string, string> = {};
    for (const [canonical, i] of index) values[canonical] = record[i] ?? '';
    const unmapped = unmappedColumns.map((i) => ({ column: `kolonne ${i + 1}`, value: record[i] ?? '' })).filter((c) => c.value !== '');
    rows.push({ line: info.lines, values, unmapped });
  }
  if (rows.length === 0 && errors.total === 0) errors.push({ line: null, column: null, reason: 'filen har ingen linjer etter overskriften' });
  return { rows, errors };
}
