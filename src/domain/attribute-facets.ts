/** The catalog's attribute keys as a storefront narrows by them (schema: AttributeFacet). */
export interface AttributeFacet {
  key: string;
  kind: 'BOOLEAN' | 'NUMBER' | 'STRING';
  productCount: number;
  min: number | null;
  max: number | null;
  distinctValues: number;
  values: { value: string; productCount: number }[];
}

export const MAX_FACETS = 100;
export const MAX_FACET_VALUES = 30;
/**
 * How long a count stands when other processes write: it reads every
 * product's attributes, and a store may change stock many times a second.
 * This process's own writes make it count again at once.
 */
export const FACETS_TTL_MS = 10_000;

/**
 * The last facets counted, and a count in flight that every caller then
 * shares: one read of the catalog per TTL, however many pages ask.
 */
export class AttributeFacetsCache {
  #counted: { at: number; facets: Promise<AttributeFacet[]> } | undefined;

  constructor(
    private readonly count: () => Promise<AttributeFacet[]>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** After a write through this process: its next reader counts again, so a page sees its own change. */
  forget(): void {
    this.#counted = undefined;
  }

  get(): Promise<AttributeFacet[]> {
    const counted = this.#counted;
    if (counted && this.now() - counted.at < FACETS_TTL_MS) return counted.facets;
    const facets = this.count();
    this.#counted = { at: this.now(), facets };
    // A failed count is not kept: the next caller counts again.
    facets.catch(() => {
      if (this.#counted?.facets === facets) this.#counted = undefined;
    });
    return facets;
  }
}
