import { DateFormatError, MoneyFormatError, containsIdentityNumber, isLocalDate, parseKroner, parseLocalDate, type LocalDate, type Ore } from '@evp/shared-kernel';
import { MUNICIPALITY_NUMBER, TENANCY_ID, VOUCHER_REF, type Posting, type PostingKind } from '@evp/ledger-domain';
import { ErrorList, Slicer, parseSemicolonCsv, type InputResult } from './csv';
import { guardFields, guardUnknownFields } from './personal-data-guard';

/** A validated line: which tenancy, and what to post. */
export interface PostingLine {
  readonly line: number;
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly posting: Posting;
}

/** CSV columns as Norwegian ERPs name them, with the spellings accepted in the header. */
export const POSTING_COLUMNS = {
  kommunenr: ['kommunenr', 'kommunenummer', 'knr'],
  leieforhold: ['leieforhold', 'leieforholdnr', 'kontrakt'],
  bilagsnr: ['bilagsnr', 'bilagsnummer', 'bilag'],
  type: ['type', 'posteringstype'],
  dato: ['dato', 'bilagsdato'],
  forfall: ['forfall', 'forfallsdato'],
  periode: ['periode'],
  belop: ['belop', 'beloep', 'belopkr'],
} as const;
const REQUIRED = ['kommunenr', 'leieforhold', 'bilagsnr', 'type', 'dato', 'belop'];

const KINDS: Record<string, PostingKind> = {
  faktura: 'charge',
  husleie: 'charge',
  innbetaling: 'payment',
  kreditnota: 'credit',
  avskrivning: 'write-off',
  saldo: 'balance',
  charge: 'charge',
  payment: 'payment',
  credit: 'credit',
  'write-off': 'write-off',
  balance: 'balance',
};

/** JSON field names of a posting, and the CSV column each corresponds to. */
interface RawPosting {
  municipalityNumber?: unknown;
  tenancyId?: unknown;
  voucherRef?: unknown;
  type?: unknown;
  date?: unknown;
  dueDate?: unknown;
  period?: unknown;
  /** Kroner as text ("9 282,00") … */
  amount?: unknown;
  /** … or whole øre. */
  amountOre?: unknown;
}

type Names = Record<keyof RawPosting, string>;
const JSON_NAMES: Names = { municipalityNumber: 'municipalityNumber', tenancyId: 'tenancyId', voucherRef: 'voucherRef', type: 'type', date: 'date', dueDate: 'dueDate', period: 'period', amount: 'amount', amountOre: 'amountOre' };
const CSV_NAMES: Names = { municipalityNumber: 'kommunenr', tenancyId: 'leieforhold', voucherRef: 'bilagsnr', type: 'type', date: 'dato', dueDate: 'forfall', period: 'periode', amount: 'belop', amountOre: 'belop' };
const FIELDS = Object.keys(JSON_NAMES) as Array<keyof RawPosting>;
/** Amounts may start with a minus (a negative balance); every other field is checked for formulas too. */
const NOT_FREE_TEXT = new Set<keyof RawPosting>(['amount', 'amountOre']);
/** Postings have no field for identity numbers: one anywhere is in the wrong place. */
const IDENTITY_REASON = 'ser ut som et fødselsnummer; personnummer hører ikke hjemme i posteringer';
const KIND_LIST = 'faktura, innbetaling, kreditnota, avskrivning, saldo';

/**
 * Validates one line. No reason repeats a value from the input: a voucher number or an address
 * can hold anything, a fødselsnummer included.
 */
