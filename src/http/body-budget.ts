import { Transform, type Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EdgeRefusal } from './edge-refusal.js';

/**
 * Request bodies are held whole in memory until their request ends; the body
 * limits bound one of them, this bounds them all together. Bytes count as
 * they arrive, never as declared: a client that declares a huge length and
 * sends nothing holds nothing. One request may hold at most `capacity /
 * SHARES` (the edge keeps every body limit within that), so an empty budget
 * admits any request and no single connection can fill it.
 */
export class BodyBudget {
  static readonly SHARES = 4;
  #inUse = 0;

  constructor(readonly capacity: number) {}

  get inUse(): number {
    return this.#inUse;
  }

  /** The most one request may hold. */
  get share(): number {
    return Math.floor(this.capacity / BodyBudget.SHARES);
  }

  tryReserve(bytes: number): boolean {
    if (this.#inUse + bytes > this.capacity) return false;
    this.#inUse += bytes;
    return true;
  }

  release(bytes: number): void {
    this.#inUse -= bytes;
  }
}

export class BodyBudgetExceeded extends EdgeRefusal {
  constructor() {
    super(503, 'TOO_BUSY', 'too many large requests are being received; retry in a moment');
  }
}

/** Answered with the connection closed: a client this slow is not worth a second request. */
export class BodyTooSlow extends EdgeRefusal {
  constructor(minBytesPerSecond: number) {
    super(408, 'REQUEST_TOO_SLOW', `the request body arrived slower than ${minBytesPerSecond} bytes a second`);
  }
}

export interface BodyGuardOptions {
  /** Slowest average rate a body may arrive at, once `graceMs` has passed since its request began. */
  minBytesPerSecond: number;
  graceMs: number;
}

/**
 * The GraphQL route's preParsing hook: counts the body as it arrives against
 * the budget (refusing with TOO_BUSY past it) and cuts off a body that
 * trickles in slower than the minimum rate. Routes without a body (the
 * health, readiness and metrics routes, GETs) never reach it.
 */
export function bodyGuard(budget: BodyBudget, options: BodyGuardOptions): (request: FastifyRequest, reply: FastifyReply, payload: Readable) => Readable {
  return (request, reply, payload) => {
    let received = 0;
    const started = performance.now();
    const release = () => {
      budget.release(received);
      received = 0;
    };
    const counted: Transform & { receivedEncodedLength?: number } = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (!budget.tryReserve(chunk.length)) return done(refuse(request, reply, new BodyBudgetExceeded()));
        received += chunk.length;
        // Fastify's body limit and Content-Length check read this from a replaced stream.
        counted.receivedEncodedLength = received;
        done(null, chunk);
      },
    });
    const checkRate = setInterval(() => {
      const seconds = (performance.now() - started) / 1000;
      if (seconds * 1000 >= options.graceMs && received < options.minBytesPerSecond * seconds) {
        counted.destroy(refuse(request, reply, new BodyTooSlow(options.minBytesPerSecond)));
      }
    }, 1000);
    checkRate.unref();
    const finished = () => clearInterval(checkRate);
    counted.once('end', finished).once('close', finished);
    reply.raw.once('close', () => {
      finished();
      release();
    });
    payload.once('error', (error) => counted.destroy(error));
    return payload.pipe(counted);
  };
}

/**
 * A refused body is still read to its end and thrown away, so the client
 * sees the answer rather than a reset while it is still sending; a body too
 * slow to be worth waiting for closes its connection instead.
 */
function refuse(request: FastifyRequest, reply: FastifyReply, error: BodyBudgetExceeded | BodyTooSlow): Error {
  if (error instanceof BodyTooSlow) {
    reply.header('connection', 'close');
  } else {
    setImmediate(() => request.raw.resume());
  }
  return error;
}
