import type { Store } from '../db/store.js';
import { DomainError } from '../errors.js';
import type { ExactSearch } from '../search/exact-search.js';
import { neighbourFilter, NO_FILTER } from './neighbour-filter.js';
import type { Product } from './product.js';
import type { EmbeddingSpace } from './embedding-space.js';

/** Pairs one page may hold. */
export const MAX_PAIRS_PAGE = 500;
/**
 * Products one page scans, each with one exact search: a page of a catalog
 * with few duplicates may come back short, with hasNextPage, rather than
 * search the whole catalog in one request. A search took some 40 ms on the
 * loaded test machine (110 products): 200 keeps a page to seconds.
 */
export const MAX_SCANNED_PRODUCTS = 200;
/**
 * Products within the bound of one product that a page accepts. Each product
 * asks the search for one more than this: all of its pairs come back or the
 * request is refused, so no pair is ever silently missing.
 */
export const MAX_PAIRS_PER_PRODUCT = 100;
const SCAN_BATCH = 100;

/** Where a page starts: after the pair (a, b) in (a.id, b.id) order. */
export interface PairPosition {
  a: number;
  b: number;
}

export interface ProductPair {
  a: Product;
  b: Product;
  distance: number;
}

export interface NearDuplicatePage {
  space: EmbeddingSpace;
  pairs: (ProductPair & { position: PairPosition })[];
  hasNextPage: boolean;
  /** Where the next page starts: the last pair's position, or past the last product scanned when the scan stopped first. */
  end: PairPosition | null;
}

/** Past any product id: a position after every pair of its product a. */
const EVERY_PAIR = 2_147_483_647;

/**
 * Pairs of catalog products at most maxDistance apart in the active space,
 * in (a.id, b.id) order with a.id < b.id: each product's neighbours within
 * the bound from the exact search, those with a larger id kept. The space is
 * read once, so one page never mixes model versions.
 */
export async function nearDuplicatePage(
  store: Store,
  search: ExactSearch,
  options: { maxDistance: number; first: number; after?: PairPosition | undefined },
): Promise<NearDuplicatePage> {
  const { maxDistance, first, after = { a: 0, b: 0 } } = options;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAIRS_PAGE) {
    throw new DomainError('BAD_USER_INPUT', `first must be an integer from 1 to ${MAX_PAIRS_PAGE}`, { field: 'first' });
  }
  const bound = neighbourFilter(undefined, maxDistance).maxDistance!;
  const { activeSpace: space } = await store.search.state();
  const found: NearDuplicatePage['pairs'] = [];
  let scanned = 0;
  // Product after.a may still have pairs past after.b: it is scanned again.
  let position = Math.max(after.a - 1, 0);
  while (scanned < MAX_SCANNED_PRODUCTS) {
    const limit = Math.min(SCAN_BATCH, MAX_SCANNED_PRODUCTS - scanned);
    const batch = await store.search.vectorsAfter(space, position, limit);
    for (const { productId: a, vector } of batch) {
      const neighbours = await search.nearest(space, vector, MAX_PAIRS_PER_PRODUCT + 1, { ...NO_FILTER, excludedIds: [a], maxDistance: bound });
      if (neighbours.length > MAX_PAIRS_PER_PRODUCT) {
        throw new DomainError('BAD_USER_INPUT', `product ${a} has more than ${MAX_PAIRS_PER_PRODUCT} products within maxDistance ${bound}; give a smaller one`, {
          field: 'maxDistance',
          productId: String(a),
        });
      }
      const lowest = a === after.a ? after.b : a;
      const pairs = neighbours.filter((n) => n.product.id > lowest).sort((x, y) => x.product.id - y.product.id);
      const product = pairs.length > 0 ? await store.products.findById(a) : undefined;
      // A product deleted since its vector was read has no pairs any more.
      if (product) for (const n of pairs) found.push({ a: product, b: n.product, distance: n.distance, position: { a, b: n.product.id } });
      scanned++;
      position = a;
      if (found.length > first) return { space, pairs: found.slice(0, first), hasNextPage: true, end: found[first - 1]!.position };
      if (found.length === first) break;
    }
    if (found.length === first || batch.length < limit) break;
  }
  // Every pair of the last product scanned is on this page.
  const end = scanned > 0 ? { a: position, b: EVERY_PAIR } : null;
  return { space, pairs: found, hasNextPage: (await store.search.vectorsAfter(space, position, 1)).length > 0, end };
}
