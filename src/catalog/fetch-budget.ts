import { DomainError, requestAborted } from '../errors.js';
import { tooBusy } from '../ml/too-busy.js';

export interface FetchBudgetOptions {
  /** Fetches in flight, all requests together. */
  concurrency: number;
  /** Bytes fetched images may hold, all requests together, from their first byte until their request lets them go. */
  maxBytes: number;
}

/** One request's use of the budget: its fetches and the bytes they brought. */
export interface FetchLease {
  /** Runs a fetch on one of the request's connections: at once, after the request's own running ones, or never (TOO_BUSY). */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Counts bytes as they arrive; throws TOO_BUSY past the request's share or the whole budget. */
  count(bytes: number): void;
  /** Gives back the bytes counted; later counts throw, and later calls do nothing. */
  release(): void;
}

/** What one request (all the aliases and inputs that share its signal) holds. */
interface RequestFetches {
  running: number;
  bytes: number;
  readonly waiting: (() => void)[];
}

/**
 * Fetching images for a client spends the service's connections and memory,
 * so a request may hold at most a share of each (a quarter, as of request
 * bodies) and all requests together at most the whole. A request's fetches
 * past its share of connections wait for its own to finish, never for other
 * requests': a request that finds every connection taken answers TOO_BUSY
 * at once rather than piling up behind them.
 */
export class FetchBudget {
  static readonly SHARES = 4;
  private running = 0;
  private bytes = 0;
  private readonly requests = new WeakMap<object, RequestFetches>();

  constructor(private readonly options: FetchBudgetOptions) {}

  /** Connections one request may hold at once. */
  get connectionShare(): number {
    return Math.max(1, Math.floor(this.options.concurrency / FetchBudget.SHARES));
  }

  /** Bytes one request's fetched images may hold together. */
  get byteShare(): number {
    return Math.floor(this.options.maxBytes / FetchBudget.SHARES);
  }

  stats(): { fetching: number; fetchedBytes: number } {
    return { fetching: this.running, fetchedBytes: this.bytes };
  }

  /** `request` is what identifies the request: its abort signal, shared by its aliases. */
  lease(request: object): FetchLease {
    const fetches = this.requestFetches(request);
    let counted = 0;
    let released = false;
    return {
      run: (work) => this.run(fetches, work),
      count: (bytes) => {
        // A fetch stopped with its request may still be delivering a chunk: nothing holds it now.
        if (released) throw requestAborted();
        if (fetches.bytes + bytes > this.byteShare) {
          throw new DomainError('TOO_BUSY', `the request's linked images hold more than its share of ${this.byteShare} bytes; send fewer at once`, { retryAfterSeconds: 1 });
        }
        if (this.bytes + bytes > this.options.maxBytes) throw tooBusy('image fetch', 1);
        fetches.bytes += bytes;
        this.bytes += bytes;
        counted += bytes;
      },
      release: () => {
        released = true;
        fetches.bytes -= counted;
        this.bytes -= counted;
        counted = 0;
      },
    };
  }

  private requestFetches(request: object): RequestFetches {
    const known = this.requests.get(request);
    if (known) return known;
    const fetches: RequestFetches = { running: 0, bytes: 0, waiting: [] };
    this.requests.set(request, fetches);
    return fetches;
  }

  private run<T>(fetches: RequestFetches, work: () => Promise<T>): Promise<T> {
    const free = fetches.running < this.connectionShare && this.running < this.options.concurrency;
    if (!free && fetches.running === 0) return Promise.reject(tooBusy('image fetch', 1));
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        fetches.running += 1;
        this.running += 1;
        // The connection is free before the fetch's caller hears of its end.
        Promise.resolve()
          .then(work)
          .finally(() => {
            fetches.running -= 1;
            this.running -= 1;
            // It passes to the request's next fetch before anyone else can take it.
            if (fetches.waiting.length > 0) fetches.waiting.shift()!();
          })
          .then(resolve, reject);
      };
      if (free) start();
      else fetches.waiting.push(start);
    });
  }
}
