import type { FormattedExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';

/** A GraphQL answer as it is sent: data, and no errors. */
export type Answer = FormattedExecutionResult;

/** Where a found answer comes from: kept from an earlier request, or shared with one running now. */
export type AnswerSource = 'kept' | 'shared';

/**
 * Recent answers of reads by their key, the least recently used dropped
 * first once their JSON passes `maxBytes`; and the answers being computed,
 * which identical reads wait for instead of running again. The key says
 * which state of the catalog the answer may stand for; this class never
 * looks inside it. With `maxBytes` 0 nothing is kept or shared.
 */
export class AnswerCache {
  readonly #kept: LRUCache<string, Answer> | undefined;
  readonly #running = new Map<string, Promise<Answer | undefined>>();

  constructor(maxBytes: number) {
    this.#kept =
      maxBytes > 0 ? new LRUCache<string, Answer>({ maxSize: maxBytes, sizeCalculation: (answer, key) => key.length + Buffer.byteLength(JSON.stringify(answer)) }) : undefined;
  }

  /** The answer kept for this key, or the one being computed; undefined when there is neither. */
  find(key: string): { source: AnswerSource; answer: Answer | Promise<Answer | undefined> } | undefined {
    const kept = this.#kept?.get(key);
    if (kept) return { source: 'kept', answer: kept };
    const running = this.#running.get(key);
    return running && { source: 'shared', answer: running };
  }

  /**
   * Marks this key's answer as being computed by the caller, who hands it
   * over through the function returned: an answer to keep and share, or
   * undefined when there is none (an error), which sends the waiting reads
   * to compute their own.
   */
  compute(key: string): (answer: Answer | undefined) => void {
    if (!this.#kept || this.#running.has(key)) return () => {};
    let settle!: (answer: Answer | undefined) => void;
    this.#running.set(key, new Promise((resolve) => (settle = resolve)));
    return (answer) => {
      this.#running.delete(key);
      if (answer) this.#kept!.set(key, answer);
      settle(answer);
    };
  }

  /** Bytes the kept answers take, and how many there are. */
  stats(): { bytes: number; answers: number } {
    return { bytes: this.#kept?.calculatedSize ?? 0, answers: this.#kept?.size ?? 0 };
  }
}
