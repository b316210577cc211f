import type { GridRow } from '../reports/neighbour-grid.js';
import type { QueryResult } from './evaluation.service.js';

/**
 * The rows of one space's recommendations picture. Only the trained space's
 * picture captions a query with the head's predicted category: the raw
 * features' neighbours owe nothing to the head, and its guess beside them
 * would read as theirs.
 */
export function recommendationRows(queries: readonly QueryResult[], space: 'trained' | 'raw', thumbnails: ReadonlyMap<string, Uint8Array>): GridRow[] {
  const thumbnail = (sku: string) => {
    const image = thumbnails.get(sku);
    if (!image) throw new Error(`no thumbnail for ${sku}`);
    return image;
  };
  return queries.map((query) => ({
    query: {
      image: thumbnail(query.sku),
      caption: space === 'trained' ? `${query.category} (pred. ${query.predictedCategory})` : query.category,
    },
    neighbours: query[space].map((r) => ({
      image: thumbnail(r.sku),
      caption: r.category,
      distance: r.distance,
      match: r.category === query.category,
    })),
  }));
}
