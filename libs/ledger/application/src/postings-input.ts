import { DateFormatError, MoneyFormatError, isLocalDate, parseKroner, parseLocalDate, type LocalDate, type Ore } from '@evp/shared-kernel';
import { MUNICIPALITY_NUMBER, TENANCY_ID, VOUCHER_REF, type Posting, type PostingKind } from '@evp/ledger-domain';
import { parseSemicolonCsv, type FieldError } from './csv';

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

function validateOne(raw: RawPosting, line: number, names: Names, errors: FieldError[]): PostingLine | undefined {
  const before = errors.length;
  const fail = (field: keyof RawPosting, reason: string) => errors.push({ line, column: names[field], reason });
  const text = (field: keyof RawPosting): string | undefined => {
    const v = raw[field];
    if (v === undefined || v === null || v === '') return undefined;
    return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined;
  };

  const municipalityNumber = text('municipalityNumber');
  if (!municipalityNumber) fail('municipalityNumber', 'mangler');
  else if (!MUNICIPALITY_NUMBER.test(municipalityNumber)) fail('municipalityNumber', `«${municipalityNumber}» er ikke et kommunenummer (fire siffer)`);
  const tenancyId = text('tenancyId');
  if (!tenancyId) fail('tenancyId', 'mangler');
  else if (!TENANCY_ID.test(tenancyId)) fail('tenancyId', `«${tenancyId.slice(0, 40)}» er ikke et gyldig leieforholdsnummer`);
  const voucherRef = text('voucherRef');
  if (!voucherRef) fail('voucherRef', 'mangler');
  else if (!VOUCHER_REF.test(voucherRef)) fail('voucherRef', `«${voucherRef.slice(0, 60)}» er ikke et gyldig bilagsnummer`);
  const typeText = text('type')?.toLowerCase();
  const kind = typeText ? KINDS[typeText] : undefined;
  if (!typeText) fail('type', 'mangler');
  else if (!kind) fail('type', `ukjent type «${typeText.slice(0, 30)}»; gyldige er faktura, innbetaling, kreditnota, avskrivning, saldo`);

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
        fail('amount', `«${amountText.slice(0, 30)}» er ikke et beløp i kroner (for eksempel 9 282,00)`);
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
      if (!normalised || !isLocalDate(`${normalised}-01`)) fail('period', `«${periodText.slice(0, 20)}» er ikke en periode (ÅÅÅÅ-MM)`);
      else period = normalised;
    }
  }
  if (errors.length > before || !municipalityNumber || !tenancyId || !voucherRef || !kind || !date || amountOre === undefined) return undefined;
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
    fail(field, `«${value.slice(0, 20)}» er ikke en dato (ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ)`);
    return undefined;
  }
}

/** Validates every line; a voucher twice in one input is an error on its second line. */
function validateAll(raws: Array<{ raw: RawPosting; line: number }>, names: Names, errors: FieldError[]): PostingLine[] {
  const lines: PostingLine[] = [];
  const seen = new Map<string, number>();
  for (const { raw, line } of raws) {
    const valid = validateOne(raw, line, names, errors);
    if (!valid) continue;
    const key = `${valid.municipalityNumber}|${valid.tenancyId}|${valid.posting.voucherRef}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ line, column: names.voucherRef, reason: `bilag ${valid.posting.voucherRef} står også på linje ${first}` });
      continue;
    }
    seen.set(key, line);
    lines.push(valid);
  }
  return lines;
}

export function postingsFromJson(body: unknown): { lines: PostingLine[]; errors: FieldError[] } {
  const list = (body as { postings?: unknown } | null)?.postings;
  if (!Array.isArray(list)) return { lines: [], errors: [{ line: null, column: 'postings', reason: 'må være en liste med posteringer' }] };
  if (list.length === 0) return { lines: [], errors: [{ line: null, column: 'postings', reason: 'listen er tom' }] };
  const errors: FieldError[] = [];
  const raws = list.map((raw, i) => ({ raw: (raw && typeof raw === 'object' ? raw : {}) as RawPosting, line: i + 1 }));
  return { lines: validateAll(raws, JSON_NAMES, errors), errors };
}

export function postingsFromCsv(text: string): { lines: PostingLine[]; errors: FieldError[] } {
  const parsed = parseSemicolonCsv(text, POSTING_COLUMNS, REQUIRED);
  const errors = [...parsed.errors];
  const raws = parsed.rows.map((row) => ({
    line: row.line,
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
  }));
  return { lines: validateAll(raws, CSV_NAMES, errors), errors };
}
