import { randomUUID } from 'node:crypto';
import type { EventStore } from '@evp/event-store';
import type { Clock } from '@evp/shared-kernel';
import { actingRole, type Caller } from '@evp/auth';
import { navAuditStreamName, type NavRecordRead } from '@evp/nav-domain';

/**
 * Every read of NAV's records by a person is an event (who, when, which cases, what they saw),
 * appended before the answer leaves: a read that cannot be audited is not answered. The office
 * lead reads them back (`NavAuditQuery`). Denied attempts are recorded too.
 */
export class NavReadAudit {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async record(caller: Caller, read: Omit<NavRecordRead['data'], 'reader' | 'readAt'>): Promise<void> {
    if (read.caseIds.length === 0) return;
    const now = this.clock.now();
    const role = actingRole(caller, ['nav-adviser', 'nav-lead', 'arrears-team', 'admin', 'accounting', 'landlord']);
    const data: NavRecordRead['data'] = { ...read, reader: { actorId: caller.actorId, role, navOffice: caller.navOffice }, readAt: now.toISOString() };
    await this.store.appendToStream(
      navAuditStreamName(read.municipalityNumber),
      [
        {
          id: randomUUID(),
          type: 'nav.RecordRead',
          data: data as unknown as Record<string, never>,
          metadata: { correlationId: randomUUID(), causationId: null, actor: { id: caller.actorId, role }, occurredAt: now.toISOString(), schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'any' },
    );
  }
}
