import { useMemo } from 'preact/hooks';
import { deriveFacets, FACET_SAMPLE, type Facet } from './facets';
import { AttributeSampleDocument } from './generated/graphql';
import { useQuery, type QueryState } from './use-query';

/**
 * The facets of the catalog's own attribute keys. The API lists products, not
 * keys, so they are built from the first FACET_SAMPLE products: a key or value
 * found only further on is not offered.
 */
export function useFacets(): QueryState<Facet[]> {
  const state = useQuery(AttributeSampleDocument, { first: FACET_SAMPLE });
  const facets = useMemo(() => state.data && deriveFacets(state.data.products.edges.map((edge) => edge.node.attributes)), [state.data]);
  return { ...state, data: facets };
}
