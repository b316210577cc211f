import type { EmbeddingSpace, ProductCardFragment } from '../generated/graphql';
import { ProductCard } from './product-card';

export interface NeighbourItem {
  rank: number;
  distance: number;
  product: ProductCardFragment;
}

/** The answer's provenance, as the API reports it. */
export function SpaceLine({ space, modelVersion }: { space: EmbeddingSpace; modelVersion: string | null | undefined }) {
  return (
    <p class="space">
      Answered in <strong>{space === 'TRAINED_HEAD' ? 'the trained head’s space' : 'ResNet50 feature space'}</strong> ({space})
      {modelVersion ? <>, model version <strong>{modelVersion}</strong></> : ', no trained model version'}; exact L2 distances.
    </p>
  );
}

/**
 * Neighbours in rank order, as in the method's picture: each with its
 * distance, category and predicted category; those in the query's category
 * are marked (in words, not only colour).
 */
export function NeighbourList({ neighbours, category, k }: { neighbours: readonly NeighbourItem[]; category: string | null | undefined; k?: number }) {
  if (neighbours.length === 0) return <p>No neighbours: the catalog has no other product.</p>;
  return (
    <ol class="neighbours" aria-label="Nearest products, nearest first">
      {neighbours.map(({ rank, distance, product }) => {
        const same = category != null && product.category === category;
        return (
          <li key={product.id} class={same ? 'neighbour same' : 'neighbour'}>
            <ProductCard product={product} k={k} />
            <dl class="facts">
              <dt>Rank</dt>
              <dd>{rank}</dd>
              <dt>Distance</dt>
              <dd class="distance">{distance.toFixed(3)}</dd>
              <dt>Predicted</dt>
              <dd>{product.predictedCategory ?? '—'}</dd>
            </dl>
            {same && <span class="badge">Same category</span>}
          </li>
        );
      })}
    </ol>
  );
}
