import type { AttributeCondition, AttributeSampleQuery } from './generated/graphql';

export type Attributes = AttributeSampleQuery['products']['edges'][number]['node']['attributes'];

/** The products the facets are built from: the catalog's first FACET_SAMPLE, as the API lists them. */
export const FACET_SAMPLE = 500;
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
 * One facet per key whose values share a type: booleans, numbers, or strings
 * and lists of strings. A string key is left out when no value is shared by
 * two products (a link, an identifier) or it has over MAX_CHOICES values.
 */
export function deriveFacets(sample: readonly Attributes[]): Facet[] {
  const seen = new Map<string, unknown[]>();
  for (const attributes of sample) {
    for (const [key, value] of Object.entries(attributes)) {
      const values = seen.get(key);
      if (values) values.push(value);
      else seen.set(key, [value]);
    }
  }
  const facets: Facet[] = [];
  for (const [key, values] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
    if (values.every((v) => typeof v === 'boolean')) facets.push({ key, kind: 'boolean' });
    else if (values.every((v) => typeof v === 'number')) facets.push({ key, kind: 'number', min: Math.min(...values), max: Math.max(...values) });
    else if (values.every((v) => typeof v === 'string' || Array.isArray(v))) {
      const each = values.flatMap((v) => (Array.isArray(v) ? [...new Set(v as string[])] : [v as string]));
      const choices = [...new Set(each)].sort((a, b) => a.localeCompare(b));
      if (choices.length <= MAX_CHOICES && choices.length < each.length) facets.push({ key, kind: 'string', values: choices });
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
