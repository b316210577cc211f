import { tooBusy } from './too-busy.js';

export interface ImageQueueOptions {
  /** Decodes running at once; each holds a decoder's working memory. */
  decodeConcurrency: number;
  /** Images admitted and not yet released: waiting for decoding, decoding, or waiting for ResNet50. */
  capacity: number;
  /** Compressed bytes those images may hold together. */
  maxBytes: number;
}

export interface ImageQueueStats {
  /** Images admitted and not yet released. */
  admitted: number;
  admittedBytes: number;
  decoding: number;
  /** Decodes waiting for a free decoder. */
  waiting: number;
}

/** Room for one request's images, held from admission until `release`. */
export interface Admission {
  /** Runs `work` once fewer than `decodeConcurrency` decodes are running; decodes start in the order asked. */
  decode<T>(work: () => Promise<T>): Promise<T>;
  /** Gives the room back; later calls do nothing. */
  release(): void;
}

/**
 * What bounds the memory images take: a request's images are admitted all
 * together or refused at once with TOO_BUSY (never half a batch), and at most
 * `decodeConcurrency` of the admitted images decode at a time, since a decode
 * is what holds the most memory. An empty queue admits any request, so one
 * that passed the edge's size limits is never refused on an idle service.
 */
export class ImageQueue {
  private admitted = 0;
  private admittedBytes = 0;
  private decoding = 0;
  private readonly waiting: (() => void)[] = [];
  /** How long an admission lasts, on average of the recent ones: the wait Retry-After suggests. */
  private averageSeconds = 1;

  constructor(private readonly options: ImageQueueOptions) {
    if (!Number.isInteger(options.decodeConcurrency) || options.decodeConcurrency < 1) {
      throw new Error(`decode concurrency must be a positive integer, got ${options.decodeConcurrency}`);
    }
  }

  /** Admits images of these sizes (bytes), all or none; throws TOO_BUSY when they do not fit. */
  admit(sizes: readonly number[]): Admission {
    const bytes = sizes.reduce((sum, size) => sum + size, 0);
    const fits = this.admitted + sizes.length <= this.options.capacity && this.admittedBytes + bytes <= this.options.maxBytes;
    if (this.admitted > 0 && !fits) throw tooBusy('image', this.averageSeconds);
    this.admitted += sizes.length;
    this.admittedBytes += bytes;
    const since = performance.now();
    let released = false;
    return {
      decode: (work) => this.decode(work),
      release: () => {
        if (released) return;
        released = true;
        this.admitted -= sizes.length;
        this.admittedBytes -= bytes;
        this.averageSeconds = 0.8 * this.averageSeconds + 0.2 * ((performance.now() - since) / 1000);
      },
    };
  }

  stats(): ImageQueueStats {
    return { admitted: this.admitted, admittedBytes: this.admittedBytes, decoding: this.decoding, waiting: this.waiting.length };
  }

  private async decode<T>(work: () => Promise<T>): Promise<T> {
    if (this.decoding >= this.options.decodeConcurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.decoding += 1;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next decode, so none can overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.decoding -= 1;
    }
  }
}
