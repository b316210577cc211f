import { readAdminToken } from '../admin-token';
import { AttributeEditor } from '../components/attribute-editor';
import { AttributeList } from '../components/attribute-list';
import { ErrorMessage } from '../components/error-message';
import { FacetPanel, type SelectionUpdate } from '../components/facet-panel';
import { NeighbourList, SpaceLine } from '../components/neighbour-list';
import { conditionsFor, describeSelection, type FacetSelection } from '../facets';
import { ProductWithNeighboursDocument } from '../generated/graphql';
import { productHref } from '../route';
import { useFacets } from '../use-facets';
import { useQuery } from '../use-query';

interface Props {
  id: string;
  k: number;
  /** The shopper's attribute facets, shared with the catalog: the similar items pass them too. */
  selection: FacetSelection;
  onSelect: (update: SelectionUpdate) => void;
}

/** A product, its attributes, and its k nearest products; k lives in the address so a view can be shared. */
export function ProductView({ id, k, selection, onSelect }: Props) {
  const state = useQuery(ProductWithNeighboursDocument, { id, k, where: conditionsFor(selection) });
  const facets = useFacets();
  const adminToken = readAdminToken();

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
  const narrowed = Object.keys(selection).length > 0;
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
          <h2>Attributes</h2>
          <AttributeList attributes={product.attributes} />
        </div>
      </div>
      {adminToken && (
        <AttributeEditor
          key={product.id}
          id={product.id}
          attributes={product.attributes}
          adminToken={adminToken}
          onSaved={() => (state.reload(), facets.reload())}
        />
      )}
      <h2>Looks alike</h2>
      {facets.data && <FacetPanel facets={facets.data} selection={selection} onChange={onSelect} narrows="the similar items" />}
      <label class="k">
        Neighbours (k)
        <input type="number" min={1} max={100} value={k} onChange={changeK} />
      </label>
      {state.loading && <p aria-live="polite">Loading…</p>}
      <SpaceLine space={similarProducts.space} modelVersion={similarProducts.modelVersion} />
      {narrowed && <p class="narrowed">Only items with {describeSelection(selection)}.</p>}
      {narrowed && similarProducts.neighbours.length === 0 ? (
        <p>No similar item has these attributes.</p>
      ) : (
        <NeighbourList neighbours={similarProducts.neighbours} category={product.category} k={k} />
      )}
    </section>
  );
}
