import { DomainError } from '../errors.js';

/** One product of a batch refused for itself (its image, its fields): the batch goes again without it. */
export class ProductRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Its place in the batch; undefined when the refusal did not say. */
    readonly index: number | undefined,
  ) {
    super(message);
  }

  /** The message without the `input N: ` the catalog puts before it: the product is named by whoever reports it. */
  get reason(): string {
    return this.message.replace(/^input \d+: /, '');
  }
}

/** The codes that refuse one product, not the batch or the service: what a feed row or an imported file fails with. */
export const PRODUCT_CODES: ReadonlySet<string> = new Set([
  'BAD_USER_INPUT',
  'INVALID_IMAGE',
  'IMAGE_TOO_LARGE',
  'IMAGE_DECODE_TIMEOUT',
  'IMAGE_URL_FORBIDDEN',
  'IMAGE_FETCH_FAILED',
  'DUPLICATE_SKU',
  'NOT_FOUND',
]);

/** The refusal of one product that an error is, from the catalog in this process or from a service; undefined for any other error. */
export function productRefusal(error: unknown): ProductRefusal | undefined {
  if (error instanceof ProductRefusal) return error;
  if (error instanceof DomainError && PRODUCT_CODES.has(error.code)) {
    const index = error.details.index;
    return new ProductRefusal(error.code, error.message, typeof index === 'number' ? index : undefined);
  }
  return undefined;
}

/**
 * Sends the items, sending again without each one refused for itself, which
 * goes to `onRefused`; returns what each send that landed answered. Any other
 * error stops it.
 */
export async function sendWithoutRefused<T, R>(
  items: readonly T[],
  send: (items: T[]) => Promise<R>,
  onRefused: (item: T, refusal: ProductRefusal) => void,
): Promise<R[]> {
  let pending = [...items];
  while (pending.length > 0) {
    try {
      return [await send(pending)];
    } catch (error) {
      const refusal = productRefusal(error);
      if (refusal === undefined) throw error;
      if (refusal.index === undefined && pending.length > 1) {
        // Which item was at fault is not said: each goes alone.
        const answers: R[] = [];
        for (const item of pending) answers.push(...(await sendWithoutRefused([item], send, onRefused)));
        return answers;
      }
      const index = refusal.index ?? 0;
      onRefused(pending[index]!, refusal);
      pending = pending.filter((_, i) => i !== index);
    }
  }
  return [];
}
