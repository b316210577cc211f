import DataLoader from 'dataloader';

/**
 * Reads by key, coalescing the keys asked within one turn of the event loop
 * into a single readMany: a page of 50 products asking for their thumbnails,
 * or 50 thumbnail requests arriving together, cost one database read, not 50.
 * Nothing is cached past the read, so a later turn sees later writes.
 */
export function turnBatch<K, V>(readMany: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  const loader = new DataLoader<K, V | undefined>(
    async (keys) => {
      const values = await readMany([...new Set(keys)]);
      return keys.map((key) => values.get(key));
    },
    // setImmediate, not DataLoader's default microtask: requests parsed in the same turn join one batch.
    { cache: false, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );
  return (key) => loader.load(key);
}
