import { requestAborted, type DomainError } from '../errors.js';
import { decodeTimeout } from './image.js';
import { tooBusy } from './too-busy.js';

export interface ImageQueueOptions {
  /** Decodes running at once. */
  decodeConcurrency: number;
  /** Bytes the running decodes may hold together, by their decode cost; a lone decode always runs. */
  maxDecodeBytes: number;
  /** Longest a decode's caller waits for it once it runs, before IMAGE_DECODE_TIMEOUT. */
  decodeTimeoutMs: number;
  /** Images admitted and not yet released: waiting for decoding, decoding, or waiting for ResNet50. */
  capacity: number;
  /** Compressed bytes those images may hold together. */
  maxBytes: number;
}

export interface ImageQueueStats {
  /** Images admitted and not yet released. */
  admitted: number;
  admittedBytes: number;
  /** Decodes whose native work has not ended, timed out or not. */
  decoding: number;
  /** Decode cost those decodes hold. */
  decodingBytes: number;
  /** Decodes waiting for a free decoder or for room in maxDecodeBytes. */
  waiting: number;
}

/** Room for one request's images, held from admission until `release`. */
export interface Admission {
  /**
   * Runs `work`, a decode that holds `cost` bytes, once a decoder is free and
   * the cost fits. Rejects with IMAGE_DECODE_TIMEOUT if it runs past the
   * time limit, and with REQUEST_ABORTED, never starting it, if the
   * admission's signal fires first.
   */
  decode<T>(cost: number, work: () => Promise<T>): Promise<T>;
  /** Gives the room back; later calls do nothing. */
  release(): void;
}

/** One request's decodes: those waiting, in the order asked, and how many run. */
interface Lane {
  readonly waiting: Waiting[];
  running: number;
  /** When it last started a decode (a count of starts), for round-robin between lanes. */
  lastTurn: number;
}

interface Waiting {
  readonly cost: number;
  start(): void;
  abandon(error: DomainError): void;
}

/**
 * What bounds the memory images take: a request's images are admitted all
 * together or refused at once with TOO_BUSY (never half a batch); then each
 * decode waits until a decoder is free and its cost, the memory its header
 * says it will hold, fits beside the running ones. A free decoder goes to
 * the request running the fewest decodes, and among those the one whose
 * turn is oldest, so a request of one photo behind a request of 30 costly
 * images waits only for decodes already running. An empty queue admits any
 * request, and a lone decode always runs, so what passed the edge's limits is
 * never refused on an idle service.
 */
export class ImageQueue {
  private admitted = 0;
  private admittedBytes = 0;
  private decoding = 0;
  private decodingBytes = 0;
  private turns = 0;
  /** The lanes with decodes waiting. */
  private readonly lanes = new Set<Lane>();
  private readonly requestLanes = new WeakMap<AbortSignal, Lane>();
  /** How long an admission lasts, on average of the recent ones: the wait Retry-After suggests. */
  private averageSeconds = 1;

  constructor(private readonly options: ImageQueueOptions) {
    if (!Number.isInteger(options.decodeConcurrency) || options.decodeConcurrency < 1) {
      throw new Error(`decode concurrency must be a positive integer, got ${options.decodeConcurrency}`);
    }
  }

  /**
   * Admits images of these sizes (bytes), all or none; throws TOO_BUSY when
   * they do not fit. `signal` is the request's: the admissions of one request
   * (30 aliases of similarToImage are 30) take their turns as one, and once
   * it fires none of their waiting decodes starts.
   */
  admit(sizes: readonly number[], signal?: AbortSignal): Admission {
    const bytes = sizes.reduce((sum, size) => sum + size, 0);
    const fits = this.admitted + sizes.length <= this.options.capacity && this.admittedBytes + bytes <= this.options.maxBytes;
    if (this.admitted > 0 && !fits) throw tooBusy('image', this.averageSeconds);
    this.admitted += sizes.length;
    this.admittedBytes += bytes;
    const since = performance.now();
    const lane = this.laneOf(signal);
    let released = false;
    return {
      decode: (cost, work) => (signal?.aborted ? Promise.reject(requestAborted()) : this.decode(lane, cost, work)),
      release: () => {
        if (released) return;
        released = true;
        this.admitted -= sizes.length;
        this.admittedBytes -= bytes;
        this.averageSeconds = 0.8 * this.averageSeconds + 0.2 * ((performance.now() - since) / 1000);
      },
    };
  }

  private laneOf(signal: AbortSignal | undefined): Lane {
    const shared = signal && this.requestLanes.get(signal);
    if (shared) return shared;
    const lane: Lane = { waiting: [], running: 0, lastTurn: -1 };
    if (signal) {
      this.requestLanes.set(signal, lane);
      // One listener a request, however many aliases it has; it goes with the request's signal.
      signal.addEventListener('abort', () => this.abandon(lane), { once: true });
    }
    return lane;
  }

  stats(): ImageQueueStats {
    let waiting = 0;
    for (const lane of this.lanes) waiting += lane.waiting.length;
    return { admitted: this.admitted, admittedBytes: this.admittedBytes, decoding: this.decoding, decodingBytes: this.decodingBytes, waiting };
  }

  private decode<T>(lane: Lane, cost: number, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      lane.waiting.push({
        cost,
        abandon: reject,
        start: () => {
          const timer = setTimeout(() => reject(decodeTimeout(this.options.decodeTimeoutMs)), this.options.decodeTimeoutMs);
          // The decoder and its cost are held until the work itself ends, even
          // after its caller has had IMAGE_DECODE_TIMEOUT: native decoding
          // goes on until libvips stops it, if it can (see image.ts).
          Promise.resolve()
            .then(work)
            .then(resolve, reject)
            .finally(() => {
              clearTimeout(timer);
              this.finish(lane, cost);
            });
        },
      });
      this.lanes.add(lane);
      this.pump();
    });
  }

  private finish(lane: Lane, cost: number): void {
    this.decoding -= 1;
    this.decodingBytes -= cost;
    lane.running -= 1;
    this.pump();
  }

  /** The client is gone: its waiting decodes never start. */
  private abandon(lane: Lane): void {
    const waiting = lane.waiting.splice(0);
    this.lanes.delete(lane);
    for (const entry of waiting) entry.abandon(requestAborted());
  }

  private pump(): void {
    while (this.decoding < this.options.decodeConcurrency) {
      const lane = this.nextLane();
      if (!lane) return;
      const entry = lane.waiting.shift()!;
      if (lane.waiting.length === 0) this.lanes.delete(lane);
      lane.running += 1;
      lane.lastTurn = this.turns++;
      this.decoding += 1;
      this.decodingBytes += entry.cost;
      entry.start();
    }
  }

  /** The lane running the fewest decodes, then the one whose last turn is oldest, among those whose next decode fits. */
  private nextLane(): Lane | undefined {
    let best: Lane | undefined;
    for (const lane of this.lanes) {
      if (!this.fits(lane.waiting[0]!.cost)) continue;
      if (!best || lane.running < best.running || (lane.running === best.running && lane.lastTurn < best.lastTurn)) best = lane;
    }
    return best;
  }

  private fits(cost: number): boolean {
    return this.decoding === 0 || this.decodingBytes + cost <= this.options.maxDecodeBytes;
  }
}
