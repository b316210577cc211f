import type { Results } from '@electric-sql/pglite';
import type { Worker } from 'node:worker_threads';
import { siblingWorkerUrl, startWorker } from '../util/start-worker.js';

const WORKER_URL = siblingWorkerUrl('pglite-worker', import.meta.url);

export type PGliteRequest =
  | { id: number; kind: 'exec'; sql: string }
  | { id: number; kind: 'query'; sql: string; parameters: unknown[] }
  | { id: number; kind: 'close' };
export type PGliteReply = { id: number; result: unknown } | { id: number; error: Record<string, unknown> };

/**
 * The embedded PGlite, run in a worker thread (pglite-worker.ts): Postgres
 * parses, plans and executes there, so the main thread spends on a statement
 * only the posting of it and the copy of its rows, and serves other requests
 * meanwhile. The methods are PGlite's own that the dialect uses; statements
 * run one at a time, in the order they are sent.
 */
export class PGliteThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  #next = 1;
  #closed = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /** Opens the folder (or `memory://`) in a new thread (a new one from the copy in `cacheDir`: pglite-cluster.ts); rejects with PGlite's own error when it cannot. */
  static async open(dataDir: string, cacheDir: string | undefined): Promise<PGliteThread> {
    const thread = new PGliteThread(startWorker(WORKER_URL, { dataDir, cacheDir }));
    const ready = new Promise((resolve, reject) => thread.#pending.set(0, { resolve, reject }));
    thread.#worker.on('message', (reply: PGliteReply) => thread.#settle(reply));
    // A thread that dies (a crash in Postgres) fails what it had in hand, and every later statement, as a lost connection would.
    thread.#worker.on('error', (error) => thread.#end(Object.assign(new Error(`Connection terminated: the embedded database stopped (${error.message})`), { cause: error })));
    thread.#worker.on('exit', () => thread.#end(new Error('Connection terminated: the embedded database is closed')));
    try {
      await ready;
    } catch (error) {
      await thread.#worker.terminate();
      throw error;
    }
    return thread;
  }

  get closed(): boolean {
    return this.#closed;
  }

  readonly waitReady = Promise.resolve();

  exec(sql: string, _options: { rowMode: 'object' }): Promise<Results[]> {
    return this.#send({ id: 0, kind: 'exec', sql });
  }

  query<R>(sql: string, parameters: unknown[], _options: { rowMode: 'object' }): Promise<Results<R>> {
    return this.#send({ id: 0, kind: 'query', sql, parameters });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#send({ id: 0, kind: 'close' });
    this.#closed = true;
  }

  #send<T>(request: PGliteRequest): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('Connection terminated: the embedded database is closed'));
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      // The reply to a request carries what its kind of request returns.
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  #settle(reply: PGliteReply): void {
    const waiting = this.#pending.get(reply.id);
    if (!waiting) return;
    this.#pending.delete(reply.id);
    if ('error' in reply) waiting.reject(Object.assign(new Error(String(reply.error.message)), reply.error));
    else waiting.resolve(reply.result);
  }

  #end(error: Error): void {
    this.#closed = true;
    for (const waiting of this.#pending.values()) waiting.reject(error);
    this.#pending.clear();
  }
}
