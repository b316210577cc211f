import { ErrorMessage } from '../components/error-message';
import { NeighbourList, SpaceLine } from '../components/neighbour-list';
import { ProductWithNeighboursDocument } from '../generated/graphql';
import { productHref } from '../route';
import { useQuery } from '../use-query';

/** A product beside its k nearest products; k lives in the address so a view can be shared. */
export function ProductView({ id, k }: { id: string; k: number }) {
  const state = useQuery(ProductWithNeighboursDocument, { id, k });

  function changeK(event: Event) {
    const value = Number((event.currentTarget as HTMLInputElement).value);
    if (Number.isInteger(value) && value >= 1 && value <= 100) location.hash = productHref(id, value);
  }

  if (state.error) {
    return (
      <section aria-labelledby="view-title">
        <h1 id="view-title" tabIndex={-1}>Product {id}</h1>
        <ErrorMessage error={state.error} />
      </section>
    );
  }
  if (!state.data) return <p aria-live="polite">Loading…</p>;
  const { product, similarProducts } = state.data;
  if (!product) return <h1 id="view-title" tabIndex={-1}>No product {id}</h1>;
  return (
    <section aria-labelledby="view-title" class="product-view">
      <div class="query">
        <img src={product.thumbnailUrl} alt={product.name} width={256} height={256} />
        <div>
          <h1 id="view-title" tabIndex={-1}>{product.name}</h1>
          <dl class="facts">
            <dt>SKU</dt>
            <dd>{product.sku}</dd>
            <dt>Category</dt>
            <dd>{product.category ?? 'none'}</dd>
            <dt>Predicted</dt>
            <dd>{product.predictedCategory ?? '— (no trained head)'}</dd>
            <dt>Image</dt>
            <dd>
              {product.imageWidth} × {product.imageHeight} px
            </dd>
          </dl>
        </div>
      </div>
      <h2>Looks alike</h2>
      <label class="k">
        Neighbours (k)
        <input type="number" min={1} max={100} value={k} onChange={changeK} />
      </label>
      {state.loading && <p aria-live="polite">Loading…</p>}
      <SpaceLine space={similarProducts.space} modelVersion={similarProducts.modelVersion} />
      <NeighbourList neighbours={similarProducts.neighbours} category={product.category} k={k} />
    </section>
  );
}
