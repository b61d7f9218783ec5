import { createHash } from 'node:crypto';
import { deterministicId } from '@evp/shared-kernel';
import type { EventStore, JsonObject, StreamAppend } from '@evp/event-store';
import { ledgerImportStreamName, type ImportAccepted } from '@evp/ledger-contract';
import { metadataFor, type CommandContext } from './command-context';
import type { PostingLine } from './postings-input';
import type { TenancyLine } from './tenancies-input';

/**
 * What the HTTP edge knows of an import that the lines do not carry. Optional: without it an
 * import is identified by who sent what.
 */
export interface ImportSource {
  /** The request's `Idempotency-Key`: a deliberate second upload (a new key) is a second import. */
  readonly idempotencyKey?: string | undefined;
}

export type ImportingContext = CommandContext & { readonly importSource?: ImportSource };

/** The command context with the import's source attached (the ledger controller passes it). */
export function withImportSource(ctx: CommandContext, source: ImportSource): ImportingContext {
  return { ...ctx, importSource: source };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The canonical content of a postings input: its lines as parsed, sorted, so the same ERP export
 * hashes the same whatever its encoding, BOM, line endings, amount format, line order or whether
 * it came as CSV or JSON. That is what makes a re-sent file the same import.
 */
export function postingsContentSha256(lines: readonly PostingLine[]): string {
  return sha256(JSON.stringify(lines.map((l) => JSON.stringify([l.municipalityNumber, l.tenancyId, l.posting])).sort()));
}

/**
 * The canonical content of a tenancy register. Tenants enter as their opaque person ids (a keyed
 * hash of the identity number), never as number or name: a plain hash over a one-line file would
 * confirm a guessed identity number, and this hash is kept in an event that cannot be erased.
 */
export function tenanciesContentSha256(lines: readonly TenancyLine[], personId: (nationalId: string) => string): string {
  return sha256(
    JSON.stringify(
      lines
        .map((l) => JSON.stringify([l.municipalityNumber, l.tenancyId, l.address, l.monthlyRentOre, l.landlordKind, l.navOffice, l.tenants.map((t) => personId(t.nationalId)).sort()]))
        .sort(),
    ),
  );
}

/**
 * The import's id: who sent what, and the request's Idempotency-Key when it has one. Not the time
 * and not the correlation id: the same file re-sent by the same person, today or next month, is
 * the same import and is recorded once; the same file from a colleague is their import.
 */
export function importIdOf(actorId: string, contentSha256: string, idempotencyKey: string | undefined): string {
  return deterministicId(`ledger-import|${actorId}|${contentSha256}|${idempotencyKey ?? ''}`);
}

export type ImportFigures = Omit<ImportAccepted['data'], 'importId' | 'fileSha256' | 'municipalities'>;

export function municipalitiesOf(lines: ReadonlyArray<{ municipalityNumber: string }>): string[] {
  return [...new Set(lines.map((l) => l.municipalityNumber))].sort();
}

/**
 * The append that records an accepted import, for the same atomic `appendToStreams` as the
 * import's own events; undefined when this import is recorded already (a re-sent file). Known by
 * the import stream itself, not by the store dropping a duplicate id (invariant 10).
 */
export async function importRecord(
  store: EventStore,
  ctx: CommandContext,
  content: { readonly sha256: string; readonly municipalities: readonly string[] },
  figures: ImportFigures,
): Promise<{ importId: string; append: StreamAppend | undefined }> {
  const importId = importIdOf(ctx.actor.id, content.sha256, (ctx as ImportingContext).importSource?.idempotencyKey);
  const streamName = ledgerImportStreamName(importId);
  // The stream may also hold the platform's import-stream protocol events (`platform.Import…`) under the same id.
  const stream = await store.readStream(streamName);
  if (stream.some((e) => e.type === 'ledger.ImportAccepted')) return { importId, append: undefined };
  const data: ImportAccepted['data'] = { importId, ...figures, municipalities: [...content.municipalities], fileSha256: content.sha256 };
  return {
    importId,
    append: {
      streamName,
      // A concurrent identical import fails this with a conflict; the retry then finds it recorded.
      expectedRevision: stream.length === 0 ? 'no_stream' : stream.length - 1,
      events: [{ id: deterministicId(`${streamName}|ledger.ImportAccepted`), type: 'ledger.ImportAccepted', data: data as unknown as JsonObject, metadata: metadataFor(ctx) }],
    },
  };
}
