import { EventTypeMap, SqliteEventStore } from '@evp/event-store';
import type { Causation } from '@evp/runtime';
import type { Caller } from '@evp/auth';
import type { RentAccountPosition, RentAccounts } from '@evp/ledger-contract';
import { NavRuleError, type NavPolicy } from '@evp/nav-domain';
import { ClaimReferralCommand, ClaimReferralHandler, RecordNavStepCommand, RecordNavStepHandler, ReleaseReferralCommand, ReleaseReferralHandler, RunNavCommand, RunNavCommandHandler } from './commands';
import { registerNavEventTypes } from './event-classes';
import { StreamNavHolds, loadHousehold } from './household-stream';
import type { HouseholdNotes } from '@evp/people-contract';
import { PeopleNoteVault, noteIdFor } from './notes';

/** The people context's port as NAV sees it: sealed per household, opened by the owner only. */
class FakeHouseholdNotes implements HouseholdNotes {
  readonly sealed = new Map<string, { owner: string; household: string; text: string }>();
  async seal(owner: string, household: { municipalityNumber: string; householdId: string }, notes: ReadonlyArray<{ noteId: string; text: string }>): Promise<void> {
    for (const n of notes) if (!this.sealed.has(n.noteId)) this.sealed.set(n.noteId, { owner, household: `${household.municipalityNumber}-${household.householdId}`, text: n.text });
  }
  async open(owner: string, noteIds: readonly string[]): Promise<ReadonlyMap<string, string | null>> {
    return new Map(noteIds.map((id) => [id, this.sealed.get(id)?.owner === owner ? (this.sealed.get(id)?.text ?? null) : null]));
  }
}

const policy: NavPolicy = { pickupWorkingDays: 3, adviceStartNormWorkingDays: 10, planToleranceDays: 5, incomeCheckDay: 10 };
const base: Caller = { actorId: 'a_x', roles: ['nav-adviser'], municipalities: ['5035'], navOffice: 'nav-stjordal', landlordId: null, landlordPersonId: null };
const kari: Caller = { ...base, actorId: 'a_kari' };
const per: Caller = { ...base, actorId: 'a_per' };
const causation = (id: string, actor: Caller | null, at = '2026-11-17T09:00:00+01:00'): Causation => ({
  id,
  correlationId: id,
  actor: actor ? { id: actor.actorId, role: 'nav-adviser' } : { id: 'workflow-nav', role: 'system' },
  now: new Date(at),
});
const position = (overdueOre: number): RentAccountPosition => ({
  municipalityNumber: '5035',
  tenancyId: '100234',
  navOffice: 'nav-stjordal',
  landlordKind: 'municipal',
  monthlyRentOre: 928200,
  balanceOre: overdueOre,
  overdueOre,
  arrearsOre: overdueOre,
  daysPastGrace: 10,
  unpaidDueDates: ['2026-11-02'],
  asOf: '2026-11-17',
  revision: 3,
});

