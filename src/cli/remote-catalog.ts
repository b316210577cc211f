import { setTimeout as sleep } from 'node:timers/promises';
import type { ImportTarget } from '../catalog/catalog-import.js';
import type { ExistingSku, ProductInput } from '../catalog/catalog.service.js';
import type { ImageSource } from '../catalog/product-images.js';
import { PRODUCT_CODES, ProductRefusal } from '../catalog/product-refusal.js';
import { normalizeProductText } from '../domain/product-text.js';

const ADD_PRODUCTS =
  'mutation ($inputs: [AddProductInput!]!, $onExisting: ExistingSku) { addProducts(inputs: $inputs, onExisting: $onExisting) { products { sku } } }';
const MAX_WAIT_MS = 30_000;
const HINTS: Record<string | number, string> = {
  UNAUTHENTICATED: ': give the admin token with --token or ADMIN_TOKEN',
  401: ': give the admin token with --token or ADMIN_TOKEN',
  QUERY_TOO_COMPLEX: ': send smaller batches with --batch-size',
};

/** A running service refused an import, or stayed out of reach; the message is the one line to show. */
export class RemoteImportError extends Error {
  override name = 'RemoteImportError';
}

/** A try that failed and will be made again. */
export interface Retry {
  url: string;
  /** Why, as the final error would say it: `cannot be reached (ECONNREFUSED)`, `busy (TOO_BUSY)`. */
  reason: string;
  /** The try to come, of `attempts`. */
  next: number;
  attempts: number;
  waitMs: number;
}

export interface RemoteCatalogOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Tries per batch while the services answer TOO_BUSY or cannot be reached. */
  attempts?: number | undefined;
  /** The first wait between tries when the service gives no Retry-After; it doubles each try, up to 30 s, with jitter. */
  backoffMs?: number;
  /** Batches in flight, all services together, handed out round-robin (default: one per service). */
  concurrency?: number | undefined;
  /** Told of each retry before its wait, so a user is not left watching a still progress bar. */
  onRetry?: ((retry: Retry) => void) | undefined;
}

type Answer = { added: { sku: string }[] } | { duplicates: string[] } | { retry: string; afterMs: number | undefined };

interface GraphQLAnswer {
  data?: { addProducts?: { products: { sku: string }[] } } | null;
  errors?: { message: string; extensions?: { code?: string; skus?: unknown; index?: unknown } }[];
}

/**
 * The catalog of running services, as an import sees it: batches go to them
 * as `addProducts` mutations instead of this process opening the database,
 * a bounded number in flight per service, each batch to the next free one in turn.
 */
export class RemoteCatalog implements ImportTarget {
  readonly #idle: string[];
  readonly #waiting: ((url: string) => void)[] = [];

