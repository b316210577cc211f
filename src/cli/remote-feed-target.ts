import type { Attributes } from '../domain/attributes.js';
import type { ProductInput } from '../catalog/catalog.service.js';
import type { FeedTarget, StoredProduct } from '../catalog/feed-target.js';
import { PRODUCT_CODES, ProductRefusal } from '../catalog/product-refusal.js';
import type { ImageSource } from '../catalog/product-images.js';
import { RemoteCatalog, RemoteImportError, type RemoteCatalogOptions } from './remote-catalog.js';

const PRODUCT_FIELDS = 'id sku name category attributes imageSha256 imageUrl';

/**
 * A feed import through running services: products go as addProducts
 * batches (RemoteCatalog, with its retries), links as imageUrl for the
 * service to fetch behind its own guards; lookups, field updates and deletes
 * as plain GraphQL requests to the first service.
 */
export class RemoteFeedTarget implements FeedTarget {
  readonly #batches: RemoteCatalog;

  constructor(
    private readonly urls: readonly string[],
    private readonly options: RemoteCatalogOptions,
  ) {
    this.#batches = new RemoteCatalog(urls, options);
  }

  async stored(skus: readonly string[]): Promise<StoredProduct[]> {
    if (skus.length === 0) return [];
    const query = `query (${skus.map((_, i) => `$s${i}: String!`).join(', ')}) { ${skus.map((_, i) => `p${i}: productBySku(sku: $s${i}) { ${PRODUCT_FIELDS} }`).join(' ')} }`;
    const data = await this.#request<Record<string, RemoteProduct | null>>(query, Object.fromEntries(skus.map((sku, i) => [`s${i}`, sku])));
    return Object.values(data).flatMap((p) => (p ? [{ ...p, image: { sha256: p.imageSha256, url: p.imageUrl } }] : []));
  }

  async upsert(inputs: readonly ProductInput<ImageSource>[]): Promise<void> {
    await this.#batches.upsert(inputs);
  }

  async updateFields(id: string, fields: { name: string; category: string | null; attributes: Attributes }): Promise<void> {
    await this.#request('mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { product { id } } }', { id, input: fields });
  }

  async *products(): AsyncIterable<{ id: string; sku: string }> {
    let after: string | null = null;
    for (;;) {
      const { products }: { products: RemotePage } = await this.#request(
        'query ($after: String) { products(first: 500, after: $after) { edges { node { id sku } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      for (const edge of products.edges) yield edge.node;
      if (!products.pageInfo.hasNextPage) return;
      after = products.pageInfo.endCursor;
    }
  }

  async delete(id: string): Promise<void> {
    await this.#request('mutation ($id: ID!) { deleteProduct(id: $id) { id } }', { id });
  }

  async #request<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const url = this.urls[0]!;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.options.token && { authorization: `Bearer ${this.options.token}` }) },
      body: JSON.stringify({ query, variables }),
      signal: this.options.signal,
    }).catch((error: unknown) => {
      this.options.signal?.throwIfAborted();
      throw new RemoteImportError(`${url} cannot be reached (${String(error)})`);
    });
    const body = (await response.json().catch(() => undefined)) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] } | undefined;
    const error = body?.errors?.[0];
    const code = error?.extensions?.code;
    if (code !== undefined && PRODUCT_CODES.has(code)) throw new ProductRefusal(code, error!.message, 0);
    if (error || !body?.data) throw new RemoteImportError(`${url} refused a request: ${error?.message ?? `HTTP ${response.status}`} (${code ?? `HTTP ${response.status}`})`);
    return body.data;
  }
}

interface RemoteProduct {
  id: string;
  sku: string;
  name: string;
  category: string | null;
  attributes: Attributes;
  imageSha256: string | null;
  imageUrl: string | null;
}

interface RemotePage {
  edges: { node: { id: string; sku: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
