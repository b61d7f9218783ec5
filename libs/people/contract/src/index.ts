/**
 * What other contexts may use of the people context (invariant 15): its events (opaque ids and
 * ciphertext only), the stream-name grammar, the placeholders, and the port through which they
 * record the people they meet. Nothing else.
 */
export * from './events';
export * from './records';
