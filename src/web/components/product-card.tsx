import type { ProductCardFragment } from '../generated/graphql';
import { productHref } from '../route';

/** A product's thumbnail, name and category; the whole card opens the product. */
export function ProductCard({ product, k }: { product: ProductCardFragment; k?: number }) {
  return (
    <a class="card" href={productHref(product.id, k)}>
      <img src={product.thumbnailUrl} alt={product.name} loading="lazy" decoding="async" width={160} height={160} />
      <span class="card-name">{product.name}</span>
      <span class="card-category">{product.category ?? 'no category'}</span>
    </a>
  );
}
