import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message';
import { FacetPanel, type SelectionUpdate } from '../components/facet-panel';
import { ProductCard } from '../components/product-card';
import { conditionsFor, describeSelection, type FacetSelection } from '../facets';
import { CatalogCategories } from '../components/catalog-categories';
import { CatalogPageDocument, type ProductCardFragment } from '../generated/graphql';
import { ApiError, read } from '../graphql-client';
import { catalogHref } from '../route';
import { useFacets } from '../use-facets';
import { asApiError } from '../use-query';

export const PAGE_SIZE = 50;

interface Loaded {
  products: ProductCardFragment[];
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
}

interface Props {
  category: string | undefined;
  /** The shopper's attribute facets, shared with the product view. */
  selection: FacetSelection;
  onSelect: (update: SelectionUpdate) => void;
}

/** The catalog in pages of PAGE_SIZE (the API's cursor pagination), one category or all, narrowed by attribute facets. */
export function CatalogView({ category, selection, onSelect }: Props) {
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const facets = useFacets();
  const where = conditionsFor(selection);
  const narrowed = where !== null;
  // Answers may arrive out of order (a slower one for an earlier filter, or one from the browser's cache): only the latest page asked for is shown.
  const asked = useRef(0);

  async function loadPage(after: string | null, previous: ProductCardFragment[]) {
    const ask = ++asked.current;
    setBusy(true);
    setError(undefined);
    try {
      const { products } = await read(CatalogPageDocument, { first: PAGE_SIZE, after, category: category ?? null, where });
      if (ask !== asked.current) return;
      const page = products.edges.map((edge) => edge.node);
      setLoaded({ products: [...previous, ...page], totalCount: products.totalCount, ...products.pageInfo });
    } catch (failure) {
      if (ask === asked.current) setError(asApiError(failure));
    } finally {
      if (ask === asked.current) setBusy(false);
    }
  }

  useEffect(() => {
    setLoaded(undefined);
    void loadPage(null, []);
  }, [category, JSON.stringify(where)]);

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
        <CatalogCategories id="category" name="category" current={category} />
        <button type="submit">Filter</button>
        {category && <a href={catalogHref()}>Show all</a>}
      </form>
      <div class="shelf">
        {facets.data && <FacetPanel facets={facets.data} selection={selection} onChange={onSelect} narrows="the catalog" />}
        <div>
          {loaded && (
            <p class="count" aria-live="polite">
              Showing {loaded.products.length}{' '}
              {narrowed
                ? `${category ? `of the products in ${category}` : 'products'} with ${describeSelection(selection)}`
                : category
                  ? `of the products in ${category}`
                  : `of ${loaded.totalCount} products`}
            </p>
          )}
          {loaded && loaded.products.length === 0 && (
            <p>
              {narrowed
                ? 'No product has these attributes.'
                : category
                  ? `No product is in the category “${category}”. Pick one from the list.`
                  : 'No products here yet. Staff can add some on the Staff page.'}
            </p>
          )}
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
        </div>
      </div>
    </section>
  );
}
