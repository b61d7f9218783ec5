import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type Dialect,
} from 'kysely';
import type { CaseListTables } from './contract-fixtures';
import { mapTables, TableMappingPlugin } from './table-mapping';
import type { AnyDB } from './types';

// Compiles only (no database): pins the SQL the plugin produces on each engine. The contract
// suite runs the same kinds of statements against real SQLite and PostgreSQL.
const dialects: Record<'sqlite' | 'postgres', Dialect> = {
  sqlite: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
  postgres: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
};

interface Tables extends CaseListTables {
  unrelated: { id: string };
}

const G3 = { case_list: 'case_list__g3', case_counts: 'case_counts__g3' };

describe.each(['sqlite', 'postgres'] as const)('TableMappingPlugin (%s)', (dialect) => {
  const raw = new Kysely<AnyDB>({ dialect: dialects[dialect] });
  const db = mapTables<Tables>(raw, G3, '__g3');
  // Both engines quote identifiers the same way; only placeholders differ.
  const norm = (text: string) => (dialect === 'postgres' ? text.replace(/\$\d+/g, '?') : text);
  const compiled = (q: { compile(): { sql: string } }) => norm(q.compile().sql);

  it('select: from, aliases, joins, qualified references, subqueries in select and where', () => {
    const q = db
      .selectFrom('case_list as c')
      .innerJoin('case_counts', 'case_counts.municipality', 'c.municipality')
      .leftJoin('case_list', 'case_list.case_id', 'c.case_id')
      .select(['c.case_id', 'case_counts.cases', 'case_list.status'])
      .select((eb) => eb.selectFrom('case_counts').select((s) => s.fn.max('cases').as('m')).as('most'))
      .where('c.municipality', 'in', (eb) => eb.selectFrom('case_counts').select('case_counts.municipality'))
      .where((eb) => eb.exists(eb.selectFrom('unrelated').select('id')));
    expect(compiled(q)).toBe(
      'select "c"."case_id", "case_counts__g3"."cases", "case_list__g3"."status", (select max("cases") as "m" from "case_counts__g3") as "most" ' +
        'from "case_list__g3" as "c" inner join "case_counts__g3" on "case_counts__g3"."municipality" = "c"."municipality" ' +
        'left join "case_list__g3" on "case_list__g3"."case_id" = "c"."case_id" ' +
        'where "c"."municipality" in (select "case_counts__g3"."municipality" from "case_counts__g3") and exists (select "id" from "unrelated")',
    );
  });

  it('CTEs, set operations and selectAll of a table', () => {
    const q = db
      .with('busy', (w) => w.selectFrom('case_counts').select('municipality').where('cases', '>', 1))
      .selectFrom('case_list')
      .innerJoin('busy', 'busy.municipality', 'case_list.municipality')
      .selectAll('case_list')
      .union(db.selectFrom('case_list').selectAll('case_list'));
    expect(compiled(q)).toBe(
      'with "busy" as (select "municipality" from "case_counts__g3" where "cases" > ?) ' +
        'select "case_list__g3".* from "case_list__g3" inner join "busy" on "busy"."municipality" = "case_list__g3"."municipality" ' +
        'union select "case_list__g3".* from "case_list__g3"',
    );
  });

  it('insert with upsert (target table and excluded), insert-select and returning', () => {
    const upsert = db
      .insertInto('case_counts')
      .values({ municipality: '5035', status: 'open', cases: 1 })
      .onConflict((oc) =>
        oc
          .columns(['municipality', 'status'])
          .doUpdateSet((eb) => ({ cases: eb('case_counts.cases', '+', eb.ref('excluded.cases')) }))
          .where('case_counts.cases', '<', 100),
      )
      .returning('case_counts.cases');
    expect(compiled(upsert)).toBe(
      'insert into "case_counts__g3" ("municipality", "status", "cases") values (?, ?, ?) on conflict ("municipality", "status") ' +
        'do update set "cases" = "case_counts__g3"."cases" + "excluded"."cases" where "case_counts__g3"."cases" < ? returning "case_counts__g3"."cases"',
    );
    const insertSelect = db
      .insertInto('case_counts')
      .columns(['municipality', 'status', 'cases'])
      .expression((eb) => eb.selectFrom('case_list').select(['case_list.municipality', 'status', (s) => s.fn.countAll<number>().as('cases')]).groupBy(['case_list.municipality', 'status']))
      .onConflict((oc) => oc.doNothing());
    expect(compiled(insertSelect)).toBe(
      'insert into "case_counts__g3" ("municipality", "status", "cases") select "case_list__g3"."municipality", "status", count(*) as "cases" ' +
        'from "case_list__g3" group by "case_list__g3"."municipality", "status" on conflict do nothing',
    );
  });

  it('update (with from) and delete (with a correlated subquery)', () => {
    const update = db
      .updateTable('case_list')
      .from('case_counts')
      .set((eb) => ({ escalations: eb.ref('case_counts.cases') }))
      .whereRef('case_counts.municipality', '=', 'case_list.municipality');
    expect(compiled(update)).toBe(
      'update "case_list__g3" set "escalations" = "case_counts__g3"."cases" from "case_counts__g3" where "case_counts__g3"."municipality" = "case_list__g3"."municipality"',
    );
    const del = db
      .deleteFrom('case_list')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('case_counts').select('cases').whereRef('case_counts.status', '=', 'case_list.status'))));
    expect(compiled(del)).toBe(
      'delete from "case_list__g3" where not exists (select "cases" from "case_counts__g3" where "case_counts__g3"."status" = "case_list__g3"."status")',
    );
  });

  it('createTable maps foreign-key targets and suffixes every named constraint', () => {
    const q = db.schema
      .createTable('case_counts')
      .addColumn('municipality', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('case_id', 'text', (c) => c.references('case_list.case_id'))
      .addColumn('cases', 'integer')
      .addPrimaryKeyConstraint('case_counts_pk', ['municipality', 'status'])
      .addUniqueConstraint('case_counts_case_uq', ['case_id'])
      .addCheckConstraint('case_counts_positive', sql`cases >= 0`)
      .addForeignKeyConstraint('case_counts_case_fk', ['case_id'], 'case_list', ['case_id']);
    expect(compiled(q)).toBe(
      'create table "case_counts__g3" ("municipality" text not null, "status" text not null, "case_id" text references "case_list__g3" ("case_id"), "cases" integer, ' +
        'constraint "case_counts_pk__g3" primary key ("municipality", "status"), constraint "case_counts_case_uq__g3" unique ("case_id"), ' +
        'constraint "case_counts_positive__g3" check (cases >= 0), ' +
        'constraint "case_counts_case_fk__g3" foreign key ("case_id") references "case_list__g3" ("case_id"))',
    );
  });

  it('indexes: created on the physical table with a suffixed name, dropped by the suffixed name', () => {
    expect(compiled(db.schema.createIndex('case_list_opened_idx').ifNotExists().on('case_list').columns(['municipality', 'opened_on desc']).where(sql.ref('status'), '=', 'open'))).toBe(
      `create index if not exists "case_list_opened_idx__g3" on "case_list__g3" ("municipality", "opened_on" desc) where "status" = 'open'`,
    );
    expect(compiled(db.schema.createIndex('case_list_tenancy_uq').unique().on('case_list').column('tenancy_id'))).toBe(
      'create unique index "case_list_tenancy_uq__g3" on "case_list__g3" ("tenancy_id")',
    );
    expect(compiled(db.schema.dropIndex('case_list_opened_idx').ifExists())).toBe('drop index if exists "case_list_opened_idx__g3"');
    // Already suffixed: not suffixed twice.
    expect(compiled(db.schema.dropIndex('case_list_opened_idx__g3'))).toBe('drop index "case_list_opened_idx__g3"');
  });

  it('alter and drop table; constraint names in alter table are suffixed too', () => {
    expect(compiled(db.schema.alterTable('case_list').addColumn('note', 'text'))).toBe('alter table "case_list__g3" add column "note" text');
    expect(compiled(db.schema.alterTable('case_list').renameTo('case_list_old'))).toBe('alter table "case_list__g3" rename to "case_list_old"');
    expect(compiled(db.schema.alterTable('case_counts').dropConstraint('case_counts_pk'))).toBe('alter table "case_counts__g3" drop constraint "case_counts_pk__g3"');
    expect(compiled(db.schema.alterTable('case_counts').renameConstraint('case_counts_pk', 'case_counts_key'))).toBe(
      'alter table "case_counts__g3" rename constraint "case_counts_pk__g3" to "case_counts_key__g3"',
    );
    expect(compiled(db.schema.alterTable('case_counts').addUniqueConstraint('case_counts_uq', ['status']))).toBe(
      'alter table "case_counts__g3" add constraint "case_counts_uq__g3" unique ("status")',
    );
    expect(compiled(db.schema.dropTable('case_list').ifExists())).toBe('drop table if exists "case_list__g3"');
  });

  it('raw SQL: sql.table and sql.ref are mapped, plain text and sql.id are not', () => {
    const q = sql`select ${sql.ref('case_list.case_id')} from ${sql.table('case_list')} join case_counts using (municipality) where ${sql.id('case_list')} is not null`;
    expect(norm(q.compile(db).sql)).toBe('select "case_list__g3"."case_id" from "case_list__g3" join case_counts using (municipality) where "case_list" is not null');
  });

  it('ON CONFLICT ON CONSTRAINT names the suffixed constraint', () => {
    const q = db
      .insertInto('case_counts')
      .values({ municipality: '5035', status: 'open', cases: 1 })
      .onConflict((oc) => oc.constraint('case_counts_pk').doNothing());
    expect(compiled(q)).toBe('insert into "case_counts__g3" ("municipality", "status", "cases") values (?, ?, ?) on conflict on constraint "case_counts_pk__g3" do nothing');
  });

  it('tables outside the map, and the unmapped database, are left alone', () => {
    expect(compiled(db.selectFrom('unrelated').selectAll())).toBe('select * from "unrelated"');
    expect(compiled(raw.selectFrom('case_list').selectAll())).toBe('select * from "case_list"');
    // A schema-qualified logical name is still the logical table.
    expect(compiled(db.withSchema('other').selectFrom('case_list').select('case_id'))).toBe('select "case_id" from "other"."case_list__g3"');
  });

  it('infers the index suffix from the table names, or uses none when they disagree', () => {
    expect(compiled(mapTables(raw, G3).schema.createIndex('i').on('case_list').column('status'))).toBe('create index "i__g3" on "case_list__g3" ("status")');
    const mixed = mapTables(raw, { case_list: 'case_list__g3', case_counts: 'counts_v2' });
    expect(compiled(mixed.schema.createIndex('i').on('case_list').column('status'))).toBe('create index "i" on "case_list__g3" ("status")');
  });

  it('refuses names PostgreSQL would truncate and two logical tables on one physical one', () => {
    expect(() => new TableMappingPlugin({ a: 'x'.repeat(64) }, '')).toThrow(/63 bytes/);
    expect(() => new TableMappingPlugin({ a: 'same', b: 'same' }, '')).toThrow(/both map to "same"/);
    expect(() => compiled(mapTables(raw, G3, '__g3').schema.createIndex('i'.repeat(60)).on('case_list').column('status'))).toThrow(/63 bytes/);
  });
});
