import { checkNationalId, MoneyFormatError, parseKroner, type Ore } from '@evp/shared-kernel';
import { MUNICIPALITY_NUMBER, TENANCY_ID, type LandlordKind } from '@evp/ledger-domain';
import { parseSemicolonCsv, type FieldError } from './csv';

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
type Field = 'municipalityNumber' | 'tenancyId' | 'address' | 'monthlyRent' | 'landlordKind' | 'navOffice' | 'nationalId' | 'name';
type Names = Record<Field, string>;
const JSON_NAMES: Names = { municipalityNumber: 'municipalityNumber', tenancyId: 'tenancyId', address: 'address', monthlyRent: 'monthlyRent', landlordKind: 'landlordKind', navOffice: 'navOffice', nationalId: 'tenants[].nationalId', name: 'tenants[].name' };
const CSV_NAMES: Names = { municipalityNumber: 'kommunenr', tenancyId: 'leieforhold', address: 'adresse', monthlyRent: 'husleie', landlordKind: 'utleier', navOffice: 'navkontor', nationalId: 'fodselsnummer', name: 'navn' };

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

function validateOne(raw: RawTenancy, line: number, names: Names, errors: FieldError[]): TenancyLine | undefined {
  const before = errors.length;
  const fail = (f: Field, reason: string) => errors.push({ line, column: names[f], reason });
  const municipalityNumber = str(raw.municipalityNumber);
  if (!MUNICIPALITY_NUMBER.test(municipalityNumber)) fail('municipalityNumber', municipalityNumber ? `«${municipalityNumber.slice(0, 10)}» er ikke et kommunenummer (fire siffer)` : 'mangler');
  const tenancyId = str(raw.tenancyId);
  if (!TENANCY_ID.test(tenancyId)) fail('tenancyId', tenancyId ? `«${tenancyId.slice(0, 40)}» er ikke et gyldig leieforholdsnummer` : 'mangler');
  const address = str(raw.address);
  if (!address) fail('address', 'mangler');
  else if (address.length > 200) fail('address', 'er lengre enn 200 tegn');
  let monthlyRentOre: Ore | undefined;
  if (typeof raw.monthlyRentOre === 'number') {
    if (!Number.isSafeInteger(raw.monthlyRentOre) || raw.monthlyRentOre <= 0) fail('monthlyRent', 'monthlyRentOre må være et positivt helt antall øre');
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
        fail('monthlyRent', `«${rent.slice(0, 30)}» er ikke et beløp i kroner`);
      }
    }
  }
  const landlordKind = LANDLORD_KINDS[str(raw.landlordKind).toLowerCase()];
  if (!landlordKind) fail('landlordKind', 'må være kommunal eller privat (innleid og fremleid)');
  const navOffice = str(raw.navOffice).toLowerCase();
  if (!NAV_OFFICE.test(navOffice)) fail('navOffice', navOffice ? 'må være en NAV-kontor-id (små bokstaver, siffer og bindestrek)' : 'mangler');
  const tenants: TenantInput[] = [];
  const rawTenants = Array.isArray(raw.tenants) ? raw.tenants : [];
  if (rawTenants.length === 0) fail('nationalId', 'leieforholdet må ha minst én leietaker');
  for (const t of rawTenants as Array<{ nationalId?: unknown; name?: unknown }>) {
    const nationalId = str(t?.nationalId);
    const name = str(t?.name);
    const check = checkNationalId(nationalId);
    // The number itself is never echoed back: an error message must not carry personal data.
    if (!check.valid) fail('nationalId', `fødselsnummeret ${check.reason}`);
    if (!name) fail('name', 'mangler');
    else if (name.length > 200) fail('name', 'er lengre enn 200 tegn');
    tenants.push({ nationalId, name });
  }
  if (errors.length > before || monthlyRentOre === undefined || !landlordKind) return undefined;
  return { line, municipalityNumber, tenancyId, address, monthlyRentOre, landlordKind, navOffice, tenants };
}

function dedupe(lines: TenancyLine[], names: Names, errors: FieldError[]): TenancyLine[] {
  const seen = new Map<string, number>();
  return lines.filter((l) => {
    const key = `${l.municipalityNumber}|${l.tenancyId}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ line: l.line, column: names.tenancyId, reason: `leieforhold ${l.tenancyId} står også på linje ${first}` });
      return false;
    }
    seen.set(key, l.line);
    return true;
  });
}

export function tenanciesFromJson(body: unknown): { lines: TenancyLine[]; errors: FieldError[] } {
  const list = (body as { tenancies?: unknown } | null)?.tenancies;
  if (!Array.isArray(list) || list.length === 0) return { lines: [], errors: [{ line: null, column: 'tenancies', reason: 'må være en ikke-tom liste med leieforhold' }] };
  const errors: FieldError[] = [];
  const lines = list.map((raw, i) => validateOne((raw ?? {}) as RawTenancy, i + 1, JSON_NAMES, errors)).filter((l): l is TenancyLine => l !== undefined);
  return { lines: dedupe(lines, JSON_NAMES, errors), errors };
}

/**
 * One line per tenant; lines with the same kommunenr and leieforhold make one tenancy with several
 * tenants, and must agree on the tenancy's details.
 */
export function tenanciesFromCsv(text: string): { lines: TenancyLine[]; errors: FieldError[] } {
  const parsed = parseSemicolonCsv(text, TENANCY_COLUMNS, REQUIRED);
  const errors = [...parsed.errors];
  const groups = new Map<string, { first: number; raw: RawTenancy & { tenants: Array<{ nationalId: string; name: string }> } }>();
  for (const row of parsed.rows) {
    const v = row.values;
    const key = `${v['kommunenr']}|${v['leieforhold']}`;
    const details = { municipalityNumber: v['kommunenr'], tenancyId: v['leieforhold'], address: v['adresse'], monthlyRent: v['husleie'], landlordKind: v['utleier'], navOffice: v['navkontor'] };
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { first: row.line, raw: { ...details, tenants: [{ nationalId: v['fodselsnummer'] ?? '', name: v['navn'] ?? '' }] } });
      continue;
    }
    const differs = (['address', 'monthlyRent', 'landlordKind', 'navOffice'] as const).find((f) => str(group.raw[f]) !== str(details[f]));
    if (differs) errors.push({ line: row.line, column: CSV_NAMES[differs], reason: `avviker fra linje ${group.first} for samme leieforhold` });
    else group.raw.tenants.push({ nationalId: v['fodselsnummer'] ?? '', name: v['navn'] ?? '' });
  }
  const lines = [...groups.values()].map((g) => validateOne(g.raw, g.first, CSV_NAMES, errors)).filter((l): l is TenancyLine => l !== undefined);
  return { lines, errors };
}
