import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Kysely } from 'kysely';
import { addDays, osloDate, type Clock, type LocalDate } from '@evp/shared-kernel';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { keysetPage, type CursorValue, type KeysetOrder } from '@evp/read-models';
import { CLOCK, READ_MODEL_READER, type ReadModelReader } from '@evp/runtime';
import { activePlan, holdOf, isPaused, isWaiting, nextPlanCheck, type NavFollowUp } from '@evp/nav-domain';
import { NavReadAudit } from './audit';
import { NAV_NOTES, type NavNoteVault } from './notes';
import { NAV_PROJECTION, NAV_PROJECTION_VERSION, type FollowUpRow, type NavTables } from './projection';

/**
 * Who sees what of NAV's records (DOMAIN.md, «Privacy is part of the domain»): the advisers and the
 * lead of the handling office see everything; the husleierestanseteam (and admin) of the
 * municipality a summary without amounts or notes; everyone else nothing — answered as «not found».
 */
export function navAccess(caller: Caller, row: { municipality: string; nav_office: string }): 'full' | 'summary' | 'none' {
  if (!mayActIn(caller, row.municipality)) return 'none';
  if (hasRole(caller, 'nav-adviser', 'nav-lead') && caller.navOffice !== null && caller.navOffice === row.nav_office) return 'full';
  if (hasRole(caller, 'arrears-team', 'admin')) return 'summary';
  return 'none';
}

const ORDER: KeysetOrder[] = [
  { column: 'priority', direction: 'asc' },
  { column: 'sort_on', direction: 'asc' },
  { column: 'case_id', direction: 'asc' },
];
export const INBOX_CURSOR_ARITY = ORDER.length;
export const INBOX_VIEWS = ['open', 'unclaimed', 'claimed', 'mine', 'concluded'] as const;
export type InboxView = (typeof INBOX_VIEWS)[number];

export interface InboxItem {
  readonly caseId: string;
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly status: FollowUpRow['status'];
  readonly assignee: { readonly actorId: string; readonly role: string } | null;
  readonly mine: boolean;
  readonly referrals: ReadonlyArray<{
    readonly referralId: string;
    readonly source: string;
    readonly referredOn: LocalDate;
    readonly pickupDueOn: LocalDate;
    readonly pickedUpOn: LocalDate | null;
    readonly pickupOverdue: boolean;
    readonly petitionOn: LocalDate | null;
    readonly evictionOn: LocalDate | null;
  }>;
  /** The earliest pickup limit of a referral still waiting, or null. */
  readonly pickupDueOn: LocalDate | null;
  readonly pickupOverdue: boolean;
  /** The inbox's order: `priority` (0 a petition or eviction date is known, 1 children or vulnerable, 2 the rest), then this date. */
  readonly priority: number;
  readonly sortOn: LocalDate;
  readonly childrenInHousehold: boolean;
  readonly vulnerable: boolean;
  /** Why it sits where it sits, in bokmål. */
  readonly priorityReasons: readonly string[];
  readonly planBreached: boolean;
  readonly paused: boolean;
  readonly caseResolvedOn: LocalDate | null;
}

