import { checkNationalId, containsIdentityNumber, MoneyFormatError, parseKroner, type Ore } from '@evp/shared-kernel';
import { MUNICIPALITY_NUMBER, TENANCY_ID, type LandlordKind } from '@evp/ledger-domain';
import { ErrorList, Slicer, parseSemicolonCsv, type InputResult } from './csv';
import { guardFields, guardUnknownFields, identityNumberReason } from './personal-data-guard';

/** A tenant as accounting registers them. Personal data: kept out of events, logs and error messages. */
export interface TenantInput {
  readonly nationalId: string;
  readonly name: string;
}

export interface TenancyLine {
  readonly line: number;
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly address: string;
  readonly monthlyRentOre: Ore;
  readonly landlordKind: LandlordKind;
  readonly navOffice: string;
  readonly tenants: readonly TenantInput[];
}

export const TENANCY_COLUMNS = {
  kommunenr: ['kommunenr', 'kommunenummer', 'knr'],
  leieforhold: ['leieforhold', 'leieforholdnr', 'kontrakt'],
  adresse: ['adresse', 'boligadresse'],
  husleie: ['husleie', 'manedsleie', 'maanedsleie', 'leie'],
  utleier: ['utleier', 'utleiertype', 'eierform'],
  navkontor: ['navkontor', 'nav'],
  fodselsnummer: ['fodselsnummer', 'fnr', 'fodselsnr', 'personnummer'],
  navn: ['navn', 'leietaker', 'leietakernavn'],
} as const;
const REQUIRED = Object.keys(TENANCY_COLUMNS);

const LANDLORD_KINDS: Record<string, LandlordKind> = {
  kommunal: 'municipal',
  kommune: 'municipal',
  municipal: 'municipal',
  privat: 'private-sublet',
  innleid: 'private-sublet',
  'private-sublet': 'private-sublet',
};
const NAV_OFFICE = /^[a-z0-9][a-z0-9-]{1,59}$/;

/** How the parsers treat input; the api sets it from configuration. */
export interface TenancyInputOptions {
  /**
   * Accept synthetic test identity numbers (Tenor, month + 80; Dolly, month + 40) in the identity
   * number field. Default false (fail closed); development and test configuration turn it on.
   */
  readonly allowSyntheticIds?: boolean;
}

interface RawTenant {
  nationalId?: unknown;
  name?: unknown;
  /** The CSV line the tenant came from; the JSON item's line otherwise. */
  line?: number;
}

interface RawTenancy {
  municipalityNumber?: unknown;
  tenancyId?: unknown;
  address?: unknown;
  monthlyRent?: unknown;
  monthlyRentOre?: unknown;
  landlordKind?: unknown;
  navOffice?: unknown;
  tenants?: unknown;
}
type Field = 'municipalityNumber' | 'tenancyId' | 'address' | 'monthlyRent' | 'monthlyRentOre' | 'landlordKind' | 'navOffice';
type Names = Record<Field, string> & { readonly nationalId: (i: number) => string; readonly name: (i: number) => string; readonly tenants: string; readonly identityReason: string };
const JSON_NAMES: Names = {
  municipalityNumber: 'municipalityNumber',
  tenancyId: 'tenancyId',
  address: 'address',
  monthlyRent: 'monthlyRent',
  monthlyRentOre: 'monthlyRentOre',
  landlordKind: 'landlordKind',
  navOffice: 'navOffice',
  nationalId: (i) => `tenants[${i}].nationalId`,
  name: (i) => `tenants[${i}].name`,
  tenants: 'tenants',
  identityReason: identityNumberReason('feltet tenants[].nationalId'),
};
const CSV_NAMES: Names = {
  municipalityNumber: 'kommunenr',
  tenancyId: 'leieforhold',
  address: 'adresse',
  monthlyRent: 'husleie',
  monthlyRentOre: 'husleie',
  landlordKind: 'utleier',
  navOffice: 'navkontor',
  nationalId: () => 'fodselsnummer',
  name: () => 'navn',
  tenants: 'fodselsnummer',
  identityReason: identityNumberReason('kolonnen fodselsnummer'),
};
const FIELDS: readonly Field[] = ['municipalityNumber', 'tenancyId', 'address', 'monthlyRent', 'monthlyRentOre', 'landlordKind', 'navOffice'];
/** Rent is an amount; every other field is checked for formulas too. */
const NOT_FREE_TEXT = new Set<Field>(['monthlyRent', 'monthlyRentOre']);
const DETAILS = ['address', 'monthlyRent', 'landlordKind', 'navOffice'] as const;

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

/**
 * Validates one tenancy. No reason repeats a value from the input: identity numbers, names and
 * addresses are personal data, and any other field may hold them by mistake.
 */
