/** Injection tokens of the platform module. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const REDIS = Symbol('REDIS');
export const CLOCK = Symbol('CLOCK');
export const READ_MODELS = Symbol('READ_MODELS');