function inboxItem(row: FollowUpRow, caller: Caller, today: LocalDate): InboxItem {
  const f = JSON.parse(row.state) as NavFollowUp;
  const waiting = f.referrals.filter(isWaiting);
  const eviction = f.referrals.map((r) => r.evictionOn).filter((d): d is string => d !== null).sort()[0];
  const petition = f.referrals.map((r) => r.petitionOn).filter((d): d is string => d !== null).sort()[0];
  const reasons = [
    eviction ? `Utkastelse ${eviction}` : null,
    petition ? `Begjæring om fravikelse ${petition}` : null,
    waiting.length ? `Må tas innen ${waiting.map((r) => r.pickupDueOn).sort()[0]}` : null,
    f.flags.childrenInHousehold ? 'Barn i husstanden' : null,
    f.flags.vulnerable ? 'Sårbar husstand' : null,
  ].filter((r): r is string => r !== null);
  return {
    caseId: f.caseId,
    municipalityNumber: f.municipalityNumber,
    tenancyId: f.tenancyId,
    status: row.status,
    assignee: f.assignee,
    mine: f.assignee?.actorId === caller.actorId,
    referrals: f.referrals.map((r) => ({
      referralId: r.referralId,
      source: r.source,
      referredOn: r.referredOn,
      pickupDueOn: r.pickupDueOn,
      pickedUpOn: r.pickedUpOn,
      pickupOverdue: r.pickupOverdueOn !== null,
      petitionOn: r.petitionOn,
      evictionOn: r.evictionOn,
    })),
    pickupDueOn: waiting.map((r) => r.pickupDueOn).sort()[0] ?? null,
    pickupOverdue: f.referrals.some((r) => r.pickupOverdueOn !== null && isWaiting(r)),
    priority: row.priority,
    sortOn: row.sort_on,
    childrenInHousehold: f.flags.childrenInHousehold,
    vulnerable: f.flags.vulnerable,
    priorityReasons: reasons,
    planBreached: f.plans.some((p) => p.status === 'active' && p.breach !== null),
    paused: isPaused(f, today),
    caseResolvedOn: f.caseResolvedOn,
  };
}

/** The office inbox of the caller's NAV office, by deadline and priority, one keyset page at a time. */
export class NavInboxQuery {
  constructor(
    readonly caller: Caller,
    readonly view: InboxView,
    readonly after: readonly CursorValue[] | undefined,
    readonly limit: number,
  ) {}
}

/** NAV's whole record of one case, for the handling office: `undefined` for anyone else (a 404). */
export class NavRecordQuery {
  constructor(
    readonly caller: Caller,
    readonly caseId: string,
  ) {}
}

/** What the husleierestanseteam may know of NAV's follow-up: `undefined` when out of reach (a 404). */
export class NavSummaryQuery {
  constructor(
    readonly caller: Caller,
    readonly caseId: string,
  ) {}
}

/** What the caller must be told: the lead all of the office's, an adviser their own, the team the summary of theirs. */
export class NavAlertsQuery {
  constructor(
    readonly caller: Caller,
    readonly after: readonly CursorValue[] | undefined,
    readonly limit: number,
  ) {}
}

/** The office lead reads who read the office's records (optionally for one case). */
export class NavAuditQuery {
  constructor(
    readonly caller: Caller,
    readonly caseId: string | undefined,
    readonly after: readonly CursorValue[] | undefined,
    readonly limit: number,
  ) {}
}

abstract class NavQueryHandler {
  constructor(
    protected readonly readModels: ReadModelReader,
    protected readonly clock: Clock,
  ) {}

  protected db(): Promise<Kysely<NavTables>> {
    return this.readModels.projection<NavTables>(NAV_PROJECTION, NAV_PROJECTION_VERSION);
  }

  protected today(): LocalDate {
    return osloDate(this.clock.now());
  }
}

@QueryHandler(NavInboxQuery)
export class NavInboxHandler extends NavQueryHandler implements IQueryHandler<NavInboxQuery> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader, @Inject(CLOCK) clock: Clock, private readonly audit: NavReadAudit) {
    super(readModels, clock);
  }

  async execute(q: NavInboxQuery): Promise<{ items: InboxItem[]; nextCursor: string | null }> {
    const office = q.caller.navOffice;
    if (!hasRole(q.caller, 'nav-adviser', 'nav-lead') || office === null || q.caller.municipalities.length === 0) return { items: [], nextCursor: null };
    const db = await this.db();
    let query = q.view === 'mine' ? db.selectFrom('nav_followups').selectAll().where('assignee_actor', '=', q.caller.actorId).where('nav_office', '=', office) : db.selectFrom('nav_followups').selectAll().where('nav_office', '=', office);
    if (q.view === 'open' || q.view === 'mine') query = query.where('open', '=', 1);
    else query = query.where('status', '=', q.view);
    query = query.where('municipality', 'in', q.caller.municipalities);
    const page = await keysetPage(query, { order: ORDER, ...(q.after ? { after: q.after } : {}), limit: q.limit });
    const byMunicipality = new Map<string, string[]>();
    for (const row of page.rows) byMunicipality.set(row.municipality, [...(byMunicipality.get(row.municipality) ?? []), row.case_id]);
    for (const [municipalityNumber, caseIds] of byMunicipality) await this.audit.record(q.caller, { municipalityNumber, navOffice: office, caseIds, view: 'inbox', outcome: 'shown' });
    const today = this.today();
    return { items: page.rows.map((row) => inboxItem(row, q.caller, today)), nextCursor: page.nextCursor };
  }
}

