import { MoneyFormatError, containsIdentityNumber, parseKroner } from '@evp/shared-kernel';
import type { LandlordKind } from '@evp/ledger-domain';
import type { ArrearsFilter } from './accounts-queries';
import type { FieldError } from './csv';

/** The arrears list's filter parameters as the query string has them (an empty one does not filter). */
export interface RawArrearsFilter {
  readonly navOffice?: unknown;
  readonly landlordKind?: unknown;
  readonly minOverdue?: unknown;
  readonly minDaysOverdue?: unknown;
  readonly address?: unknown;
}

export const ARREARS_FILTER_PARAMS = ['navOffice', 'landlordKind', 'minOverdue', 'minDaysOverdue', 'address'] as const;

const NAV_OFFICE = /^[a-z0-9][a-z0-9-]{1,59}$/;
const LANDLORD_KINDS: readonly LandlordKind[] = ['municipal', 'private-sublet'];
/** Higher than any rent account's arrears; a bound keeps the amount a safe integer and the query sane. */
const MAX_MIN_OVERDUE_ORE = 1_000_000_000;
const MAX_DAYS = 3650;
const ADDRESS_MIN = 2;
const ADDRESS_MAX = 100;

/**
 * Validates the arrears list's filters. Every error names its parameter and says in bokmål which
 * filter it is and what is wrong, without repeating what came in.
 */
export function arrearsFilterFrom(raw: RawArrearsFilter): { filter: ArrearsFilter; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const fail = (column: (typeof ARREARS_FILTER_PARAMS)[number], reason: string) => errors.push({ line: null, column, reason });
  const filter: { -readonly [K in keyof ArrearsFilter]: ArrearsFilter[K] } = {};
  const text = (key: (typeof ARREARS_FILTER_PARAMS)[number], label: string): string | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      fail(key, `${label} kan bare oppgis én gang, som tekst`);
      return undefined;
    }
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  };

  const navOffice = text('navOffice', 'NAV-kontor');
  if (navOffice !== undefined) {
    if (NAV_OFFICE.test(navOffice)) filter.navOffice = navOffice;
    else fail('navOffice', 'NAV-kontor må være en NAV-kontor-id (små bokstaver, siffer og bindestrek, for eksempel nav-stjordal)');
  }

  const landlordKind = text('landlordKind', 'Utleier');
  if (landlordKind !== undefined) {
    if ((LANDLORD_KINDS as readonly string[]).includes(landlordKind)) filter.landlordKind = landlordKind as LandlordKind;
    else fail('landlordKind', 'Utleier må være municipal (kommunal bolig) eller private-sublet (innleid bolig)');
  }

  const minOverdue = text('minOverdue', 'Minste forfalte beløp');
  if (minOverdue !== undefined) {
    let ore: number | undefined;
    try {
      ore = parseKroner(minOverdue);
    } catch (e) {
      if (!(e instanceof MoneyFormatError)) throw e;
    }
    if (ore === undefined) fail('minOverdue', 'Minste forfalte beløp må være et beløp i kroner med høyst to desimaler (for eksempel 5000 eller 5 000,50)');
    else if (ore < 0) fail('minOverdue', 'Minste forfalte beløp kan ikke være negativt');
    else if (ore > MAX_MIN_OVERDUE_ORE) fail('minOverdue', 'Minste forfalte beløp kan være høyst 10 000 000 kr');
    else filter.minOverdueOre = ore;
  }

  const minDays = text('minDaysOverdue', 'Minste antall dager over forfall');
  if (minDays !== undefined) {
    const days = /^\d{1,5}$/.test(minDays) ? Number(minDays) : undefined;
    if (days === undefined || days > MAX_DAYS) fail('minDaysOverdue', `Minste antall dager over forfall må være et helt antall dager fra 0 til ${MAX_DAYS}`);
    else filter.minDaysOverdue = days;
  }

  const address = text('address', 'Adresse');
  if (address !== undefined) {
    if ([...address].length < ADDRESS_MIN) fail('address', `Adresse må ha minst ${ADDRESS_MIN} tegn`);
    else if ([...address].length > ADDRESS_MAX) fail('address', `Adresse kan ha høyst ${ADDRESS_MAX} tegn`);
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f\u007f]/.test(address)) fail('address', 'Adresse kan ikke inneholde kontrolltegn');
    // A search text goes into the page's address: an identity number must not.
    else if (containsIdentityNumber(address)) fail('address', 'Adresse kan ikke inneholde et fødselsnummer');
    else filter.addressContains = address;
  }
  return { filter, errors };
}
