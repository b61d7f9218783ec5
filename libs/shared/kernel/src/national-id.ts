import { idnr } from '@navikt/fnrvalidator';

/**
 * A Norwegian national identity number (fødselsnummer or d-nummer): 11 digits with two check
 * digits. Validated with NAV's own library. It is personal data: it never appears in an event, a
 * stream name, a URL, a job id or a log line — events refer to people by an opaque person id.
 */
export type NationalIdCheck = { valid: true; kind: 'fnr' | 'dnr' } | { valid: false; reason: string };

const REASONS: Record<string, string> = {
  'fnr, dnr or hnr must consist of 11 digits': 'må bestå av 11 siffer',
  "checksums don't match": 'kontrollsifrene stemmer ikke',
  'invalid date': 'inneholder ikke en gyldig dato',
};

export function checkNationalId(value: string): NationalIdCheck {
  if (!/^\d{11}$/.test(value)) return { valid: false, reason: REASONS['fnr, dnr or hnr must consist of 11 digits'] as string };
  const result = idnr(value);
  if (result.status === 'invalid') return { valid: false, reason: result.reasons.map((r) => REASONS[r] ?? r).join('; ') };
  if (result.type !== 'fnr' && result.type !== 'dnr') return { valid: false, reason: 'er ikke et fødselsnummer eller d-nummer' };
  return { valid: true, kind: result.type };
}