@QueryHandler(NavRecordQuery)
export class NavRecordHandler extends NavQueryHandler implements IQueryHandler<NavRecordQuery> {
  constructor(
    @Inject(READ_MODEL_READER) readModels: ReadModelReader,
    @Inject(CLOCK) clock: Clock,
    private readonly audit: NavReadAudit,
    @Inject(NAV_NOTES) private readonly notes: NavNoteVault,
  ) {
    super(readModels, clock);
  }

  async execute(q: NavRecordQuery): Promise<NavRecordView | undefined> {
    const db = await this.db();
    const row = await db.selectFrom('nav_followups').selectAll().where('case_id', '=', q.caseId).executeTakeFirst();
    if (!row) return undefined;
    const access = navAccess(q.caller, row);
    await this.audit.record(q.caller, { municipalityNumber: row.municipality, navOffice: row.nav_office, caseIds: [row.case_id], view: 'record', outcome: access === 'full' ? 'shown' : 'denied' });
    if (access !== 'full') return undefined;
    const timeline = await db.selectFrom('nav_timeline').selectAll().where('case_id', '=', q.caseId).orderBy('revision').execute();
    const f = JSON.parse(row.state) as NavFollowUp;
    const refs = [...timeline.flatMap((t) => JSON.parse(t.note_refs) as string[])];
    const texts = await this.notes.open(refs);
    return recordView(f, row, timeline, texts, q.caller, this.today());
  }
}

@QueryHandler(NavSummaryQuery)
export class NavSummaryHandler extends NavQueryHandler implements IQueryHandler<NavSummaryQuery> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader, @Inject(CLOCK) clock: Clock, private readonly audit: NavReadAudit) {
    super(readModels, clock);
  }

  async execute(q: NavSummaryQuery): Promise<NavSummaryView | undefined> {
    const db = await this.db();
    const row = await db.selectFrom('nav_followups').selectAll().where('case_id', '=', q.caseId).executeTakeFirst();
    if (!row) return undefined;
    const access = navAccess(q.caller, row);
    await this.audit.record(q.caller, { municipalityNumber: row.municipality, navOffice: row.nav_office, caseIds: [row.case_id], view: 'summary', outcome: access === 'none' ? 'denied' : 'summary' });
    if (access === 'none') return undefined;
    return summaryView(JSON.parse(row.state) as NavFollowUp, this.today());
  }
}

