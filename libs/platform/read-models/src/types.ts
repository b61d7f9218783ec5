import type { Kysely, Transaction } from 'kysely';

// Read-model tables belong to each projection, not to this library: the store handles them
// untyped and callers narrow with their own table interfaces.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDB = any;
export type AnyKysely = Kysely<AnyDB>;
export type AnyTransaction = Transaction<AnyDB>;

/** Longest identifier PostgreSQL keeps; longer ones are truncated silently, which could merge two generations' names. */
export const MAX_IDENTIFIER_BYTES = 63;

export function assertIdentifierLength(name: string, what: string): void {
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw new Error(`${what} "${name}" is longer than ${MAX_IDENTIFIER_BYTES} bytes; PostgreSQL would truncate it`);
  }
}