function validateOne(raw: RawTenancy, line: number, names: Names, errors: ErrorList, options: TenancyInputOptions): TenancyLine | undefined {
  const refused = guardFields(raw as Partial<Record<Field, unknown>>, FIELDS, { identityReason: names.identityReason, notFreeText: NOT_FREE_TEXT }, (f, reason) => errors.push({ line, column: names[f], reason }));
  let failed = refused.size > 0;
  const fail = (f: Field, reason: string) => {
    failed = true;
    if (!refused.has(f)) errors.push({ line, column: names[f], reason });
  };
  const municipalityNumber = str(raw.municipalityNumber);
  if (!MUNICIPALITY_NUMBER.test(municipalityNumber)) fail('municipalityNumber', municipalityNumber ? 'er ikke et kommunenummer (fire siffer)' : 'mangler');
  const tenancyId = str(raw.tenancyId);
  if (!TENANCY_ID.test(tenancyId)) fail('tenancyId', tenancyId ? 'er ikke et gyldig leieforholdsnummer (bokstaver, siffer, punktum og understrek, høyst 40 tegn)' : 'mangler');
  const address = str(raw.address);
  if (!address) fail('address', 'mangler');
  else if (address.length > 200) fail('address', 'er lengre enn 200 tegn');
  let monthlyRentOre: Ore | undefined;
  if (typeof raw.monthlyRentOre === 'number') {
    if (!Number.isSafeInteger(raw.monthlyRentOre) || raw.monthlyRentOre <= 0) fail('monthlyRentOre', 'må være et positivt helt antall øre');
    else monthlyRentOre = raw.monthlyRentOre;
  } else {
    const rent = str(raw.monthlyRent);
    if (!rent) fail('monthlyRent', 'mangler');
    else {
      try {
        monthlyRentOre = parseKroner(rent);
        if (monthlyRentOre <= 0) fail('monthlyRent', 'må være større enn null');
      } catch (error) {
        if (!(error instanceof MoneyFormatError)) throw error;
        fail('monthlyRent', 'er ikke et beløp i kroner (for eksempel 9 282,00)');
      }
    }
  }
  const landlordKind = LANDLORD_KINDS[str(raw.landlordKind).toLowerCase()];
  if (!landlordKind) fail('landlordKind', 'må være kommunal eller privat (innleid og fremleid)');
  const navOffice = str(raw.navOffice).toLowerCase();
  if (!NAV_OFFICE.test(navOffice)) fail('navOffice', navOffice ? 'må være en NAV-kontor-id (små bokstaver, siffer og bindestrek)' : 'mangler');
  const tenants: TenantInput[] = [];
  const rawTenants: unknown[] = Array.isArray(raw.tenants) ? raw.tenants : [];
  if (rawTenants.length === 0) {
    failed = true;
    errors.push({ line, column: names.tenants, reason: 'leieforholdet må ha minst én leietaker' });
  }
  const seen = new Map<string, number>();
  for (const [i, item] of rawTenants.entries()) {
    const t = (item && typeof item === 'object' ? item : {}) as RawTenant;
    const tenantLine = t.line ?? line;
    const tenantFail = (column: string, reason: string) => {
      failed = true;
      errors.push({ line: tenantLine, column, reason });
    };
    if (names === JSON_NAMES) guardUnknownFields(t, KNOWN_TENANT_FIELDS, names.identityReason, tenantFail, `tenants[${i}].`);
    const nationalId = str(t.nationalId);
    const name = str(t.name);
    const check = checkNationalId(nationalId, { allowSynthetic: options.allowSyntheticIds === true });
    // The number itself is never echoed back: an error message must not carry personal data.
    if (!nationalId) tenantFail(names.nationalId(i), 'mangler');
    else if (!check.valid) tenantFail(names.nationalId(i), `fødselsnummeret ${check.reason}`);
    else if (seen.has(nationalId)) tenantFail(names.nationalId(i), `samme fødselsnummer står også på linje ${seen.get(nationalId)} for dette leieforholdet`);
    else seen.set(nationalId, tenantLine);
    // A name is personal data and free text: refused with the same reasons as any field, never quoted.
    const refusal = guardFields({ name }, ['name'], { identityReason: names.identityReason, notFreeText: new Set() }, (_, reason) => tenantFail(names.name(i), reason));
    if (refusal.size === 0) {
      if (!name) tenantFail(names.name(i), 'mangler');
      else if (name.length > 200) tenantFail(names.name(i), 'er lengre enn 200 tegn');
    }
    tenants.push({ nationalId, name });
  }
  if (failed || monthlyRentOre === undefined || !landlordKind) return undefined;
  return { line, municipalityNumber, tenancyId, address, monthlyRentOre, landlordKind, navOffice, tenants };
}

