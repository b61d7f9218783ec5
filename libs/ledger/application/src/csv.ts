import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';

/** One problem with the input, named precisely enough for accounting to fix the line. */
export interface FieldError {
  /** 1-based line in the file (the header is line 1), or the 1-based item in a JSON list. */
  readonly line: number | null;
  /** The file's column name (or the JSON field) the error is about. */
  readonly column: string | null;
  readonly reason: string;
}

export interface CsvRow {
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
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
    .toLowerCase()
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .replace(/æ/g, 'ae')
    .replace(/[\s_-]+/g, '');

/**
 * Parses a semicolon-separated file with a header line. `columns` maps each canonical column name
 * to the spellings accepted in the header (e.g. `belop` for «beløp»). Missing required columns,
 * ragged lines and quoting errors come back as errors with their line, never as an exception.
 */
export function parseSemicolonCsv(
  text: string,
  columns: Readonly<Record<string, readonly string[]>>,
  required: readonly string[],
): { rows: CsvRow[]; errors: FieldError[] } {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { delimiter: ';', info: true, skip_empty_lines: true, relax_column_count: true, trim: true, bom: true }) as unknown as typeof records;
  } catch (error) {
    const e = error as { lines?: number; message: string };
    return { rows: [], errors: [{ line: e.lines ?? null, column: null, reason: `filen kan ikke leses som semikolonseparert CSV: ${e.message}` }] };
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], errors: [{ line: 1, column: null, reason: 'filen er tom; den må ha en overskriftslinje' }] };
  const index = new Map<string, number>();
  header.record.forEach((name, i) => {
    const n = normaliseHeader(name);
    for (const [canonical, spellings] of Object.entries(columns)) if (spellings.includes(n) && !index.has(canonical)) index.set(canonical, i);
  });
  const missing = required.filter((c) => !index.has(c));
  if (missing.length) {
    return { rows: [], errors: missing.map((c) => ({ line: 1, column: c, reason: `kolonnen «${c}» mangler i overskriftslinjen` })) };
  }
  const errors: FieldError[] = [];
  const rows: CsvRow[] = [];
  for (const { record, info } of body) {
    if (record.length !== header.record.length) {
      errors.push({ line: info.lines, column: null, reason: `linjen har ${record.length} felt, overskriften ${header.record.length}` });
      continue;
    }
    const values: Record<string, string> = {};
    for (const [canonical, i] of index) values[canonical] = record[i] ?? '';
    rows.push({ line: info.lines, values });
  }
  if (rows.length === 0 && errors.length === 0) errors.push({ line: null, column: null, reason: 'filen har ingen linjer etter overskriften' });
  return { rows, errors };
}
