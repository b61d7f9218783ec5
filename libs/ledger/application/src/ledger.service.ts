import { deterministicId } from '@evp/shared-kernel';
import {
  WrongExpectedRevisionError,
  appendImport,
  type EventMetadata,
  type EventStore,
  type EventTypeMap,
  type JsonObject,
  type NewEvent,
  type StreamAppend,
} from '@evp/event-store';
import { LedgerRuleError, TENANCY_STREAM_PREFIX, decidePostings, decideRegistration, tenancyStreamName, type LedgerEvent, type Tenancy } from '@evp/ledger-domain';
import type { PeopleRecords, TenantToRecord } from '@evp/people-contract';
import { loadTenancies, loadTenancy } from './rent-accounts';
import { metadataFor, type CommandContext } from './command-context';
import { Slicer, type FieldError } from './csv';
import type { PostingLine } from './postings-input';
import type { TenancyLine } from './tenancies-input';
import { importRecord, municipalitiesOf, postingsContentSha256, tenanciesContentSha256 } from './import-record';

/** The whole input was refused: nothing was written. `conflict` when an ERP line would change. */
export class InputRejectedError extends Error {
  constructor(
    readonly errors: FieldError[],
    readonly kind: 'invalid' | 'conflict' | 'forbidden',
  ) {
    super(`${errors.length} feil i innsendingen; ingenting er lagret`);
  }
}

export interface PostingResult {
  readonly lines: number;
  readonly tenancies: number;
  readonly eventsWritten: number;
  /** Lines whose voucher was already posted with the same content. */
  readonly alreadyPosted: number;
  /** True when nothing new was written: a repeated file or request. */
  readonly noOp: boolean;
  /** The import this was recorded as (`GET /api/v1/ledger/imports`). */
  readonly importId: string;
}

export interface RegistrationResult {
  readonly tenancies: number;
  readonly registered: number;
  readonly changed: number;
  readonly unchanged: number;
  readonly noOp: boolean;
  /** The import this was recorded as (`GET /api/v1/ledger/imports`). */
  readonly importId: string;
}

const MAX_CONFLICT_RETRIES = 3;

/**
 * Accounting's commands on tenancy accounts. Every input is validated whole, then decided against
 * the current streams and appended in one atomic write across streams (the SQLite store does it in
 * one transaction; see the port). A concurrent append to one of the tenancies retries the whole
 * input from a fresh read.
 */
export class LedgerService {
  constructor(
    private readonly store: EventStore,
    /** The people context's port: tenants' identity numbers and names go there, encrypted, never into ledger events. */
    private readonly people: PeopleRecords,
    private readonly types: EventTypeMap,
  ) {}

  /** An opaque person id: HMAC of the identity number, so the same person gets the same id and the id reveals nothing. */
  personId(nationalId: string): string {
    return this.people.personId(nationalId);
  }

  loadTenancy(municipalityNumber: string, tenancyId: string): Promise<{ state: Tenancy; revision: number }> {
    return loadTenancy(this.store, this.types, municipalityNumber, tenancyId);
  }

