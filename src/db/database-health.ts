import type { DatabaseFailure } from './database-errors.js';

export type DatabaseStatus = { up: true; since: Date } | { up: false; reason: string; since: Date };

/**
 * Whether the database answered last time, from the queries themselves: a
 * lost connection marks it down, any query that succeeds marks it up. Each
 * change is logged once, so an outage is two lines however many requests
 * failed during it.
 */
export class DatabaseHealth {
  #status: DatabaseStatus = { up: true, since: new Date() };
  /** performance.now() when it went down: answers to queries asked before then say nothing of now. */
  #downAt = -Infinity;

  constructor(private readonly log: (line: string) => void = () => {}) {}

  status(): DatabaseStatus {
    return this.#status;
  }

  failed(failure: DatabaseFailure, reason: string): void {
    // A slow statement says nothing about the connection.
    if (failure !== 'unreachable' || !this.#status.up) return;
    this.#status = { up: false, reason, since: new Date() };
    this.#downAt = performance.now();
    this.log(`database unavailable: ${reason}`);
  }

  /** A query asked at `askedAt` (performance.now()) succeeded. */
  answered(askedAt: number): void {
    // A query in flight when the connection went can still finish: not a return.
    if (this.#status.up || askedAt < this.#downAt) return;
    const seconds = (Date.now() - this.#status.since.getTime()) / 1000;
    this.#status = { up: true, since: new Date() };
    this.log(`database available again after ${seconds.toFixed(1)} s`);
  }
}