@QueryHandler(NavAlertsQuery)
export class NavAlertsHandler extends NavQueryHandler implements IQueryHandler<NavAlertsQuery> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader, @Inject(CLOCK) clock: Clock) {
    super(readModels, clock);
  }

  async execute(q: NavAlertsQuery) {
    const db = await this.db();
    const order: KeysetOrder[] = [
      { column: 'on', direction: 'desc' },
      { column: 'alert_id', direction: 'desc' },
    ];
    const office = q.caller.navOffice;
    const municipalities = q.caller.municipalities.length ? q.caller.municipalities : [''];
    const base = db.selectFrom('nav_alerts').selectAll().where('municipality', 'in', municipalities);
    const nav = hasRole(q.caller, 'nav-lead', 'nav-adviser') && office !== null;
    const query = hasRole(q.caller, 'nav-lead') && office !== null
      ? base.where('nav_office', '=', office)
      : hasRole(q.caller, 'nav-adviser') && office !== null
        ? base.where('nav_office', '=', office).where('told_actor', '=', q.caller.actorId)
        : base.where('for_team', '=', 1);
    const page = await keysetPage(query, { order, ...(q.after ? { after: q.after } : {}), limit: q.limit });
    return {
      items: page.rows.map((a) => ({ alertId: a.alert_id, caseId: a.case_id, kind: a.kind, on: a.on, summary: nav ? a.summary : a.team_summary })),
      nextCursor: page.nextCursor,
    };
  }
}

@QueryHandler(NavAuditQuery)
export class NavAuditHandler extends NavQueryHandler implements IQueryHandler<NavAuditQuery> {
  constructor(@Inject(READ_MODEL_READER) readModels: ReadModelReader, @Inject(CLOCK) clock: Clock) {
    super(readModels, clock);
  }

