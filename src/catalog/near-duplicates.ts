import type { Store } from '../db/store.js';
import { DomainError } from '../errors.js';
import type { ExactSearch } from '../search/exact-search.js';
import { neighbourFilter, NO_FILTER } from '../domain/neighbour-filter.js';
import type { Product } from '../domain/product.js';
import type { EmbeddingSpace } from '../domain/embedding-space.js';

/** Pairs one page may hold. */
export const MAX_PAIRS_PAGE = 500;
/**
 * Products one page may scan, each with one exact search: what a page is
 * priced by (query-price.ts): 240 searches are 2,401 of the default
 * MAX_QUERY_COST of 10,000, and a full page of 500 pairs with cursors, ids
 * and skus, space and modelVersion 9,901. More would refuse that page.
 */
export const MAX_SCANNED_PRODUCTS = 240;
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

/** Why a page stopped scanning. */
export type ScanStop = 'PAGE_FULL' | 'CATALOG_END' | 'TIME_BUDGET' | 'PRODUCT_LIMIT';

export interface NearDuplicatePage {
  space: EmbeddingSpace;
  pairs: (ProductPair & { position: PairPosition })[];
  hasNextPage: boolean;
  /** Where the next page starts: the last pair's position, or past the last product scanned when the scan stopped first. */
  end: PairPosition | null;
  /** Products this page searched from. */
  scannedProducts: number;
  /** The last of them, null when it searched from none. */
  scannedThrough: number | null;
  stoppedBy: ScanStop;
}

/**
 * How far one page may scan: at most `products` (the service's is
 * MAX_SCANNED_PRODUCTS) once it holds a pair, and for `timeMs`
 * (NEAR_DUPLICATES_SCAN_MS) in any case. A page with no pair yet scans on
 * past `products` until its time runs out: it never comes back empty while
 * pairs remain within its time, and the time bounds what its price does not.
 */
export interface ScanLimits {
  products: number;
  timeMs: number;
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
  options: { maxDistance: number; first: number; after?: PairPosition | undefined; limits: ScanLimits },
): Promise<NearDuplicatePage> {
  const { maxDistance, first, after = { a: 0, b: 0 }, limits } = options;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAIRS_PAGE) {
    throw new DomainError('BAD_USER_INPUT', `first must be an integer from 1 to ${MAX_PAIRS_PAGE}`, { field: 'first' });
  }
  const bound = neighbourFilter(undefined, maxDistance).maxDistance!;
  const started = performance.now();
  const { activeSpace: space } = await store.search.state();
  const found: NearDuplicatePage['pairs'] = [];
  let scanned = 0;
  // Product after.a may still have pairs past after.b: it is scanned again,
  // unless the previous page took them all (a page must move past something).
  let position = after.b === EVERY_PAIR ? after.a : Math.max(after.a - 1, 0);
  let stoppedBy: ScanStop = 'CATALOG_END';
  scan: while (true) {
    const limit = found.length === 0 ? SCAN_BATCH : Math.min(SCAN_BATCH, limits.products - scanned);
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
      if (found.length > first) {
        return { space, pairs: found.slice(0, first), hasNextPage: true, end: found[first - 1]!.position, scannedProducts: scanned, scannedThrough: a, stoppedBy: 'PAGE_FULL' };
      }
      // Checked after a product, so every page makes progress however short its budget.
      if (found.length === first) stoppedBy = 'PAGE_FULL';
      else if (scanned >= limits.products && found.length > 0) stoppedBy = 'PRODUCT_LIMIT';
      else if (performance.now() - started >= limits.timeMs) stoppedBy = 'TIME_BUDGET';
      else continue;
      break scan;
    }
    if (batch.length < limit) break;
  }
  const hasNextPage = (await store.search.vectorsAfter(space, position, 1)).length > 0;
  return {
    space,
    pairs: found,
    hasNextPage,
    // Every pair of the last product scanned is on this page.
    end: scanned > 0 ? { a: position, b: EVERY_PAIR } : null,
    scannedProducts: scanned,
    scannedThrough: scanned > 0 ? position : null,
    stoppedBy: hasNextPage ? stoppedBy : 'CATALOG_END',
  };
}
