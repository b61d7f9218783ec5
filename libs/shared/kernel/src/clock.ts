/**
 * The only way code learns the time (ARCHITECTURE.md, invariant 5). Domain functions never call it:
 * the application reads it once and passes the instant into the command.
 */
export interface Clock {
  now(): Date;
}

/** A clock that says what it is told: for unit tests. */
export class FixedClock implements Clock {
  constructor(private instant: Date) {}
  now(): Date {
    return new Date(this.instant.getTime());
  }
  set(instant: Date): void {
    this.instant = instant;
  }
  advance(ms: number): void {
    this.instant = new Date(this.instant.getTime() + ms);
  }
}
