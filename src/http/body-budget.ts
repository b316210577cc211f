import { Transform } from 'node:stream';
import type { FastifyInstance } from 'fastify';

/**
 * Request bodies are held whole in memory until their request ends; the body
 * limit bounds one of them, this bounds them all together. A request that
 * would take the bodies in flight past the budget answers TOO_BUSY, before
 * its body is read when it declares its length, and as soon as it crosses
 * the budget when it streams. A request alone is always admitted (the body
 * limit still applies), so a budget below the body limit cannot lock out
 * large uploads.
 */
export class BodyBudget {
  #inUse = 0;

  constructor(readonly capacity: number) {}

  get inUse(): number {
    return this.#inUse;
  }

  tryReserve(bytes: number): boolean {
    if (this.#inUse > 0 && this.#inUse + bytes > this.capacity) return false;
    this.#inUse += bytes;
    return true;
  }

  release(bytes: number): void {
    this.#inUse -= bytes;
  }
}

/** An error the edge's error handler answers as TOO_BUSY (503 with Retry-After). */
export class BodyBudgetExceeded extends Error {
  override name = 'BodyBudgetExceeded';
  readonly code = 'TOO_BUSY';
  constructor() {
    super('too many large requests are being received; retry in a moment');
  }
}

export function registerBodyBudget(server: FastifyInstance, budget: BodyBudget): void {
  const reserved = new WeakMap<object, number>();
  server.addHook('onRequest', async (request, reply) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    const bytes = Number.isSafeInteger(declared) && declared > 0 ? declared : 0;
    if (!budget.tryReserve(bytes)) throw new BodyBudgetExceeded();
    reserved.set(request, bytes);
    reply.raw.once('close', () => budget.release(reserved.get(request) ?? 0));
  });
  // A body longer than it declared (or of no declared length) reserves what it brings.
  server.addHook('preParsing', async (request, _reply, payload) => {
    let received = 0;
    const counted: Transform & { receivedEncodedLength?: number } = payload.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          received += chunk.length;
          // Fastify's body limit and Content-Length check read this from a replaced stream.
          counted.receivedEncodedLength = received;
          const held = reserved.get(request) ?? 0;
          if (received > held) {
            if (!budget.tryReserve(received - held)) return done(new BodyBudgetExceeded());
            reserved.set(request, received);
          }
          done(null, chunk);
        },
      }),
    );
    payload.once('error', (error) => counted.destroy(error));
    return counted;
  });
}
