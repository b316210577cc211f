/**
 * Reads by key, coalescing the keys asked within one turn of the event loop
 * into a single readMany: a page of 50 products asking for their thumbnails,
 * or 50 thumbnail requests arriving together, cost one database read, not 50.
 * Nothing is cached past the read, so a later turn sees later writes.
 */
export function turnBatch<K, V>(readMany: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  let pending: Map<K, PromiseWithResolvers<V | undefined>[]> | undefined;
  const flush = async (batch: Map<K, PromiseWithResolvers<V | undefined>[]>) => {
    try {
      const values = await readMany([...batch.keys()]);
      for (const [key, waiters] of batch) for (const waiter of waiters) waiter.resolve(values.get(key));
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
    }
  };
  return (key) => {
    if (!pending) {
      const batch = (pending = new Map());
      setImmediate(() => {
        pending = undefined;
        void flush(batch);
      });
    }
    const waiter = resolvers<V | undefined>();
    pending.set(key, [...(pending.get(key) ?? []), waiter]);
    return waiter.promise;
  };
}

interface PromiseWithResolvers<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

/** Promise.withResolvers, which Node 20 lacks. */
function resolvers<T>(): PromiseWithResolvers<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