  async execute(q: NavAuditQuery) {
    const office = q.caller.navOffice;
    if (!hasRole(q.caller, 'nav-lead') || office === null) return { items: [], nextCursor: null };
    const db = await this.db();
    let query = db.selectFrom('nav_audit').selectAll().where('nav_office', '=', office).where('municipality', 'in', q.caller.municipalities.length ? q.caller.municipalities : ['']);
    if (q.caseId) query = query.where('case_id', '=', q.caseId);
    const order: KeysetOrder[] = [
      { column: 'at', direction: 'desc' },
      { column: 'audit_id', direction: 'desc' },
    ];
    const page = await keysetPage(query, { order, ...(q.after ? { after: q.after } : {}), limit: q.limit });
    return {
      items: page.rows.map((r) => ({ caseId: r.case_id, at: r.at, reader: { actorId: r.actor_id, role: r.role, navOffice: r.reader_office || null }, view: r.view, outcome: r.outcome })),
      nextCursor: page.nextCursor,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The views.
// ---------------------------------------------------------------------------------------------

/**
 * The husleierestanseteam's summary: NAV has it, the next date, help on its way yes/no, and what
 * the team is told (a referral not picked up, a plan in breach). No amounts, no notes, no
 * decisions, no flags.
 */
export interface NavSummaryView {
  readonly caseId: string;
  readonly navHasIt: boolean;
  readonly status: 'awaiting-pickup' | 'followed-up' | 'concluded';
  readonly nextDate: LocalDate | null;
  readonly helpOnItsWay: boolean;
  readonly pickupOverdue: boolean;
  readonly planBreached: boolean;
}

/** The next day something is due in NAV's follow-up: an instalment, the end of a pause, a payment expected, the pickup limit. */
function nextDateOf(f: NavFollowUp, today: LocalDate): LocalDate | null {
  if (f.concluded) return null;
  const plan = activePlan(f);
  const dates = [
    ...(plan ? plan.instalments.map((i) => i.dueOn) : []),
    ...(f.pause && f.pause.endedOn === null ? [addDays(f.pause.until, 1)] : []),
    ...f.assistance.filter((a) => a.outcome === 'granted' && a.datePassedOn === null && a.expectedPaymentOn !== null).map((a) => a.expectedPaymentOn as string),
    ...f.referrals.filter(isWaiting).map((r) => r.pickupDueOn),
  ];
  return dates.filter((d) => d >= today).sort()[0] ?? null;
}

export function summaryView(f: NavFollowUp, today: LocalDate): NavSummaryView {
  return {
    caseId: f.caseId,
    navHasIt: f.assignee !== null || f.concluded !== null,
    status: f.concluded ? 'concluded' : f.assignee ? 'followed-up' : 'awaiting-pickup',
    nextDate: nextDateOf(f, today),
    helpOnItsWay: holdOf({ followUps: [f] }, today).onItsWayOre > 0,
    pickupOverdue: f.referrals.some((r) => r.pickupOverdueOn !== null && isWaiting(r)),
    planBreached: f.plans.some((p) => p.status === 'active' && p.breach !== null),
  };
}

export type NavRecordView = ReturnType<typeof recordView>;

function recordView(
  f: NavFollowUp,
  row: FollowUpRow,
  timeline: ReadonlyArray<{ on: string; at: string; type: string; summary: string; actor_id: string; actor_role: string; note_refs: string }>,
  texts: ReadonlyMap<string, string | null>,
  caller: Caller,
  today: LocalDate,
) {
  const text = (ref: string | null) => (ref === null ? null : (texts.get(ref) ?? null));
  const advice = f.advice.map((a) => ({
    requestId: a.requestId,
    requestedOn: a.requestedOn,
    form: a.form,
    /** The audit's first question: was there a written decision? */
    writtenDecision: a.decision ? { decidedOn: a.decision.decidedOn, outcome: a.decision.outcome, reason: text(a.decision.reasonRef) } : null,
    startNormDueOn: a.startNormDueOn,
    startedOn: a.startedOn,
    /** The audit's second question: did the service start in time? Null until it started (or when refused). */
    startedInTime: a.startedOn === null ? null : !a.startedLate,
    lateReason: text(a.lateReasonRef),
    followUps: a.followUps,
    concludedOn: a.concludedOn,
  }));
  const granted = f.advice.filter((a) => a.decision?.outcome === 'granted');
  const summary = summaryView(f, today);
  return {
    ...inboxItem(row, caller, today),
    nextDate: summary.nextDate,
    helpOnItsWay: summary.helpOnItsWay,
    navOffice: f.navOffice,
    flags: f.flags,
    contacts: f.contacts,
    economicAdvice: advice,
    /** The county governor's two questions (sosialtjenesteloven § 17), answered for this case. */
    auditAnswers: {
      requests: f.advice.length,
      withWrittenDecision: f.advice.filter((a) => a.decision !== null).length,
      awaitingDecision: f.advice.filter((a) => a.decision === null).map((a) => ({ requestId: a.requestId, requestedOn: a.requestedOn })),
      startedInTime: granted.filter((a) => a.startedOn !== null && !a.startedLate).length,
      startedLate: granted.filter((a) => a.startedLate).length,
      notStartedPastNorm: granted.filter((a) => a.startedOn === null && today > a.startNormDueOn).map((a) => ({ requestId: a.requestId, startNormDueOn: a.startNormDueOn })),
    },
    paymentPlans: f.plans.map((p) => ({ ...p, nextCheckOn: p.status === 'active' ? nextPlanCheck(p, addDays(today, -1)) : null })),
    incomeManagement: f.incomeManagement,
    financialAssistance: f.assistance.map((a) => ({ ...a, reason: text(a.reasonRef), onItsWay: a.outcome === 'granted' && a.datePassedOn === null && a.expectedPaymentOn !== null && today <= a.expectedPaymentOn })),
    housingApplications: f.housingApplications,
    housingDecisions: f.housingDecisions.map((h) => ({ ...h, decision: h.decision ? { ...h.decision, reason: text(h.decision.reasonRef) } : null })),
    pause: f.pause ? { ...f.pause, reason: text(f.pause.reasonRef) } : null,
    concluded: f.concluded,
    timeline: timeline.map((t) => ({
      on: t.on,
      at: t.at,
      type: t.type,
      summary: t.summary,
      actor: { actorId: t.actor_id, role: t.actor_role },
      notes: (JSON.parse(t.note_refs) as string[]).map((ref) => texts.get(ref)).filter((n): n is string => typeof n === 'string'),
    })),
  };
}

export const NAV_QUERY_HANDLERS = [NavInboxHandler, NavRecordHandler, NavSummaryHandler, NavAlertsHandler, NavAuditHandler];