  async registerTenancies(lines: readonly TenancyLine[], ctx: CommandContext): Promise<RegistrationResult> {
    assertMunicipalities(lines, ctx);
    return this.retryOnConflict(async () => {
      const appends: StreamAppend[] = [];
      const tenants: TenantToRecord[] = [];
      let registered = 0;
      let changed = 0;
      const metadata = metadataFor(ctx);
      const current = await loadTenancies(this.store, this.types, lines.map((l) => tenancyStreamName(l.municipalityNumber, l.tenancyId)));
      for (const line of lines) {
        const stream = tenancyStreamName(line.municipalityNumber, line.tenancyId);
        const { state, revision } = current.get(stream) as { state: Tenancy; revision: number };
        const personIds = line.tenants.map((t) => this.personId(t.nationalId));
        const events = decideRegistration(state, {
          municipalityNumber: line.municipalityNumber,
          tenancyId: line.tenancyId,
          address: line.address,
          monthlyRentOre: line.monthlyRentOre,
          landlordKind: line.landlordKind,
          navOffice: line.navOffice,
          tenantPersonIds: personIds,
        });
        // Identity numbers and names go to the people context, which stores them encrypted per person (erasable by deleting the key).
        for (const tenant of line.tenants) tenants.push({ nationalId: tenant.nationalId, name: tenant.name, municipalityNumber: line.municipalityNumber, tenancyId: line.tenancyId });
        if (events.length === 0) continue;
        if (events[0]?.type === 'ledger.TenancyRegistered') registered += 1;
        else changed += 1;
        appends.push({ streamName: stream, events: events.map((e) => toNewEvent(stream, e, `${revision}`, metadata)), expectedRevision: revision < 0 ? 'no_stream' : revision });
      }
      // Decided after the ledger's own decisions, so no data key is made for a registration refused above. The
      // person streams come first in the append: on EventStoreDB, which appends stream by stream, a tenancy
      // then never names a person whose data is not recorded yet.
      const people = (await this.people.prepareRecords(tenants)).map(
        (p): StreamAppend => ({
          streamName: p.streamName,
          expectedRevision: p.expectedRevision,
          events: p.events.map((e) => ({ id: e.id, type: e.type, data: e.data as JsonObject, metadata: { ...metadata, schemaVersion: e.schemaVersion } })),
        }),
      );
      // The import's record goes last in the same atomic append: recorded exactly when its tenancies are.
      const decided = appends.filter((a) => a.streamName.startsWith(TENANCY_STREAM_PREFIX)).reduce((n, a) => n + a.events.length, 0);
      const tenantLines = lines.reduce((n, l) => n + l.tenants.length, 0);
      const record = await importRecord(this.store, ctx, { sha256: tenanciesContentSha256(lines, (id) => this.personId(id)), municipalities: municipalitiesOf(lines) }, { kind: 'tenancies', lines: tenantLines, tenancies: lines.length, eventsWritten: decided, alreadyPosted: lines.length - registered - changed, noOp: decided === 0 });
      const all = [...people, ...appends, ...(record.append ? [record.append] : [])];
      const results = await this.appendAll(record.importId, all, metadata);
      const wroteSomething = results.slice(0, people.length + appends.length).some((r) => !r.alreadyAppended);
      return { tenancies: lines.length, registered, changed, unchanged: lines.length - registered - changed, noOp: !wroteSomething, importId: record.importId };
    });
  }