const KNOWN_TENANCY_FIELDS = new Set<string>([...FIELDS, 'tenants']);
const KNOWN_TENANT_FIELDS = new Set<string>(['nationalId', 'name']);

function dedupe(lines: TenancyLine[], names: Names, errors: ErrorList): TenancyLine[] {
  const seen = new Map<string, number>();
  return lines.filter((l) => {
    const key = `${l.municipalityNumber}|${l.tenancyId}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ line: l.line, column: names.tenancyId, reason: `samme leieforhold står også på linje ${first}` });
      return false;
    }
    seen.set(key, l.line);
    return true;
  });
}

const result = (lines: TenancyLine[], errors: ErrorList): InputResult<TenancyLine> => ({ lines, ...errors.report() });

/**
 * `{ tenancies: [...] }`, one object per tenancy with its tenants. At most `MAX_REPORTED_ERRORS`
 * errors come back, with `total` saying how many there were.
 */
export function tenanciesFromJson(body: unknown, options: TenancyInputOptions = {}): InputResult<TenancyLine> {
  const errors = new ErrorList();
  const list = (body as { tenancies?: unknown } | null)?.tenancies;
  guardUnknownFields(body, new Set(['tenancies']), JSON_NAMES.identityReason, (column, reason) => errors.push({ line: null, column, reason }));
  if (!Array.isArray(list) || list.length === 0) {
    errors.push({ line: null, column: 'tenancies', reason: 'må være en ikke-tom liste med leieforhold' });
    return result([], errors);
  }
  const lines = list
    .map((raw: unknown, i) => {
      const line = i + 1;
      let refused = false;
      guardUnknownFields(raw, KNOWN_TENANCY_FIELDS, JSON_NAMES.identityReason, (column, reason) => {
        refused = true;
        errors.push({ line, column, reason });
      });
      const tenancy = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as RawTenancy;
      const valid = validateOne(tenancy, line, JSON_NAMES, errors, options);
      return refused ? undefined : valid;
    })
    .filter((l): l is TenancyLine => l !== undefined);
  return result(dedupe(lines, JSON_NAMES, errors), errors);
}

/**
 * One line per tenant; lines with the same kommunenr and leieforhold make one tenancy with several
 * tenants, and must agree on the tenancy's details. Every line's fields are checked for identity
 * numbers and formulas, and so are columns the parser does not read. At most
 * `MAX_REPORTED_ERRORS` errors come back, with `total`.
 */
export async function tenanciesFromCsv(text: string, options: TenancyInputOptions = {}): Promise<InputResult<TenancyLine>> {
  const parsed = await parseSemicolonCsv(text, TENANCY_COLUMNS, REQUIRED);
  const errors = parsed.errors;
  const groups = new Map<string, { first: number; raw: RawTenancy & { tenants: RawTenant[] } }>();
  const slicer = new Slicer();
  for (const row of parsed.rows) {
    const paused = slicer.pause();
    if (paused) await paused;
    const v = row.values;
    const refusedCells = row.unmapped.filter((cell) => containsIdentityNumber(cell.value));
    for (const cell of refusedCells) errors.push({ line: row.line, column: cell.column, reason: CSV_NAMES.identityReason });
    if (refusedCells.length) continue;
    const key = `${v['kommunenr']}|${v['leieforhold']}`;
    const details = { municipalityNumber: v['kommunenr'], tenancyId: v['leieforhold'], address: v['adresse'], monthlyRent: v['husleie'], landlordKind: v['utleier'], navOffice: v['navkontor'] };
    const tenant: RawTenant = { nationalId: v['fodselsnummer'] ?? '', name: v['navn'] ?? '', line: row.line };
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { first: row.line, raw: { ...details, tenants: [tenant] } });
      continue;
    }
    // The group's first line is validated whole below; a later line's details are checked here, each reported on its own line.
    const refused = guardFields(details, DETAILS, { identityReason: CSV_NAMES.identityReason, notFreeText: NOT_FREE_TEXT }, (f, reason) => errors.push({ line: row.line, column: CSV_NAMES[f], reason }));
    const differs = DETAILS.find((f) => !refused.has(f) && str(group.raw[f]) !== str(details[f]));
    if (differs) errors.push({ line: row.line, column: CSV_NAMES[differs], reason: `avviker fra linje ${group.first} for samme leieforhold` });
    if (refused.size === 0 && !differs) group.raw.tenants.push(tenant);
  }
  const lines: TenancyLine[] = [];
  for (const g of groups.values()) {
    const paused = slicer.pause();
    if (paused) await paused;
    const line = validateOne(g.raw, g.first, CSV_NAMES, errors, options);
    if (line !== undefined) lines.push(line);
  }
  return result(lines, errors);
}
