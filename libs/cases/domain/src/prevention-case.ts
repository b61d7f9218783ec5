import type { LocalDate, Ore } from '@evp/shared-kernel';
import type { CaseEvent, CaseOpened, CaseOutcome, ContactChannel, NavReferralSource, PolicyReason, WarningAttached } from './events';

export interface PreventionCase {
  readonly caseId: string;
  readonly caseNo: number;
  readonly status: 'open' | 'escalated' | 'resolved';
  readonly opened: CaseOpened['data'];
  readonly contacts: ReadonlyArray<{ readonly contactId: string; readonly channel: ContactChannel; readonly contactedOn: LocalDate }>;
  readonly escalation: { readonly escalatedOn: LocalDate; readonly reasons: readonly PolicyReason[] } | null;
  readonly referrals: ReadonlyArray<{ readonly referralId: string; readonly source: NavReferralSource; readonly referredOn: LocalDate }>;
  /** The husleierestanseteam's decisions, one per meeting: what makes recording a meeting again a no-op. */
  readonly teamDecisions: ReadonlyArray<{ readonly meetingId: string; readonly decidedOn: LocalDate }>;
  /**
   * Grounds of the landlords' warnings attached to the case. Paying stops only an unpaid-rent
   * eviction (tvangsfullbyrdelsesloven § 13-2 tredje ledd bokstav a): a case that also holds a
   * warning on another ground is not resolved because the rent is paid.
   */
  readonly warningGrounds: ReadonlyArray<WarningAttached['data']['ground']>;
  readonly resolvedOn: LocalDate | null;
  /** How it ended (null while active), and for a case NAV closed what was overdue that day (see `CaseResolved`). */
  readonly outcome: CaseOutcome | null;
  readonly overdueAtClosingOre: Ore | null;
}

/** All prevention cases of one tenancy, oldest first; at most the last one is active. */
export interface TenancyCases {
  readonly cases: readonly PreventionCase[];
}

export const initialTenancyCases = (): TenancyCases => ({ cases: [] });

export function activeCase(state: TenancyCases): PreventionCase | undefined {
  const last = state.cases[state.cases.length - 1];
  return last && last.status !== 'resolved' ? last : undefined;
}

export function findCase(state: TenancyCases, caseId: string): PreventionCase | undefined {
  return state.cases.find((c) => c.caseId === caseId);
}

export function evolveCases(state: TenancyCases, event: CaseEvent): TenancyCases {
  const update = (caseId: string, fn: (c: PreventionCase) => PreventionCase): TenancyCases => ({
    cases: state.cases.map((c) => (c.caseId === caseId ? fn(c) : c)),
  });
  switch (event.type) {
    case 'cases.CaseOpened':
      return {
        cases: [...state.cases, { caseId: event.data.caseId, caseNo: event.data.caseNo, status: 'open', opened: event.data, contacts: [], escalation: null, referrals: [], teamDecisions: [], warningGrounds: [], resolvedOn: null, outcome: null, overdueAtClosingOre: null }],
      };
    case 'cases.ContactRecorded':
      return update(event.data.caseId, (c) => ({ ...c, contacts: [...c.contacts, { contactId: event.data.contactId, channel: event.data.channel, contactedOn: event.data.contactedOn }] }));
    case 'cases.CaseEscalatedToArrearsTeam':
      return update(event.data.caseId, (c) => ({ ...c, status: 'escalated', escalation: { escalatedOn: event.data.escalatedOn, reasons: event.data.reasons } }));
    case 'cases.ReferredToNav':
      return update(event.data.caseId, (c) => ({ ...c, referrals: [...c.referrals, { referralId: event.data.referralId, source: event.data.source, referredOn: event.data.referredOn }] }));
    case 'cases.CaseResolved':
      return update(event.data.caseId, (c) => ({ ...c, status: 'resolved', resolvedOn: event.data.resolvedOn, outcome: event.data.outcome, overdueAtClosingOre: event.data.overdueAtClosingOre ?? null }));
    case 'cases.TeamDecisionRecorded':
      return update(event.data.caseId, (c) => ({ ...c, teamDecisions: [...c.teamDecisions, { meetingId: event.data.meetingId, decidedOn: event.data.decidedOn }] }));
    case 'cases.WarningAttached':
      return update(event.data.caseId, (c) => ({ ...c, warningGrounds: [...c.warningGrounds, event.data.ground] }));
    case 'cases.WarningStepRecorded':
      // A landlord's step: the referral it caused is recorded by ReferredToNav; which warnings a
      // case holds, and their steps, are the warning referral's own state (warning-referral.ts).
      return state;
    default: {
      const never: never = event;
      return never;
    }
  }
}
