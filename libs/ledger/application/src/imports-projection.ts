import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Kysely } from 'kysely';
import type { EventTypeMap, RecordedEvent } from '@evp/event-store';
import { OFF_PATH_GATHER_MS, keysetPage, type CursorValue, type SqlProjection } from '@evp/read-models';
import { READ_MODEL_READER, type ReadModelReader } from '@evp/runtime';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { LEDGER_IMPORT_STREAM_PREFIX, type ImportAccepted } from '@evp/ledger-contract';

/** One accepted import as one municipality's history shows it: an import that covered two municipalities is in both. */
export interface ImportRow {
  municipality: string;
  import_id: string;
  /** When it was accepted (the event's `occurredAt`, from the injected clock). */
  at: string;
  kind: string;
  lines: number;
  tenancies: number;
  events_written: number;
  already_posted: number;
  no_op: number;
  file_sha256: string;
  /** JSON list of every municipality the import covered. */
  municipalities: string;
}

export interface ImportTables {
  ledger_imports: ImportRow;
}

export const IMPORTS_PROJECTION = 'ledger-imports';
export const IMPORTS_PROJECTION_VERSION = 1;

/**
 * Accounting's import history (`ledger.ImportAccepted` in `import-…` streams), one row per import
 * and municipality, indexed for the newest-first list of one municipality. Other events in those
 * streams (the platform's import-stream protocol) are not the history and are skipped.
 */
export class ImportsProjection implements SqlProjection<ImportTables> {
  readonly name = IMPORTS_PROJECTION;
  readonly version = IMPORTS_PROJECTION_VERSION;
  readonly filter = { streamPrefixes: [LEDGER_IMPORT_STREAM_PREFIX] };
  readonly gatherMs = OFF_PATH_GATHER_MS;
  readonly tables = ['ledger_imports'] as const;

  constructor(private readonly types: EventTypeMap) {}

  async createTables(db: Kysely<ImportTables>): Promise<void> {
    await db.schema
      .createTable('ledger_imports')
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('import_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('lines', 'integer', (c) => c.notNull())
      .addColumn('tenancies', 'integer', (c) => c.notNull())
      .addColumn('events_written', 'integer', (c) => c.notNull())
      .addColumn('already_posted', 'integer', (c) => c.notNull())
      .addColumn('no_op', 'integer', (c) => c.notNull())
      .addColumn('file_sha256', 'text', (c) => c.notNull())
      .addColumn('municipalities', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('ledger_imports_pk', ['municipality', 'import_id'])
      .execute();
    await db.schema.createIndex('ledger_imports_newest_idx').on('ledger_imports').columns(['municipality', 'at', 'import_id']).execute();
  }

  async apply(tx: Kysely<ImportTables>, events: readonly RecordedEvent[]): Promise<void> {
    const rows: ImportRow[] = [];
    for (const event of events) {
      if (event.type !== 'ledger.ImportAccepted') continue;
      const d = this.types.upcast(event) as unknown as ImportAccepted['data'];
      for (const municipality of d.municipalities) {
        rows.push({
          municipality,
          import_id: d.importId,
          at: event.metadata.occurredAt,
          kind: d.kind,
          lines: d.lines,
          tenancies: d.tenancies,
          events_written: d.eventsWritten,
          already_posted: d.alreadyPosted,
          no_op: d.noOp ? 1 : 0,
          file_sha256: d.fileSha256,
          municipalities: JSON.stringify(d.municipalities),
        });
      }
    }
    for (let i = 0; i < rows.length; i += 100) {
      await tx
        .insertInto('ledger_imports')
        .values(rows.slice(i, i + 100))
        .onConflict((oc) => oc.columns(['municipality', 'import_id']).doNothing())
        .execute();
    }
  }
}

export interface ImportSummary {
  readonly importId: string;
  readonly kind: 'postings' | 'tenancies';
  readonly at: string;
  readonly lines: number;
  readonly tenancies: number;
  readonly eventsWritten: number;
  readonly alreadyPosted: number;
  readonly noOp: boolean;
  readonly municipalities: readonly string[];
}

/** One municipality's import history, newest first, one keyset page at a time. Accounting and admin only. */
export class ListImportsQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
    readonly after: readonly CursorValue[] | undefined,
    readonly limit: number,
  ) {}
}

@QueryHandler(ListImportsQuery)
export class ListImportsHandler implements IQueryHandler<ListImportsQuery, { items: ImportSummary[]; nextCursor: string | null }> {
  constructor(@Inject(READ_MODEL_READER) private readonly readModels: ReadModelReader) {}

  async execute(q: ListImportsQuery): Promise<{ items: ImportSummary[]; nextCursor: string | null }> {
    if (!hasRole(q.caller, 'accounting', 'admin') || !mayActIn(q.caller, q.municipalityNumber)) return { items: [], nextCursor: null };
    const db = await this.readModels.projection<ImportTables>(IMPORTS_PROJECTION, IMPORTS_PROJECTION_VERSION);
    const page = await keysetPage(db.selectFrom('ledger_imports').selectAll().where('municipality', '=', q.municipalityNumber), {
      order: [
        { column: 'at', direction: 'desc' },
        { column: 'import_id', direction: 'desc' },
      ],
      ...(q.after ? { after: q.after } : {}),
      limit: q.limit,
    });
    return {
      items: page.rows.map((r) => ({
        importId: r.import_id,
        kind: r.kind as ImportSummary['kind'],
        at: r.at,
        lines: Number(r.lines),
        tenancies: Number(r.tenancies),
        eventsWritten: Number(r.events_written),
        alreadyPosted: Number(r.already_posted),
        noOp: Number(r.no_op) === 1,
        municipalities: JSON.parse(r.municipalities) as string[],
      })),
      nextCursor: page.nextCursor,
    };
  }
}

/** Imports recorded per municipality, kind and whether they changed anything: for `/metrics`. */
export async function importCounts(readModels: ReadModelReader): Promise<Array<{ municipality: string; kind: string; noOp: boolean; count: number }>> {
  const db = await readModels.projection<ImportTables>(IMPORTS_PROJECTION, IMPORTS_PROJECTION_VERSION);
  const rows = await db
    .selectFrom('ledger_imports')
    .select(['municipality', 'kind', 'no_op'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .groupBy(['municipality', 'kind', 'no_op'])
    .execute();
  return rows.map((r) => ({ municipality: r.municipality, kind: r.kind, noOp: Number(r.no_op) === 1, count: Number(r.n) }));
}