describe('NAV commands against the household stream', () => {
  const types = registerNavEventTypes(new EventTypeMap());
  let store: SqliteEventStore;
  const accounts: RentAccounts = { position: async () => position(928200) };

  beforeEach(async () => {
    store = new SqliteEventStore({ file: ':memory:' });
    await new RunNavCommandHandler(store, types, policy, accounts).execute(
      new RunNavCommand(
        {
          type: 'nav.ReceiveReferral',
          referral: {
            caseId: '5035-100234-1',
            referralId: '5035-100234-1.escalation.1',
            municipalityNumber: '5035',
            tenancyId: '100234',
            navOffice: 'nav-stjordal',
            source: 'escalation',
            referredOn: '2026-11-16',
            reasons: [],
            petitionOn: null,
            evictionOn: null,
          },
        },
        causation('workflow-nav:referral', null, '2026-11-16T08:00:00+01:00'),
      ),
    );
  });
  afterEach(async () => {
    await store.close();
  });

  it('two advisers claim at once: exactly one wins (optimistic concurrency), the other is told who has it', async () => {
    const handler = new ClaimReferralHandler(store, types, policy);
    const results = await Promise.allSettled([
      handler.execute(new ClaimReferralCommand(kari, '5035-100234-1', causation('claim-kari', kari))),
      handler.execute(new ClaimReferralCommand(per, '5035-100234-1', causation('claim-per', per))),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(NavRuleError);
    const winner = (await loadHousehold(store, types, '5035', '100234')).followUps[0]?.assignee;
    expect(lost[0]?.reason).toMatchObject({ code: 'ALREADY_CLAIMED', details: { claimedBy: winner } });
    expect((await store.readStream('nav-5035-100234')).map((e) => e.type)).toEqual(['nav.ReferralReceived', 'nav.ReferralClaimed']);
  });

  it('a release puts it back in the inbox with a new pickup limit, written at schema version 2; a version-1 release in the stream started no wait', async () => {
    const kariActor = { actorId: 'a_kari', role: 'nav-adviser' };
    await new ClaimReferralHandler(store, types, policy).execute(new ClaimReferralCommand(kari, '5035-100234-1', causation('claim-kari', kari)));
    // Released before releases had a pickup limit: stored at version 1, without a referral of its own.
    await store.appendToStream(
      'nav-5035-100234',
      [
        {
          id: '00000000-0000-5000-8000-000000000042',
          type: 'nav.ReferralReleased',
          data: { caseId: '5035-100234-1', adviser: kariActor, releasedOn: '2026-11-18', by: kariActor },
          metadata: { correlationId: 'release-old', causationId: null, actor: { id: 'a_kari', role: 'nav-adviser' }, occurredAt: '2026-11-18T09:00:00.000Z', schemaVersion: 1 },
        },
      ],
      { expectedRevision: 1 },
    );
    const afterOld = (await loadHousehold(store, types, '5035', '100234')).followUps[0];
    expect(afterOld?.assignee).toBeNull();
    expect(afterOld?.referrals.map((r) => [r.referralId, r.pickedUpOn])).toEqual([['5035-100234-1.escalation.1', '2026-11-17']]);

    await new ClaimReferralHandler(store, types, policy).execute(new ClaimReferralCommand(per, '5035-100234-1', causation('claim-per', per, '2026-11-19T09:00:00+01:00')));
    const release = new ReleaseReferralHandler(store, types, policy);
    const released = await release.execute(new ReleaseReferralCommand(per, '5035-100234-1', causation('release-per', per, '2026-12-23T09:00:00+01:00')));
    const perActor = { actorId: 'a_per', role: 'nav-adviser' };
    expect(released).toEqual([
      { type: 'nav.ReferralReleased', data: { caseId: '5035-100234-1', adviser: perActor, releasedOn: '2026-12-23', by: perActor, referralId: '5035-100234-1.release.1', pickupDueOn: '2026-12-29' } },
    ]);
    expect((await store.readStream('nav-5035-100234')).at(-1)?.metadata.schemaVersion).toBe(2);
    const waiting = (await loadHousehold(store, types, '5035', '100234')).followUps[0]?.referrals.at(-1);
    expect(waiting).toMatchObject({ referralId: '5035-100234-1.release.1', source: 'release', referredOn: '2026-12-23', pickupDueOn: '2026-12-29', pickedUpOn: null });
    // Nobody has it now: releasing again decides nothing.
    expect(await release.execute(new ReleaseReferralCommand(per, '5035-100234-1', causation('release-per-2', per, '2026-12-23T09:05:00+01:00')))).toEqual([]);
  });

  it('a step stores its note through the vault only when it is accepted; the event carries the note id, never the text', async () => {
    const people = new FakeHouseholdNotes();
    const vault = new PeopleNoteVault(people);
    const steps = new RecordNavStepHandler(store, types, policy, accounts, vault);
    const noteId = noteIdFor('step-1', 'note');
    const contact = { type: 'contact-made' as const, contactId: 'c1', channel: 'phone' as const, contactedOn: '2026-11-17', noteRef: noteId };
    await expect(steps.execute(new RecordNavStepCommand(kari, '5035-100234-1', contact, [{ noteId, text: 'Ringte, avtalte møte.' }], causation('step-1', kari)))).rejects.toMatchObject({ code: 'NOT_CLAIMED' });
    expect((await vault.open([noteId])).get(noteId)).toBeNull();
    await new ClaimReferralHandler(store, types, policy).execute(new ClaimReferralCommand(kari, '5035-100234-1', causation('claim-kari', kari)));
    await steps.execute(new RecordNavStepCommand(kari, '5035-100234-1', contact, [{ noteId, text: 'Ringte, avtalte møte.' }], causation('step-1', kari)));
    expect((await vault.open([noteId])).get(noteId)).toBe('Ringte, avtalte møte.');
    // Sealed for the case's household, under NAV's name; NAV's own streams hold no text.
    expect(people.sealed.get(noteId)).toMatchObject({ owner: 'nav', household: '5035-100234' });
    const stream = await store.readStream('nav-5035-100234');
    expect(JSON.stringify(stream)).not.toContain('Ringte');
    expect(stream[2]?.data).toEqual({ caseId: '5035-100234-1', contactId: 'c1', channel: 'phone', contactedOn: '2026-11-17', noteRef: noteId });
  });

  it("a payment plan is measured against the ledger's overdue amount, not a number typed in", async () => {
    await new ClaimReferralHandler(store, types, policy).execute(new ClaimReferralCommand(kari, '5035-100234-1', causation('claim-kari', kari)));
    const steps = new RecordNavStepHandler(store, types, policy, accounts, new PeopleNoteVault(new FakeHouseholdNotes()));
    await steps.execute(
      new RecordNavStepCommand(kari, '5035-100234-1', { type: 'payment-plan-agreed', planId: 'p1', agreedOn: '2026-11-17', instalments: [{ dueOn: '2026-12-01', amountOre: 928200 }], toleranceDays: null, startOverdueOre: 1 }, [], causation('plan', kari)),
    );
    expect((await loadHousehold(store, types, '5035', '100234')).followUps[0]?.plans[0]).toMatchObject({ startOverdueOre: 928200, toleranceDays: 5 });
  });

  it('the hold port reads NAV’s stream: assistance on its way until its date, nothing for a household NAV never saw', async () => {
    await new ClaimReferralHandler(store, types, policy).execute(new ClaimReferralCommand(kari, '5035-100234-1', causation('claim-kari', kari)));
    await new RecordNavStepHandler(store, types, policy, accounts, new PeopleNoteVault(new FakeHouseholdNotes())).execute(
      new RecordNavStepCommand(
        kari,
        '5035-100234-1',
        { type: 'financial-assistance-decided', assistanceId: 'fa1', paragraph: '18', form: 'loan', amountOre: 500000, decidedOn: '2026-11-17', outcome: 'granted', expectedPaymentOn: '2026-11-24', reasonRef: null },
        [],
        causation('fa', kari),
      ),
    );
    const holds = new StreamNavHolds(store, types);
    expect(await holds.holdOn('5035', '100234', '2026-11-24')).toEqual({ onItsWayOre: 500000, pausedUntil: null });
    expect(await holds.holdOn('5035', '100234', '2026-11-25')).toEqual({ onItsWayOre: 0, pausedUntil: null });
    expect(await holds.holdOn('5035', '999999', '2026-11-24')).toEqual({ onItsWayOre: 0, pausedUntil: null });
  });
});

describe("NAV's follow-up follows the tenancy's NAV office as the ledger has it", () => {
  const types = registerNavEventTypes(new EventTypeMap());
  const referral = {
    caseId: '5035-100234-1',
    referralId: '5035-100234-1.escalation.1',
    municipalityNumber: '5035',
    tenancyId: '100234',
    navOffice: 'nav-stjordal',
    source: 'escalation' as const,
    referredOn: '2026-11-16',
    reasons: [],
    petitionOn: null,
    evictionOn: null,
  };
  let store: SqliteEventStore;
  let office: string;
  const accounts: RentAccounts = { position: async () => ({ ...position(928200), navOffice: office }) };
  const run = (command: RunNavCommand['command'], id: string, at: string) => new RunNavCommandHandler(store, types, policy, accounts).execute(new RunNavCommand(command, causation(id, null, at)));

  beforeEach(() => {
    store = new SqliteEventStore({ file: ':memory:' });
    office = 'nav-stjordal';
  });
  afterEach(async () => {
    await store.close();
  });

  it("moves to the ledger's office, not the one a redelivered older change named: A → B → A replayed moves nothing", async () => {
    await run({ type: 'nav.ReceiveReferral', referral }, 'workflow-nav:referral', '2026-11-16T08:00:00+01:00');
    await new ClaimReferralHandler(store, types, policy).execute(new ClaimReferralCommand(kari, '5035-100234-1', causation('claim-kari', kari)));
    office = 'nav-levanger';
    const moved = await run({ type: 'nav.TransferFollowUp', caseId: '5035-100234-1', toOffice: 'nav-levanger' }, 'workflow-nav:move-1', '2026-11-26T08:00:00+01:00');
    expect(moved).toEqual([
      {
        type: 'nav.FollowUpTransferred',
        data: {
          caseId: '5035-100234-1',
          fromOffice: 'nav-stjordal',
          toOffice: 'nav-levanger',
          transferredOn: '2026-11-26',
          previousAdviser: { actorId: 'a_kari', role: 'nav-adviser' },
          referralId: '5035-100234-1.transfer.1',
          pickupDueOn: '2026-12-01',
          supersededReferrals: [],
        },
      },
    ]);
    // The same command again (a redelivery), and an older change to Stjørdal replayed while the ledger says Levanger: nothing.
    expect(await run({ type: 'nav.TransferFollowUp', caseId: '5035-100234-1', toOffice: 'nav-levanger' }, 'workflow-nav:move-1', '2026-11-26T08:00:00+01:00')).toEqual([]);
    expect(await run({ type: 'nav.TransferFollowUp', caseId: '5035-100234-1', toOffice: 'nav-stjordal' }, 'workflow-nav:move-0', '2026-11-27T08:00:00+01:00')).toEqual([]);
    const household = await loadHousehold(store, types, '5035', '100234');
    expect(household.followUps[0]).toMatchObject({ navOffice: 'nav-levanger', assignee: null });
    expect((await store.readStream('nav-5035-100234')).map((e) => e.type)).toEqual(['nav.ReferralReceived', 'nav.ReferralClaimed', 'nav.FollowUpTransferred']);
    // The old office's adviser no longer reaches it.
    await expect(new ClaimReferralHandler(store, types, policy).execute(new ClaimReferralCommand(kari, '5035-100234-1', causation('claim-kari-2', kari, '2026-11-27T09:00:00+01:00')))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("a household's first referral goes to the ledger's office when the case named the office it had before a move", async () => {
    office = 'nav-levanger';
    await run({ type: 'nav.ReceiveReferral', referral }, 'workflow-nav:referral', '2026-11-16T08:00:00+01:00');
    expect((await loadHousehold(store, types, '5035', '100234')).followUps[0]?.navOffice).toBe('nav-levanger');
  });
});
