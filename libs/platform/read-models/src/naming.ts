import { assertIdentifierLength } from './types';

/** Stable checkpoint name of one generation of a projection. */
export function checkpointNameOf(projection: string, generation: number): string {
  return `${projection}@g${generation}`;
}

/** What a generation appends to its tables', indexes' and constraints' names. */
export function generationSuffix(generation: number): string {
  return `__g${generation}`;
}

export function physicalTableName(logical: string, generation: number): string {
  return `${logical}${generationSuffix(generation)}`;
}

const LOGICAL_TABLE = /^[a-z][a-z0-9_]*$/;

/**
 * Logical names are plain lowercase identifiers without `__g`, so a physical name reads back
 * unambiguously, and short enough that the longest physical name PostgreSQL keeps fits.
 */
export function assertLogicalTables(tables: readonly string[], generation: number): void {
  if (tables.length === 0) throw new Error('A projection owns at least one table');
  const seen = new Set<string>();
  for (const table of tables) {
    if (!LOGICAL_TABLE.test(table) || table.includes('__g')) {
      throw new Error(`Invalid logical table name "${table}": lowercase letters, digits and _, not containing "__g"`);
    }
    if (seen.has(table)) throw new Error(`Logical table "${table}" is listed twice`);
    seen.add(table);
    assertIdentifierLength(physicalTableName(table, generation), 'Physical table name');
  }
}