function validateOne(raw: RawPosting, line: number, names: Names, errors: ErrorList): PostingLine | undefined {
  const refused = guardFields(raw as Partial<Record<keyof RawPosting, unknown>>, FIELDS, { identityReason: IDENTITY_REASON, notFreeText: NOT_FREE_TEXT }, (field, reason) => errors.push({ line, column: names[field], reason }));
  let failed = refused.size > 0;
  const fail = (field: keyof RawPosting, reason: string) => {
    failed = true;
    if (!refused.has(field)) errors.push({ line, column: names[field], reason });
  };
  const text = (field: keyof RawPosting): string | undefined => {
    const v = raw[field];
    if (v === undefined || v === null || v === '') return undefined;
    return typeof v === 'string' ? v.trim() || undefined : typeof v === 'number' ? String(v) : undefined;
  };

  const municipalityNumber = text('municipalityNumber');
  if (!municipalityNumber) fail('municipalityNumber', 'mangler');
  else if (!MUNICIPALITY_NUMBER.test(municipalityNumber)) fail('municipalityNumber', 'er ikke et kommunenummer (fire siffer)');
  const tenancyId = text('tenancyId');
  if (!tenancyId) fail('tenancyId', 'mangler');
  else if (!TENANCY_ID.test(tenancyId)) fail('tenancyId', 'er ikke et gyldig leieforholdsnummer (bokstaver, siffer, punktum og understrek, høyst 40 tegn)');
  const voucherRef = text('voucherRef');
  if (!voucherRef) fail('voucherRef', 'mangler');
  else if (!VOUCHER_REF.test(voucherRef)) fail('voucherRef', 'er ikke et gyldig bilagsnummer (bokstaver, siffer, punktum, understrek, skråstrek og bindestrek, høyst 60 tegn)');
  const typeText = text('type')?.toLowerCase();
  const kind = typeText ? KINDS[typeText] : undefined;
  if (!typeText) fail('type', 'mangler');
  else if (!kind) fail('type', `ukjent type; gyldige er ${KIND_LIST}`);

  const date = parseDateField(text('date'), 'date', fail);
  let amountOre: Ore | undefined;
  if (raw.amountOre !== undefined && names === JSON_NAMES) {
    if (typeof raw.amountOre !== 'number' || !Number.isSafeInteger(raw.amountOre)) fail('amountOre', 'må være et helt antall øre');
    else amountOre = raw.amountOre;
  } else {
    const amountText = text('amount');
    if (!amountText) fail('amount', 'mangler');
    else {
      try {
        amountOre = parseKroner(amountText);
      } catch (error) {
        if (!(error instanceof MoneyFormatError)) throw error;
        fail('amount', 'er ikke et beløp i kroner (for eksempel 9 282,00)');
      }
    }
  }
  if (amountOre !== undefined && kind && kind !== 'balance' && amountOre <= 0) {
    fail(names === JSON_NAMES && raw.amountOre !== undefined ? 'amountOre' : 'amount', 'må være større enn null (typen sier om det er belastning eller innbetaling)');
  }

  let dueDate: LocalDate | undefined;
  let period: string | undefined;
  if (kind === 'charge') {
    dueDate = parseDateField(text('dueDate'), 'dueDate', fail, 'faktura må ha forfallsdato');
    const periodText = text('period');
    if (!periodText) fail('period', 'faktura må ha periode (ÅÅÅÅ-MM)');
    else {
      const m = /^(\d{4})-(\d{2})$/.exec(periodText) ?? /^(\d{2})\.(\d{4})$/.exec(periodText);
      const normalised = m ? (m[1]?.length === 4 ? `${m[1]}-${m[2]}` : `${m[2]}-${m[1]}`) : undefined;
      if (!normalised || !isLocalDate(`${normalised}-01`)) fail('period', 'er ikke en periode (ÅÅÅÅ-MM)');
      else period = normalised;
    }
  }
  if (failed || !municipalityNumber || !tenancyId || !voucherRef || !kind || !date || amountOre === undefined) return undefined;
  const posting: Posting =
    kind === 'charge'
      ? { kind, voucherRef, date, dueDate: dueDate as LocalDate, period: period as string, amountOre }
      : { kind, voucherRef, date, amountOre };
  return { line, municipalityNumber, tenancyId, posting };
}

function parseDateField(value: string | undefined, field: keyof RawPosting, fail: (f: keyof RawPosting, r: string) => void, missing = 'mangler'): LocalDate | undefined {
  if (!value) {
    fail(field, missing);
    return undefined;
  }
  try {
    return parseLocalDate(value);
  } catch (error) {
    if (!(error instanceof DateFormatError)) throw error;
    fail(field, 'er ikke en dato (ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ)');
    return undefined;
  }
}

