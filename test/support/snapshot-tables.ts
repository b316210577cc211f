import type { SpaceOrigin } from '../../src/db/search.repository.js';
import { VectorTable } from '../../src/search/vector-table.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';

export const SNAPSHOT_ORIGIN: SpaceOrigin = { database: '0b7e4a52-51a4-4d38-9f0e-0c2d7b6a9e31', activatedAt: null };
const ROWS = 10_000;

/** The same table for the same generation in every process: large enough that a save takes a while. */
export function snapshotTableAt(generation: number): VectorTable {
  const table = new VectorTable();
  const random = seededRandom(generation);
  const vector = randomVector(random, 512);
  for (let id = 1; id <= ROWS; id++) {
    vector[id % 512] = random();
    table.set(id, vector);
  }
  return table;
}
