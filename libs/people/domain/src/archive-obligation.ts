import type { LocalDate } from '@evp/shared-kernel';

/**
 * The archive obligation that can forbid erasing a person.
 *
 * Rule: a person may not be erased while they were a tenant of a tenancy at any time while one of
 * its prevention cases ran (from opening to resolution), and that case is still open or escalated,
 * or was resolved less than `caseRetentionYears` years ago. Their data is restricted instead.
 *
 * Basis: a municipality «pliktar å ha arkiv» (arkivlova § 6) and may not destroy («kassere»)
 * archive material except as rules under the act allow (arkivlova § 9 c; forskrift om offentlege
 * arkiv § 16; Riksarkivarens forskrift kap. 7). Material that may be destroyed must first be kept
 * for the retention period («oppbevaringstid») the municipality sets in its arkivplan, and must be
 * destroyed when it has run out (Arkivverket, «Bevaring og kassasjon hos kommuner og
 * fylkeskommuner»). A prevention case is case material about the tenants of the tenancy; the
 * retention period is the municipality's choice, so it is configuration
 * (PEOPLE_CASE_RETENTION_YEARS), not code. GDPR art. 17 (3) (b) removes the right to erasure where
 * keeping the data is a legal obligation; art. 18 is the restriction that replaces it.
 */
export interface ArchivePolicy {
  /** Years a resolved case's records are kept after its resolution (the municipality's oppbevaringstid). */
  readonly caseRetentionYears: number;
}

/** An event as stored, with the instant it happened (its metadata's `occurredAt`). */
export interface DatedEvent {
  readonly type: string;
  readonly data: unknown;
  readonly occurredAt: string;
}

/** What the rule needs of one tenancy the person has been linked to, read through the ledger's and the cases' contracts. */
export interface TenancyArchiveFacts {
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  /** The tenancy stream's events (`ledger.TenancyRegistered` and `ledger.TenancyDetailsChanged` carry the tenant list). */
  readonly tenancyEvents: readonly DatedEvent[];
  /** The tenancy's case stream's events. */
  readonly caseEvents: readonly DatedEvent[];
  /**
   * A § 9-11 warning named the person as a tenant of this household: the household's cases are
   * about them whatever a tenant list says (a private lease has none), so they count as a tenant
   * throughout.
   */
  readonly namedInWarning?: boolean;
}

export interface ArchiveObligation {
  readonly caseId: string;
  readonly caseStatus: 'active' | 'resolved';
  /** When a resolved case's records may go (null while the case is active). */
  readonly keepUntil: LocalDate | null;
  /** Bokmål, for the 409 answer: which case, why, and the law. */
  readonly reason: string;
}

interface Interval {
  readonly from: number;
  /** Exclusive end; Infinity while it lasts. */
  readonly to: number;
}

const TENANT_LIST_EVENTS = new Set(['ledger.TenancyRegistered', 'ledger.TenancyDetailsChanged']);

/** When the person was on the tenancy's tenant list, from the instants the list changed. */
function tenantIntervals(personId: string, events: readonly DatedEvent[]): Interval[] {
  const intervals: Interval[] = [];
  let since: number | undefined;
  for (const event of events) {
    if (!TENANT_LIST_EVENTS.has(event.type)) continue;
    const at = Date.parse(event.occurredAt);
    const listed = ((event.data as { tenantPersonIds?: readonly string[] }).tenantPersonIds ?? []).includes(personId);
    if (listed && since === undefined) since = at;
    if (!listed && since !== undefined) {
      intervals.push({ from: since, to: at });
      since = undefined;
    }
  }
  if (since !== undefined) intervals.push({ from: since, to: Infinity });
  return intervals;
}

interface CaseSpan {
  readonly caseId: string;
  readonly from: number;
  /** The instant it was resolved (inclusive), Infinity while active. */
  readonly to: number;
  readonly resolvedOn: LocalDate | null;
}

/** Each case's span from its opening to its resolution. Other case events do not move it. */
function caseSpans(events: readonly DatedEvent[]): CaseSpan[] {
  const spans = new Map<string, CaseSpan>();
  for (const event of events) {
    const data = event.data as { caseId?: string; resolvedOn?: LocalDate };
    if (typeof data.caseId !== 'string') continue;
    if (event.type === 'cases.CaseOpened') spans.set(data.caseId, { caseId: data.caseId, from: Date.parse(event.occurredAt), to: Infinity, resolvedOn: null });
    const open = spans.get(data.caseId);
    if (event.type === 'cases.CaseResolved' && open) spans.set(data.caseId, { ...open, to: Date.parse(event.occurredAt), resolvedOn: data.resolvedOn ?? null });
  }
  return [...spans.values()];
}

/** The same calendar day `years` later; 29 February becomes 28 February in a common year. */
export function addYears(date: LocalDate, years: number): LocalDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const year = y + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The obligation that forbids erasing `personId` today, or undefined when none does. An active
 * case outweighs a resolved one; among resolved ones the one kept longest is named.
 */
export function archiveObligation(personId: string, tenancies: readonly TenancyArchiveFacts[], today: LocalDate, policy: ArchivePolicy): ArchiveObligation | undefined {
  let found: ArchiveObligation | undefined;
  for (const tenancy of tenancies) {
    const tenant = tenancy.namedInWarning ? [{ from: -Infinity, to: Infinity }] : tenantIntervals(personId, tenancy.tenancyEvents);
    for (const span of caseSpans(tenancy.caseEvents)) {
      const overlaps = tenant.some((t) => t.from <= span.to && span.from < t.to);
      if (!overlaps) continue;
      const tenancyKey = `${tenancy.municipalityNumber}-${tenancy.tenancyId}`;
      const lead = `Personen var leietaker i leieforhold ${tenancyKey} mens forebyggingssak ${span.caseId} pågikk`;
      const law = 'Kommunen har arkivplikt for saken (arkivlova §§ 6 og 9), så opplysningene er skjermet i stedet for slettet.';
      if (span.resolvedOn === null) {
        return { caseId: span.caseId, caseStatus: 'active', keepUntil: null, reason: `${lead}, og saken er ikke avsluttet. ${law}` };
      }
      const keepUntil = addYears(span.resolvedOn, policy.caseRetentionYears);
      if (today >= keepUntil || (found?.keepUntil && found.keepUntil >= keepUntil)) continue;
      found = {
        caseId: span.caseId,
        caseStatus: 'resolved',
        keepUntil,
        reason: `${lead}; saken ble avsluttet ${span.resolvedOn} og skal oppbevares til ${keepUntil} (${policy.caseRetentionYears} år). ${law}`,
      };
    }
  }
  return found;
}
