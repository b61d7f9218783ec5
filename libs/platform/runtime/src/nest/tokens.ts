/** Injection tokens of the platform module. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const REDIS = Symbol('REDIS');
export const CLOCK = Symbol('CLOCK');
/** The worker's read-model database (it is the only writer). */
export const READ_MODEL_DB = Symbol('READ_MODEL_DB');
/** The api's read-only view of the read models. */
export const READ_MODEL_READER = Symbol('READ_MODEL_READER');
/** Optional: more readiness checks (the worker's subscriptions). */
export const HEALTH_PROBLEMS = Symbol('HEALTH_PROBLEMS');

export interface HealthProblems {
  /** Why the process is not ready; empty when it is. */
  problems(): Promise<string[]>;
}
/** The one map of stored event type names to classes (with their upcasters) of this process. */
export const EVENT_TYPES = Symbol('EVENT_TYPES');
