import { useMemo } from 'preact/hooks';
import { facetsOf, type Facet } from './facets';
import { AttributeFacetsDocument } from './generated/graphql';
import { useQuery, type QueryState } from './use-query';

/** The facets of the catalog's own attribute keys, from every product (the API's attributeFacets). */
export function useFacets(): QueryState<Facet[]> {
  const state = useQuery(AttributeFacetsDocument, {});
  const facets = useMemo(() => state.data && facetsOf(state.data.attributeFacets), [state.data]);
  return { ...state, data: facets };
}
