/**
 * What other contexts may use of the prevention cases (invariant 15): the case events they may
 * read and the stream-name grammar. Nothing else.
 */
export * from './events';
