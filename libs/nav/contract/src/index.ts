/**
 * What other contexts may use of NAV (invariant 15): the two events that concern the prevention
 * case, the stream-name grammar, and the hold port (assistance on its way, a pause). Nothing else:
 * NAV's details are under NAV's duty of confidentiality.
 */
export * from './events';
export * from './holds';
