import { useEffect, useState } from 'preact/hooks';

/** The page's views, addressed by the URL's fragment so that the server serves one document. */
export type Route =
  | { view: 'catalog'; category: string | undefined }
  | { view: 'product'; id: string; k: number }
  | { view: 'search' }
  | { view: 'staff' };

export const DEFAULT_K = 6;

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const product = /^\/products\/([^/]+)$/.exec(path);
  if (product) return { view: 'product', id: decodeURIComponent(product[1]!), k: kFrom(params.get('k')) };
  if (path === '/search') return { view: 'search' };
  if (path === '/staff') return { view: 'staff' };
  return { view: 'catalog', category: params.get('category') || undefined };
}

export function catalogHref(category?: string): string {
  return category ? `#/?category=${encodeURIComponent(category)}` : '#/';
}

export function productHref(id: string, k = DEFAULT_K): string {
  return k === DEFAULT_K ? `#/products/${encodeURIComponent(id)}` : `#/products/${encodeURIComponent(id)}?k=${k}`;
}

function kFrom(value: string | null): number {
  const k = Number(value);
  return Number.isInteger(k) && k >= 1 && k <= 100 ? k : DEFAULT_K;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return route;
}
