import DataLoader from 'dataloader';
import type { SearchState } from '../db/search.repository.js';

/**
 * The catalog's change-log generation and active model version, counting
 * every write any process committed before the caller asked: as of a read
 * that begins after that. The callers of one turn of the event loop share a
 * read, which begins on the next turn (as turn-batch.ts reads), so a busy
 * process reads the state once a turn, not once a request. Over the embedded
 * database, which no other process writes, the last read stands for as long
 * as no statement that may write has started since it was sent
 * (`localChanges`), and no read is needed.
 */
export class CatalogState {
  readonly #reads: DataLoader<'state', SearchState>;
  #kept: { state: Promise<SearchState>; changes: number } | undefined;

  constructor(
    read: () => Promise<SearchState>,
    private readonly localChanges?: () => number,
  ) {
    this.#reads = new DataLoader(
      async (callers) => {
        const state = await this.#read(read);
        return callers.map(() => state);
      },
      { cache: false, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
    );
  }

  current(): Promise<SearchState> {
    const kept = this.#kept;
    if (kept && kept.changes === this.localChanges?.()) return kept.state;
    return this.#reads.load('state');
  }

  #read(read: () => Promise<SearchState>): Promise<SearchState> {
    // Counted before the statement is sent: a write that starts later moves the count.
    const changes = this.localChanges?.();
    const state = read();
    if (changes !== undefined) {
      const kept = { state, changes };
      this.#kept = kept;
      state.catch(() => {
        if (this.#kept === kept) this.#kept = undefined;
      });
    }
    return state;
  }
}
