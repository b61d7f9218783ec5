import { containsIdentityNumber, jsonContainsIdentityNumber, startsLikeSpreadsheetFormula } from '@evp/shared-kernel';

/**
 * Personal data only where it belongs. An identity number in any field but the one meant for it
 * would travel from there into stream names, keys, job ids, URLs, logs and immutable events; a
 * spreadsheet formula in a name or an address would be served back to whoever exports it. Both are
 * refused at the door, with a reason that never repeats the value.
 */

export const FORMULA_REASON = 'kan ikke begynne med =, +, -, @ eller tabulator; det kan tolkes som en regnearkformel';

/** The reason for an identity number in the wrong field; `home` names the one field where it belongs («kolonnen fodselsnummer»). */
export function identityNumberReason(home: string): string {
  return `ser ut som et fødselsnummer; personnummer hører bare hjemme i ${home}`;
}

export interface GuardRules {
  /** The reason given for an identity number (see `identityNumberReason`). */
  readonly identityReason: string;
  /** Whether the field is text a spreadsheet could take for a formula (not an amount, where a leading minus is legitimate). */
  readonly freeText: boolean;
}

/** Why `value` may not be stored in this field, or `undefined` when it may. Never mentions the value. */
export function refusalOf(value: string, rules: GuardRules): string | undefined {
  if (containsIdentityNumber(value)) return rules.identityReason;
  if (rules.freeText && startsLikeSpreadsheetFormula(value)) return FORMULA_REASON;
  return undefined;
}

/**
 * Checks fields by name and reports each refused one; returns the refused fields, so that the
 * caller validates them no further (one error per field, and none that could quote the value).
 */
export function guardFields<F extends string>(
  values: Partial<Record<F, unknown>>,
  fields: readonly F[],
  rules: { readonly identityReason: string; readonly notFreeText: ReadonlySet<F> },
  report: (field: F, reason: string) => void,
): Set<F> {
  const refused = new Set<F>();
  for (const field of fields) {
    const value = values[field];
    const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
    if (!text) continue;
    const reason = refusalOf(text, { identityReason: rules.identityReason, freeText: !rules.notFreeText.has(field) });
    if (reason) {
      report(field, reason);
      refused.add(field);
    }
  }
  return refused;
}

/**
 * A JSON key to name in an error: only a plain identifier, and only when it holds no identity
 * number; anything else is «ukjent felt». Keys come from the caller, so they are not trusted either.
 */
export function safeFieldName(key: string, prefix = ''): string {
  return /^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(key) && !containsIdentityNumber(key) ? `${prefix}${key}` : `${prefix}(ukjent felt)`;
}

/** Reports every field of `object` not in `known` whose content holds an identity number. */
export function guardUnknownFields(object: unknown, known: ReadonlySet<string>, identityReason: string, report: (column: string, reason: string) => void, prefix = ''): void {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return;
  for (const [key, value] of Object.entries(object as Record<string, unknown>)) {
    if (known.has(key)) continue;
    if (containsIdentityNumber(key) || jsonContainsIdentityNumber(value)) report(safeFieldName(key, prefix), identityReason);
  }
}
