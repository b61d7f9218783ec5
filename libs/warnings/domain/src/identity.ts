import { deterministicId, isLocalDate, type LocalDate } from '@evp/shared-kernel';

/**
 * Who the parties are, without holding who they are: the checks and derivations the warning
 * rules need. Identity numbers pass through here only to be checked or to yield a birth date;
 * they are never returned in an error and never stored by this module.
 */

const ORG_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2];

/**
 * An organisasjonsnummer (Enhetsregisteret): nine digits, the last a modulus-11 check digit over
 * the first eight with weights 3 2 7 6 5 4 3 2; a remainder that would give 10 is never issued.
 */
export function isOrganisationNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  const digits = value.split('').map(Number);
  const sum = ORG_WEIGHTS.reduce((acc, w, i) => acc + w * (digits[i] as number), 0);
  const remainder = sum % 11;
  const check = remainder === 0 ? 0 : 11 - remainder;
  return check !== 10 && check === digits[8];
}

/**
 * The birth date a fødselsnummer or d-nummer encodes (DDMMÅÅ plus the century from the individual
 * number, Skatteetaten's rules), also for synthetic test numbers (Tenor: month + 80, Dolly: + 40).
 * Null when the digits do not give a date. The caller validates the number itself.
 */
export function birthDateOfNationalId(nationalId: string): LocalDate | null {
  if (!/^\d{11}$/.test(nationalId)) return null;
  let day = Number(nationalId.slice(0, 2));
  let month = Number(nationalId.slice(2, 4));
  const yy = Number(nationalId.slice(4, 6));
  const individual = Number(nationalId.slice(6, 9));
  if (day > 40) day -= 40; // d-nummer
  if (month > 80) month -= 80;
  else if (month > 40) month -= 40;
  let century: number | null = null;
  if (individual <= 499) century = 1900;
  else if (individual <= 749 && yy >= 54) century = 1800;
  else if (yy <= 39) century = 2000;
  else if (individual >= 900) century = 1900;
  if (century === null) return null;
  const date = `${century + yy}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return isLocalDate(date) ? date : null;
}

/** A name as it is compared: Unicode NFC, case and spacing ignored («Åse  ØRNØ» equals «åse ørnø»). */
export function normaliseName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('nb-NO');
}

/**
 * A warning's id, derived from what makes it the same warning (the issue: «idempotent on landlord,
 * tenant and notice date»): the landlord and, per tenant, the opaque person id and the § 4-18
 * notice date. Opaque ids only, so the UUID reveals nothing.
 */
export function warningIdOf(landlordId: string, tenants: ReadonlyArray<{ personId: string; noticeSentOn: LocalDate | null }>): string {
  const key = tenants
    .map((t) => `${t.personId}:${t.noticeSentOn ?? '-'}`)
    .sort()
    .join(',');
  return deterministicId(`warning|${landlordId}|${key}`);
}
