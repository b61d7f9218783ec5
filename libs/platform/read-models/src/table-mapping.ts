import {
  IdentifierNode,
  OperationNodeTransformer,
  SchemableIdentifierNode,
  type CheckConstraintNode,
  type CreateIndexNode,
  type DropConstraintNode,
  type DropIndexNode,
  type ForeignKeyConstraintNode,
  type Kysely,
  type KyselyPlugin,
  type OnConflictNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimaryKeyConstraintNode,
  type QueryId,
  type QueryResult,
  type RenameConstraintNode,
  type RootOperationNode,
  type TableNode,
  type UniqueConstraintNode,
  type UnknownRow,
} from 'kysely';
import { assertIdentifierLength, type AnyKysely } from './types';

/**
 * Rewrites logical table names to physical ones wherever Kysely holds a table: FROM, INTO, UPDATE,
 * DELETE, joins, subqueries, CTE bodies, qualified column references (`case_list.status`),
 * `sql.table()`/`sql.ref()` inside raw snippets, and schema statements (create/alter/drop table,
 * `createIndex().on()`, foreign-key targets). Index and constraint names get the suffix, because
 * both engines keep them in one namespace per schema (PostgreSQL also names a primary-key or
 * unique constraint's index after it), so two generations' `case_list_opened_idx` would clash.
 *
 * Works on the query tree, not on SQL text: a table named inside a raw string
 * (sql`select * from case_list`) is not seen; write sql`select * from ${sql.table('case_list')}`.
 * Do not alias a table to another logical table's name: qualified references would follow the map.
 */
export class TableMappingTransformer extends OperationNodeTransformer {
  private readonly tables: ReadonlyMap<string, string>;

  constructor(
    tables: Readonly<Record<string, string>>,
    private readonly suffix: string,
  ) {
    super();
    const physicalSeen = new Map<string, string>();
    for (const [logical, physical] of Object.entries(tables)) {
      assertIdentifierLength(physical, 'Physical table name');
      const other = physicalSeen.get(physical);
      if (other !== undefined) throw new Error(`Tables "${other}" and "${logical}" both map to "${physical}"`);
      physicalSeen.set(physical, logical);
    }
    this.tables = new Map(Object.entries(tables));
  }

  protected override transformTable(node: TableNode, queryId?: QueryId): TableNode {
    const transformed = super.transformTable(node, queryId);
    const physical = this.tables.get(transformed.table.identifier.name);
    if (physical === undefined) return transformed;
    return { ...transformed, table: { ...transformed.table, identifier: IdentifierNode.create(physical) } };
  }

  protected override transformCreateIndex(node: CreateIndexNode, queryId?: QueryId): CreateIndexNode {
    const transformed = super.transformCreateIndex(node, queryId);
    return { ...transformed, name: this.suffixed(transformed.name) };
  }

  protected override transformDropIndex(node: DropIndexNode, queryId?: QueryId): DropIndexNode {
    const transformed = super.transformDropIndex(node, queryId);
    const name = transformed.name;
    const renamed = this.suffixed(name.identifier);
    return {
      ...transformed,
      name: name.schema ? SchemableIdentifierNode.createWithSchema(name.schema.name, renamed.name) : SchemableIdentifierNode.create(renamed.name),
    };
  }

  protected override transformPrimaryKeyConstraint(node: PrimaryKeyConstraintNode, queryId?: QueryId): PrimaryKeyConstraintNode {
    const transformed = super.transformPrimaryKeyConstraint(node, queryId);
    return transformed.name ? { ...transformed, name: this.suffixed(transformed.name) } : transformed;
  }

  protected override transformUniqueConstraint(node: UniqueConstraintNode, queryId?: QueryId): UniqueConstraintNode {
    const transformed = super.transformUniqueConstraint(node, queryId);
    return transformed.name ? { ...transformed, name: this.suffixed(transformed.name) } : transformed;
  }

