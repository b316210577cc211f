import { useEffect, useRef, useState } from 'preact/hooks';
import type { FacetSelection } from './facets';
import { useRoute, type Route } from './route';
import { CatalogView } from './views/catalog-view';
import { ProductView } from './views/product-view';
import { SearchView } from './views/search-view';
import { StaffView } from './views/staff-view';

const NAVIGATION: { href: string; label: string; view: Route['view'] }[] = [
  { href: '#/', label: 'Catalog', view: 'catalog' },
  { href: '#/search', label: 'Search by photo', view: 'search' },
  { href: '#/staff', label: 'Staff', view: 'staff' },
];

export function App() {
  const route = useRoute();
  // Kept here, not in a view, so the similar items of a product opened from the grid pass the grid's facets.
  const [selection, setSelection] = useState<FacetSelection>({});
  // Another view (or another product) moves focus to the content, as a page
  // load would; a changed k or category leaves it in the control.
  const place = route.view === 'product' ? `product:${route.id}` : route.view;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [place]);
  return (
    <>
      <a class="skip" href="#main" onClick={(event) => (event.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header>
        <a class="brand" href="#/">
          lookalike
        </a>
        <nav aria-label="Main">
          <ul>
            {NAVIGATION.map((item) => (
              <li key={item.view}>
                <a href={item.href} aria-current={route.view === item.view ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {route.view === 'catalog' && <CatalogView category={route.category} selection={selection} onSelect={setSelection} />}
        {route.view === 'product' && <ProductView id={route.id} k={route.k} selection={selection} onSelect={setSelection} />}
        {route.view === 'search' && <SearchView />}
        {route.view === 'staff' && <StaffView />}
      </main>
      <footer>
        Built on the public GraphQL API of this service: <a href="/schema.graphql">schema</a>.
      </footer>
    </>
  );
}
