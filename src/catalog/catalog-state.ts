import DataLoader from 'dataloader';
import type { SearchState } from '../db/search.repository.js';

/**
 * The catalog's change-log generation and active model version, as of a
 * read that begins after the caller asked: every write any process committed
 * before that is counted. The callers of one turn of the event loop share a
 * read, which begins on the next turn (as turn-batch.ts reads), so a busy
 * process reads the state once a turn, not once a request.
 */
export class CatalogState {
  readonly #reads: DataLoader<'state', SearchState>;

  constructor(read: () => Promise<SearchState>) {
    this.#reads = new DataLoader(
      async (callers) => {
        const state = await read();
        return callers.map(() => state);
      },
      { cache: false, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
    );
  }

  current(): Promise<SearchState> {
    return this.#reads.load('state');
  }
}
