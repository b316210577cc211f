import type { AttributeCondition, AttributeFacetsQuery, UpdateProductAttributesMutation } from './generated/graphql';

/** A product's attributes as the API returns them. */
export type Attributes = UpdateProductAttributesMutation['updateProduct']['product']['attributes'];

/** A string key with more values than this is a name or a text, not a choice. */
const MAX_CHOICES = 30;

export type Facet =
  | { key: string; kind: 'boolean' }
  | { key: string; kind: 'number'; min: number; max: number }
  | { key: string; kind: 'string'; values: string[] };

/** What the shopper chose, by key; a key left out narrows nothing. */
export type FacetChoice = { kind: 'boolean' } | { kind: 'number'; min?: number; max?: number } | { kind: 'string'; values: string[] };
export type FacetSelection = Readonly<Record<string, FacetChoice>>;

/**
 * The API's facets as the page offers them, by key: a string key is left
 * out when it has over MAX_CHOICES values or no value two products share
 * (a link, an identifier): there is nothing to choose between.
 */
export function facetsOf(api: AttributeFacetsQuery['attributeFacets']): Facet[] {
  const facets: Facet[] = [];
  for (const facet of [...api].sort((a, b) => a.key.localeCompare(b.key))) {
    if (facet.kind === 'BOOLEAN') facets.push({ key: facet.key, kind: 'boolean' });
    else if (facet.kind === 'NUMBER' && facet.min !== null && facet.min !== undefined && facet.max !== null && facet.max !== undefined) {
      facets.push({ key: facet.key, kind: 'number', min: facet.min, max: facet.max });
    } else if (facet.kind === 'STRING' && facet.distinctValues <= MAX_CHOICES && (facet.values[0]?.productCount ?? 0) >= 2) {
      facets.push({ key: facet.key, kind: 'string', values: facet.values.map((v) => v.value).sort((a, b) => a.localeCompare(b)) });
    }
  }
  return facets;
}

/** The selection with a key's choice changed; a choice that narrows nothing leaves the selection. */
export function choose(selection: FacetSelection, key: string, choice: FacetChoice | undefined): FacetSelection {
  const { [key]: _previous, ...others } = selection;
  const empty =
    !choice || (choice.kind === 'string' && choice.values.length === 0) || (choice.kind === 'number' && choice.min === undefined && choice.max === undefined);
  return empty ? others : { ...others, [key]: choice };
}

/** The selection as the API's conditions: all must hold, and any of a key's chosen strings will do. */
export function conditionsFor(selection: FacetSelection): AttributeCondition[] | null {
  if (Object.keys(selection).length === 0) return null;
  return Object.entries(selection).flatMap(([key, choice]): AttributeCondition[] => {
    if (choice.kind === 'boolean') return [{ key, eq: true }];
    if (choice.kind === 'string') return [{ key, in: choice.values }];
    return [{ key, gte: choice.min ?? null, lte: choice.max ?? null }];
  });
}

/** The selection in words, for the line that says what narrows a list. */
export function describeSelection(selection: FacetSelection): string {
  return Object.entries(selection)
    .map(([key, choice]) => {
      if (choice.kind === 'boolean') return key;
      if (choice.kind === 'string') return `${key}: ${choice.values.join(' or ')}`;
      if (choice.min !== undefined && choice.max !== undefined) return `${key} ${choice.min} to ${choice.max}`;
      return choice.min !== undefined ? `${key} at least ${choice.min}` : `${key} at most ${choice.max}`;
    })
    .join('; ');
}