  async post(lines: readonly PostingLine[], ctx: CommandContext): Promise<PostingResult> {
    assertMunicipalities(lines, ctx);
    const byTenancy = new Map<string, PostingLine[]>();
    for (const line of lines) {
      const stream = tenancyStreamName(line.municipalityNumber, line.tenancyId);
      const same = byTenancy.get(stream);
      if (same) same.push(line);
      else byTenancy.set(stream, [line]);
    }
    return this.retryOnConflict(async () => {
      const invalid: FieldError[] = [];
      const conflicts: FieldError[] = [];
      const appends: StreamAppend[] = [];
      let alreadyPosted = 0;
      const metadata = metadataFor(ctx);
      // Every tenancy of the input in a few reads, not one round trip each (a month's file names tens of thousands).
      const current = await loadTenancies(this.store, this.types, [...byTenancy.keys()]);
      // A month's file decides for tens of thousands of tenancies: let other requests in now and then.
      const slicer = new Slicer();
      for (const [stream, tenancyLines] of byTenancy) {
        const paused = slicer.pause();
        if (paused) await paused;
        const { state, revision } = current.get(stream) as { state: Tenancy; revision: number };
        if (state.status === 'unregistered') {
          for (const l of tenancyLines) invalid.push({ line: l.line, column: 'leieforhold', reason: `ukjent leieforhold ${l.tenancyId} i kommune ${l.municipalityNumber}` });
          continue;
        }
        try {
          const decision = decidePostings(state, tenancyLines.map((l) => l.posting));
          alreadyPosted += decision.alreadyPosted.length;
          if (decision.events.length) {
            appends.push({ streamName: stream, events: decision.events.map((e) => toNewEvent(stream, e, '', metadata)), expectedRevision: revision });
          }
        } catch (error) {
          if (!(error instanceof LedgerRuleError) || error.code !== 'VOUCHER_CONFLICT') throw error;
          const line = tenancyLines.find((l) => l.posting.voucherRef === error.voucherRef);
          conflicts.push({ line: line?.line ?? null, column: 'bilagsnr', reason: error.message });
        }
      }
      if (invalid.length) throw new InputRejectedError([...invalid, ...conflicts].sort(byLine), 'invalid');
      if (conflicts.length) throw new InputRejectedError(conflicts.sort(byLine), 'conflict');
      // The import's record goes last in the same atomic append: recorded exactly when its postings are.
      const decided = appends.reduce((n, a) => n + a.events.length, 0);
      const record = await importRecord(this.store, ctx, { sha256: postingsContentSha256(lines), municipalities: municipalitiesOf(lines) }, { kind: 'postings', lines: lines.length, tenancies: byTenancy.size, eventsWritten: decided, alreadyPosted, noOp: decided === 0 });
      const all = record.append ? [...appends, record.append] : appends;
      const results = await this.appendAll(record.importId, all, metadata);
      const written = appends.filter((_, i) => !results[i]?.alreadyAppended).reduce((n, a) => n + a.events.length, 0);
      return { lines: lines.length, tenancies: byTenancy.size, eventsWritten: written, alreadyPosted, noOp: written === 0, importId: record.importId };
    });
  }

  /**
   * One accepted input, all or nothing. SQLite appends across streams in one transaction. EventStoreDB
   * appends atomically only within a stream: the input goes in as one import stream, then fans out to
   * its streams idempotently, and the worker completes an import a crash interrupted
   * (ARCHITECTURE.md, «Atomicity across streams»).
   */
  private async appendAll(importId: string, all: readonly StreamAppend[], metadata: EventMetadata): Promise<Array<{ alreadyAppended: boolean }>> {
    if (all.length === 0) return [];
    if (this.store.backend === 'sqlite') return this.store.appendToStreams(all);
    // `import-ledger-<id>` for the protocol, beside the ledger's own record in `import-<id>`.
    const result = await appendImport(this.store, `ledger-${importId}`, all, metadata);
    const byStream = new Map(result.streams.map((r) => [r.streamName, r.alreadyAppended]));
    return all.map((a) => ({ alreadyAppended: result.alreadyCompleted || (byStream.get(a.streamName) ?? true) }));
  }

  private async retryOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || i >= MAX_CONFLICT_RETRIES) throw error;
      }
    }
  }
}

function assertMunicipalities(lines: ReadonlyArray<{ line: number; municipalityNumber: string }>, ctx: CommandContext): void {
  const outside = lines.filter((l) => !ctx.municipalities.includes(l.municipalityNumber));
  if (outside.length) {
    throw new InputRejectedError(
      outside.map((l) => ({ line: l.line, column: 'kommunenr', reason: `du har ikke tilgang til kommune ${l.municipalityNumber}` })),
      'forbidden',
    );
  }
}

const byLine = (a: FieldError, b: FieldError) => (a.line ?? 0) - (b.line ?? 0);

/**
 * Deterministic ids: a posting's events derive from the tenancy and the voucher, so posting the
 * same line again — in another file, days later — can never add an event (invariant 2).
 */
function toNewEvent(stream: string, event: LedgerEvent, salt: string, metadata: NewEvent['metadata']): NewEvent {
  const voucherRef = (event.data as { voucherRef?: string }).voucherRef;
  const key = voucherRef !== undefined ? `${stream}|voucher|${voucherRef}|${event.type}` : `${stream}|${event.type}|${salt}|${JSON.stringify(event.data)}`;
  return { id: deterministicId(key), type: event.type, data: event.data as unknown as JsonObject, metadata };
}
