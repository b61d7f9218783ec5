import { EventTypeMap, type RecordedEvent } from '@evp/event-store';
import { ReferralReleasedEvent, registerNavEventTypes } from './event-classes';

/** A `nav.ReferralReleased` as it stands in the log, at the schema version its metadata names. */
const stored = (data: Record<string, unknown>, schemaVersion: number): RecordedEvent => ({
  id: '00000000-0000-5000-8000-000000000001',
  streamName: 'nav-5035-100234',
  revision: 2,
  position: '000000000003',
  type: 'nav.ReferralReleased',
  data: data as RecordedEvent['data'],
  metadata: { correlationId: 'c', causationId: null, actor: { id: 'a_kari', role: 'nav-adviser' }, occurredAt: '2026-11-18T09:00:00.000Z', schemaVersion },
  recordedAt: '2026-11-18T09:00:00.000Z',
});

const kari = { actorId: 'a_kari', role: 'nav-adviser' };

describe("NAV's stored event types", () => {
  const types = registerNavEventTypes(new EventTypeMap());

  it('writes nav.ReferralReleased at schema version 2 (a release carries its wait in the inbox)', () => {
    expect(types.schemaVersionOf('nav.ReferralReleased')).toBe(2);
  });

  it('reads a version-1 nav.ReferralReleased (stored before releases had a pickup limit) with referralId and pickupDueOn null', () => {
    const v1 = stored({ caseId: '5035-100234-1', adviser: kari, releasedOn: '2026-11-18', by: kari }, 1);
    const expected = { caseId: '5035-100234-1', adviser: kari, releasedOn: '2026-11-18', by: kari, referralId: null, pickupDueOn: null };
    expect(types.upcast(v1)).toEqual(expected);
    const event = types.rehydrate<ReferralReleasedEvent>(v1);
    expect(event).toBeInstanceOf(ReferralReleasedEvent);
    expect(event.data).toEqual(expected);
    expect(event.context.metadata.schemaVersion).toBe(2);
  });

  it('reads a version-2 nav.ReferralReleased as stored', () => {
    const data = { caseId: '5035-100234-1', adviser: kari, releasedOn: '2026-12-23', by: kari, referralId: '5035-100234-1.release.1', pickupDueOn: '2026-12-29' };
    expect(types.upcast(stored(data, 2))).toEqual(data);
  });
});