/** Validates every line; a voucher twice in one input is an error on its second line. A `refused` line (reported already) is validated but never returned. */
function validateAll(raws: Iterable<{ raw: RawPosting; line: number; refused?: boolean }>, names: Names, errors: ErrorList): PostingLine[] {
  const lines: PostingLine[] = [];
  const seen = new Map<string, number>();
  for (const raw of raws) validateInto(raw, names, errors, seen, lines);
  return lines;
}

/** `validateAll` with the event loop let in now and then (a month's file). */
async function validateAllInSlices(raws: Iterable<{ raw: RawPosting; line: number; refused?: boolean }>, names: Names, errors: ErrorList): Promise<PostingLine[]> {
  const lines: PostingLine[] = [];
  const seen = new Map<string, number>();
  const slicer = new Slicer();
  for (const raw of raws) {
    const paused = slicer.pause();
    if (paused) await paused;
    validateInto(raw, names, errors, seen, lines);
  }
  return lines;
}

function validateInto({ raw, line, refused }: { raw: RawPosting; line: number; refused?: boolean }, names: Names, errors: ErrorList, seen: Map<string, number>, lines: PostingLine[]): void {
  const valid = validateOne(raw, line, names, errors);
  if (!valid || refused) return;
  const key = `${valid.municipalityNumber}|${valid.tenancyId}|${valid.posting.voucherRef}`;
  const first = seen.get(key);
  if (first !== undefined) {
    errors.push({ line, column: names.voucherRef, reason: `samme bilag for samme leieforhold står også på linje ${first}` });
    return;
  }
  seen.set(key, line);
  lines.push(valid);
}

const result = (lines: PostingLine[], errors: ErrorList): InputResult<PostingLine> => ({ lines, ...errors.report() });
const KNOWN_JSON_FIELDS = new Set<string>(FIELDS);

/**
 * `{ postings: [...] }`, one object per posting. At most `MAX_REPORTED_ERRORS` errors come back,
 * with `total` saying how many there were.
 */
export function postingsFromJson(body: unknown): InputResult<PostingLine> {
  const errors = new ErrorList();
  const list = (body as { postings?: unknown } | null)?.postings;
  if (!Array.isArray(list)) errors.push({ line: null, column: 'postings', reason: 'må være en liste med posteringer' });
  else if (list.length === 0) errors.push({ line: null, column: 'postings', reason: 'listen er tom' });
  guardUnknownFields(body, new Set(['postings']), IDENTITY_REASON, (column, reason) => errors.push({ line: null, column, reason }));
  if (!Array.isArray(list) || list.length === 0) return result([], errors);
  const raws = list.map((raw: unknown, i) => {
    const line = i + 1;
    let refused = false;
    guardUnknownFields(raw, KNOWN_JSON_FIELDS, IDENTITY_REASON, (column, reason) => {
      refused = true;
      errors.push({ line, column, reason });
    });
    return { raw: (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as RawPosting, line, refused };
  });
  return result(validateAll(raws, JSON_NAMES, errors), errors);
}

/**
 * A semicolon-separated file from the ERP, one posting per line. Columns the parser does not read
 * are checked for identity numbers too. At most `MAX_REPORTED_ERRORS` errors come back, with `total`.
 */
export async function postingsFromCsv(text: string): Promise<InputResult<PostingLine>> {
  const parsed = await parseSemicolonCsv(text, POSTING_COLUMNS, REQUIRED);
  const errors = parsed.errors;
  const raws = parsed.rows.map((row) => {
    const refused = row.unmapped.filter((cell) => containsIdentityNumber(cell.value));
    for (const cell of refused) errors.push({ line: row.line, column: cell.column, reason: IDENTITY_REASON });
    return {
      line: row.line,
      refused: refused.length > 0,
      raw: {
        municipalityNumber: row.values['kommunenr'],
        tenancyId: row.values['leieforhold'],
        voucherRef: row.values['bilagsnr'],
        type: row.values['type'],
        date: row.values['dato'],
        dueDate: row.values['forfall'],
        period: row.values['periode'],
        amount: row.values['belop'],
      },
    };
  });
  return result(await validateAllInSlices(raws, CSV_NAMES, errors), errors);
}
