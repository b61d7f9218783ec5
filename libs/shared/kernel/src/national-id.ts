import { idnr } from '@navikt/fnrvalidator';

/**
 * A Norwegian national identity number (fødselsnummer or d-nummer): 11 digits with two check
 * digits. Validated with NAV's own library. It is personal data: it never appears in an event, a
 * stream name, a URL, a job id, a log line or an error message — events refer to people by an
 * opaque person id.
 *
 * Synthetic test numbers have the same layout with the month shifted: Skatteetaten's Tenor adds 80
 * to the month, NAV's Dolly adds 40 (the layout of the old hjelpenummer). Their check digits are
 * computed over the digits as written, exactly as for a real number. They exist only in test
 * data; configuration decides whether they are accepted (development and test: yes; production: no).
 */
export type SyntheticKind = 'tenor' | 'dolly';

export type NationalIdCheck =
  | { readonly valid: true; readonly kind: 'fnr' | 'dnr'; readonly synthetic: SyntheticKind | null }
  | { readonly valid: false; readonly reason: string };

export interface NationalIdOptions {
  /** Accept Tenor (month + 80) and Dolly (month + 40) test numbers. Default false: fail closed. */
  readonly allowSynthetic?: boolean;
}

const REASONS: Record<string, string> = {
  'fnr, dnr or hnr must consist of 11 digits': 'må bestå av 11 siffer',
  "checksums don't match": 'har feil kontrollsiffer',
  'invalid date': 'inneholder ikke en gyldig dato',
};
const LENGTH_REASON = 'må bestå av 11 siffer';
const UNKNOWN_REASON = 'er ikke et gyldig fødselsnummer eller d-nummer';
export const SYNTHETIC_NOT_ALLOWED_REASON = 'er et syntetisk testnummer (Tenor eller Dolly); slike numre er ikke tillatt her';

/** The library's type, in our terms. `hnr` has the Dolly layout (month + 40), `tnr` the Tenor one. */
const KINDS: Record<string, { kind: 'fnr' | 'dnr'; synthetic: SyntheticKind | null }> = {
  fnr: { kind: 'fnr', synthetic: null },
  dnr: { kind: 'dnr', synthetic: null },
  tnr: { kind: 'fnr', synthetic: 'tenor' },
  hnr: { kind: 'fnr', synthetic: 'dolly' },
  'dnr-and-tnr': { kind: 'dnr', synthetic: 'tenor' },
  'dnr-and-hnr': { kind: 'dnr', synthetic: 'dolly' },
};

/** What `value` is, regardless of whether synthetic numbers are allowed. */
function classify(value: string): NationalIdCheck {
  if (!/^\d{11}$/.test(value)) return { valid: false, reason: LENGTH_REASON };
  const result = idnr(value);
  // The library's reasons are fixed English strings; anything it adds later gets a generic reason, never the value.
  if (result.status === 'invalid') return { valid: false, reason: [...new Set(result.reasons.map((r) => REASONS[r] ?? UNKNOWN_REASON))].join('; ') };
  const kind = KINDS[result.type];
  if (!kind) return { valid: false, reason: UNKNOWN_REASON };
  return { valid: true, ...kind };
}

/**
 * Checks a fødselsnummer or d-nummer. The reason, in bokmål, reads after «fødselsnummeret …» and
 * never contains the value.
 */
export function checkNationalId(value: string, options: NationalIdOptions = {}): NationalIdCheck {
  const check = classify(value);
  if (check.valid && check.synthetic && options.allowSynthetic !== true) return { valid: false, reason: SYNTHETIC_NOT_ALLOWED_REASON };
  return check;
}

export function isValidNationalId(value: string, options: NationalIdOptions = {}): boolean {
  return checkNationalId(value, options).valid;
}

/**
 * Eleven digits not part of a longer run of digits, or six and five digits split by one space
 * (the way people write a fødselsnummer: «010180 12345»). A longer run (an account or KID number)
 * is not taken for an identity number.
 */
const CANDIDATES = /(?<!\d)(\d{6}) ?(\d{5})(?!\d)/g;

/**
 * True when `text`, whole or anywhere inside it, holds something that validates as a
 * fødselsnummer, d-nummer or synthetic (Tenor, Dolly) number — whatever configuration says about
 * synthetic numbers. For refusing identity numbers in every field but the one meant for them.
 *
 * A real 11-digit value (a bank account number, a voucher number) validates by chance about once
 * in a few hundred; such a value is refused too, which is the price of never storing a number in
 * the wrong place.
 */
export function containsIdentityNumber(text: string): boolean {
  if (text.length < 11) return false;
  for (const m of text.matchAll(CANDIDATES)) {
    if (classify(`${m[1]}${m[2]}`).valid) return true;
  }
  return false;
}

const MAX_DEPTH = 8;
const MAX_NODES = 10_000;

/**
 * True when any string, number or object key anywhere in a parsed JSON value holds an identity
 * number (see `containsIdentityNumber`): for refusing one in fields a JSON endpoint does not know.
 * Bounded (depth 8, 10 000 values): what lies beyond is not inspected, so a field that is stored
 * must be checked itself with `containsIdentityNumber`. A number loses its leading zero in JSON, so
 * a fødselsnummer sent as a number starting with 0 is not found.
 */
export function jsonContainsIdentityNumber(value: unknown): boolean {
  let nodes = 0;
  const visit = (v: unknown, depth: number): boolean => {
    if (++nodes > MAX_NODES) return false;
    if (typeof v === 'string') return containsIdentityNumber(v);
    if (typeof v === 'number') return Number.isFinite(v) && containsIdentityNumber(String(v));
    if (depth >= MAX_DEPTH || v === null || typeof v !== 'object') return false;
    const children = Array.isArray(v) ? v : Object.entries(v as Record<string, unknown>).flat();
    return children.some((c) => visit(c, depth + 1));
  };
  return visit(value, 0);
}