  constructor(
    urls: readonly string[],
    private readonly options: RemoteCatalogOptions = {},
  ) {
    if (urls.length === 0) throw new RangeError('give at least one service URL');
    const slots = options.concurrency ?? urls.length;
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`the concurrency must be a positive integer, got ${slots}`);
    this.#idle = Array.from({ length: slots }, (_, i) => urls[i % urls.length]!);
  }

  /** The API has no lookup by sku; addProducts learns which skus are there from the service's DUPLICATE_SKU answer. */
  async existingSkus(): Promise<string[]> {
    return [];
  }

  /** Adds the batch, leaving out the skus the service already has; returns those added. */
  async addProducts(inputs: readonly ProductInput[]): Promise<{ sku: string }[]> {
    let pending = [...inputs];
    let unnamed = 0;
    while (pending.length > 0) {
      const answer = await this.#send(pending);
      if ('added' in answer) return answer.added;
      const duplicates = new Set(answer.duplicates);
      const rest = pending.filter((input) => !duplicates.has(normalizeProductText(input.sku)));
      // A sku added by someone else between the service's check and its commit
      // comes back unnamed; sent again, the check names it.
      if (rest.length === pending.length && ++unnamed > 1) {
        throw new RemoteImportError('the service keeps answering DUPLICATE_SKU without naming the skus');
      }
      pending = rest;
    }
    return [];
  }

  /** Adds the batch, replacing the products whose skus the service has; a product refused for itself is a ProductRefusal naming its input. */
  async upsert(inputs: readonly ProductInput<ImageSource>[]): Promise<void> {
    await this.#send(inputs, 'UPDATE');
  }

  async #send(inputs: readonly ProductInput<ImageSource>[], onExisting: ExistingSku = 'FAIL'): Promise<Exclude<Answer, { retry: string }>> {
    const attempts = this.options.attempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      const url = await this.#acquire();
      let answer: Answer;
      try {
        answer = await this.#post(url, inputs, onExisting);
      } finally {
        this.#release(url);
      }
      if (!('retry' in answer)) return answer;
      if (attempt >= attempts) throw new RemoteImportError(`${url}: ${answer.retry}; gave up after ${attempts} tries`);
      // Jitter spreads the retries of batches refused together, so they do not all come back at once.
      const backoff = (this.options.backoffMs ?? 500) * 2 ** (attempt - 1) * (0.5 + Math.random());
      const waitMs = Math.min(Math.max(answer.afterMs ?? 0, backoff), MAX_WAIT_MS);
      this.options.onRetry?.({ url, reason: answer.retry, next: attempt + 1, attempts, waitMs });
      const signal = this.options.signal;
      await sleep(waitMs, undefined, { signal }).catch((error: unknown) => {
        signal?.throwIfAborted();
        throw error;
      });
    }
  }

  async #post(url: string, inputs: readonly ProductInput<ImageSource>[], onExisting: ExistingSku): Promise<Answer> {
    const signal = this.options.signal;
    let response: Response;
    let body: GraphQLAnswer | undefined;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          // A multipart request is one a browser form could send: Apollo's CSRF prevention asks for this header.
          'apollo-require-preflight': 'true',
          ...(this.options.token && { authorization: `Bearer ${this.options.token}` }),
        },
        body: addProductsRequest(inputs, onExisting),
        signal,
      });
      body = (await response.json().catch(() => undefined)) as GraphQLAnswer | undefined;
    } catch (error) {
      signal?.throwIfAborted();
      // If the batch landed before the connection broke, the next try finds its skus there.
      return { retry: `cannot be reached (${reason(error)})`, afterMs: undefined };
    }
    const error = body?.errors?.[0];
    const code = error?.extensions?.code;
    if (response.status === 503 || code === 'TOO_BUSY' || code === 'DATABASE_UNAVAILABLE') {
      return { retry: `busy (${code ?? `HTTP ${response.status}`})`, afterMs: retryAfterMs(response.headers.get('retry-after')) };
    }
    if (code === 'DUPLICATE_SKU') {
      const skus = error!.extensions!.skus;
      return { duplicates: Array.isArray(skus) ? skus.map(String) : [] };
    }
    if (code !== undefined && PRODUCT_CODES.has(code)) {
      const index = error!.extensions!.index;
      throw new ProductRefusal(code, error!.message, typeof index === 'number' ? index : undefined);
    }
    if (error || response.status === 401) {
      throw new RemoteImportError(
        `${url} refused a batch: ${error?.message ?? 'unauthenticated'} (${code ?? `HTTP ${response.status}`})${HINTS[code ?? response.status] ?? ''}`,
      );
    }
    const products = body?.data?.addProducts?.products;
    if (!response.ok || !products) throw new RemoteImportError(`${url} answered HTTP ${response.status} without a result`);
    return { added: products };
  }

  #acquire(): Promise<string> {
    const url = this.#idle.shift();
    return url === undefined ? new Promise((resolve) => this.#waiting.push(resolve)) : Promise.resolve(url);
  }

  #release(url: string): void {
    const next = this.#waiting.shift();
    if (next) next(url);
    else this.#idle.push(url);
  }
}

/**
 * The batch as a GraphQL multipart request: the images go as file parts,
 * streamed and counted by the service, rather than as base64 in a JSON body
 * a third larger and bounded to one large image.
 */
export function addProductsRequest(inputs: readonly ProductInput<ImageSource>[], onExisting: ExistingSku): FormData {
  const form = new FormData();
  const variables = inputs.map(({ sku, name, category, attributes, image }) => ({
    sku,
    name,
    category: category ?? null,
    ...(attributes !== undefined && { attributes }),
    ...(typeof image === 'string' ? { image } : image instanceof Uint8Array ? { imageFile: null } : { imageUrl: image.url }),
  }));
  const files = inputs.flatMap(({ image }, i) => (image instanceof Uint8Array ? [{ i, image }] : []));
  form.append('operations', JSON.stringify({ query: ADD_PRODUCTS, variables: { inputs: variables, onExisting } }));
  form.append('map', JSON.stringify(Object.fromEntries(files.map(({ i }) => [String(i), [`variables.inputs.${i}.imageFile`]]))));
  for (const { i, image } of files) form.append(String(i), new Blob([new Uint8Array(image)]), `${i}`);
  return form;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (header.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}