  protected override transformCheckConstraint(node: CheckConstraintNode, queryId?: QueryId): CheckConstraintNode {
    const transformed = super.transformCheckConstraint(node, queryId);
    return transformed.name ? { ...transformed, name: this.suffixed(transformed.name) } : transformed;
  }

  protected override transformForeignKeyConstraint(node: ForeignKeyConstraintNode, queryId?: QueryId): ForeignKeyConstraintNode {
    const transformed = super.transformForeignKeyConstraint(node, queryId);
    return transformed.name ? { ...transformed, name: this.suffixed(transformed.name) } : transformed;
  }

  protected override transformDropConstraint(node: DropConstraintNode, queryId?: QueryId): DropConstraintNode {
    const transformed = super.transformDropConstraint(node, queryId);
    return { ...transformed, constraintName: this.suffixed(transformed.constraintName) };
  }

  protected override transformRenameConstraint(node: RenameConstraintNode, queryId?: QueryId): RenameConstraintNode {
    const transformed = super.transformRenameConstraint(node, queryId);
    return { ...transformed, oldName: this.suffixed(transformed.oldName), newName: this.suffixed(transformed.newName) };
  }

  /** `ON CONFLICT ON CONSTRAINT x` names a constraint this plugin suffixed when it was created. */
  protected override transformOnConflict(node: OnConflictNode, queryId?: QueryId): OnConflictNode {
    const transformed = super.transformOnConflict(node, queryId);
    return transformed.constraint ? { ...transformed, constraint: this.suffixed(transformed.constraint) } : transformed;
  }

  private suffixed(node: IdentifierNode): IdentifierNode {
    if (this.suffix === '' || node.name.endsWith(this.suffix)) return node;
    const name = `${node.name}${this.suffix}`;
    assertIdentifierLength(name, 'Index or constraint name');
    return IdentifierNode.create(name);
  }
}

export class TableMappingPlugin implements KyselyPlugin {
  private readonly transformer: TableMappingTransformer;

  /**
   * @param tables logical name -> physical name
   * @param suffix appended to index and constraint names (a generation's `__g<n>`); '' for none
   */
  constructor(tables: Readonly<Record<string, string>>, suffix: string) {
    this.transformer = new TableMappingTransformer(tables, suffix);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/**
 * `db` with logical table names mapped to physical ones, so queries stay typed by logical names
 * (`mapTables<CaseListTables>(tx, target.tables)`). Works on a transaction too (it stays one).
 * Without `indexSuffix`, the suffix every physical name adds to its logical one (`__g3`) is used,
 * or none when they do not share one.
 */
export function mapTables<DB>(db: AnyKysely, tables: Readonly<Record<string, string>>, indexSuffix?: string): Kysely<DB> {
  return db.withPlugin(tableMappingPlugin(tables, indexSuffix ?? commonSuffix(tables))) as Kysely<DB>;
}

/** Plugins are stateless, so one per mapping serves every query and transaction; a few generations at a time exist. */
const PLUGIN_CACHE_SIZE = 64;
const plugins = new Map<string, TableMappingPlugin>();

/** The plugin for this mapping, built (and its names checked) once and then reused. */
export function tableMappingPlugin(tables: Readonly<Record<string, string>>, suffix: string): TableMappingPlugin {
  const key = JSON.stringify([suffix, Object.entries(tables)]);
  let plugin = plugins.get(key);
  if (plugin === undefined) {
    plugin = new TableMappingPlugin(tables, suffix);
    if (plugins.size >= PLUGIN_CACHE_SIZE) plugins.delete(plugins.keys().next().value as string);
    plugins.set(key, plugin);
  }
  return plugin;
}

function commonSuffix(tables: Readonly<Record<string, string>>): string {
  let suffix: string | undefined;
  for (const [logical, physical] of Object.entries(tables)) {
    if (!physical.startsWith(logical)) return '';
    const own = physical.slice(logical.length);
    if (suffix !== undefined && own !== suffix) return '';
    suffix = own;
  }
  return suffix ?? '';
}
