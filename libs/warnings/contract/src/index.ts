/**
 * What other contexts may use of the § 9-11 warnings (invariant 15): the events they may read and
 * the stream-name grammar. Nothing else.
 */
export * from './events';
