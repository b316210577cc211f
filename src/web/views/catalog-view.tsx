import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message';
import { ProductCard } from '../components/product-card';
import { CatalogPageDocument, type ProductCardFragment } from '../generated/graphql';
import { ApiError, request } from '../graphql-client';
import { catalogHref } from '../route';
import { asApiError } from '../use-query';

export const PAGE_SIZE = 50;

interface Loaded {
  products: ProductCardFragment[];
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
}

/** The catalog in pages of PAGE_SIZE (the API's cursor pagination), one category or all. */
export function CatalogView({ category }: { category: string | undefined }) {
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  // Categories met so far: the API lists products, not categories.
  const [categories, setCategories] = useState<string[]>([]);

  async function loadPage(after: string | null, previous: ProductCardFragment[]) {
    setBusy(true);
    setError(undefined);
    try {
      const { products } = await request(CatalogPageDocument, { first: PAGE_SIZE, after, category: category ?? null });
      const page = products.edges.map((edge) => edge.node);
      setLoaded({ products: [...previous, ...page], totalCount: products.totalCount, ...products.pageInfo });
      setCategories((known) => [...new Set([...known, ...page.flatMap((p) => (p.category ? [p.category] : []))])].sort());
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    setLoaded(undefined);
    void loadPage(null, []);
  }, [category]);

  function filter(event: Event) {
    event.preventDefault();
    const value = new FormData(event.currentTarget as HTMLFormElement).get('category');
    location.hash = catalogHref(typeof value === 'string' ? value.trim() : undefined);
  }

  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title" tabIndex={-1}>
        {category ? `Catalog: ${category}` : 'Catalog'}
      </h1>
      <form class="filter" onSubmit={filter} role="search" aria-label="Catalog filter">
        <label for="category">Category</label>
        <input id="category" name="category" list="known-categories" value={category ?? ''} placeholder="all categories" />
        <datalist id="known-categories">
          {categories.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <button type="submit">Filter</button>
        {category && <a href={catalogHref()}>Show all</a>}
      </form>
      {loaded && (
        <p class="count" aria-live="polite">
          Showing {loaded.products.length} {category ? `of the products in ${category}` : `of ${loaded.totalCount} products`}
        </p>
      )}
      {loaded && loaded.products.length === 0 && <p>No products here yet. Staff can add some on the Staff page.</p>}
      {loaded && (
        <ul class="grid" aria-label="Products">
          {loaded.products.map((product) => (
            <li key={product.id}>
              <ProductCard product={product} />
            </li>
          ))}
        </ul>
      )}
      {error && <ErrorMessage error={error} />}
      {busy && <p aria-live="polite">Loading…</p>}
      {loaded?.hasNextPage && !busy && (
        <button type="button" class="more" onClick={() => void loadPage(loaded.endCursor, loaded.products)}>
          Show more products
        </button>
      )}
    </section>
  );
}
