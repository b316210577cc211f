import { NO_FILTER, type NeighbourFilter } from '../domain/neighbour-filter.js';
import type { Neighbour } from '../domain/product.js';
import type { SearchRepository, SearchState } from '../db/search.repository.js';
import type { IndexSnapshots } from './index-snapshot.js';
import { SpaceIndex } from './space-index.js';
import { ranksBeforeLeftOut } from './float-bounds.js';
import { IndexCapacityError } from './vector-table.js';
import type { EmbeddingSpace } from '../domain/embedding-space.js';

/** Tries against a catalog that keeps changing before the plain database query answers. */
const ATTEMPTS = 3;
/** Past this many candidates (heaps of duplicates), one scan in pgvector beats a lookup per candidate. */
const MAX_CANDIDATES = 10_000;

export interface SpaceNeighbours {
  space: EmbeddingSpace;
  neighbours: Neighbour[];
}

type Ranking = Neighbour[] | 'stale' | 'unbounded';

/**
 * Exact k-nearest-neighbour search, answered from an in-process index of the
 * active space and checked against the database in the same statement that
 * ranks it: a scan of the index picks candidates (candidates.ts), pgvector
 * ranks them with the one ORDER BY of a full search, and the statement
 * reports the change-log generation and active space it saw. The answer
 * stands only if those are the index's own, i.e. the database held exactly
 * what the index scanned; otherwise the index catches up and tries again.
 * So writes by any process, committed before the statement, are in the
 * answer, at the cost of one query in the steady state.
 */
export class ExactSearch {
  #state: SearchState | undefined;
  /** States observed so far, and how many had been when #state was: orders the reads. */
  #observed = 0;
  #stateObservedAt = 0;
  #index: SpaceIndex | undefined;
  #tooLarge: EmbeddingSpace | undefined;

  constructor(
    private readonly repository: SearchRepository,
    private readonly maxIndexBytes?: number,
    private readonly snapshots?: IndexSnapshots,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Loads the index of the space active now, so the first query does not wait for it. */
  async warm(): Promise<void> {
    await this.#activeIndex(true);
  }

  /** Writes the active space's index to its snapshot on disk, if it has one and has moved since. */
  async saveSnapshot(): Promise<void> {
    await this.#index?.saveSnapshot();
  }

  /** Products in the in-memory index of the active space; 0 before it loads or when the space is too large to hold. */
  get indexedProducts(): number {
    return this.#index?.size ?? 0;
  }

  /** The k products nearest to a catalog product in the active space, itself excluded; undefined if it has no vector there. */
  async similarTo(productId: number, k: number, filter: NeighbourFilter = NO_FILTER): Promise<SpaceNeighbours | undefined> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const index = await this.#activeIndex(attempt > 0);
      if (!index) break;
      const query = index.vectorOf(productId);
      const ranking = query ? await this.#rank(index, query, k, filter, productId) : await this.#confirmAbsent(index);
      if (ranking === 'unbounded') break;
      if (ranking === undefined) return undefined;
      if (ranking !== 'stale') return { space: index.space, neighbours: ranking };
    }
    return this.#similarFromDatabase(productId, k, filter);
  }

  /** The k products nearest to a vector of the given space. */
  async nearest(space: EmbeddingSpace, query: Float32Array, k: number, filter: NeighbourFilter = NO_FILTER): Promise<Neighbour[]> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const index = await this.#activeIndex(attempt > 0);
      if (index?.space !== space) {
        // The query may come from a version another process has just activated: look once more.
        if (index && attempt === 0) continue;
        // A version switched on since the query was embedded: answer in the query's own space.
        break;
      }
      const ranking = await this.#rank(index, query, k, filter);
      if (ranking === 'unbounded') break;
      if (ranking !== 'stale') return ranking;
    }
    return this.repository.nearest(space, query, k, filter);
  }

  async #activeIndex(refresh: boolean): Promise<SpaceIndex | undefined> {
    if (refresh || !this.#state) await this.#readState();
    const { generation, activeSpace } = this.#state!;
    if (activeSpace === this.#tooLarge) return undefined;
    if (this.#index?.space !== activeSpace) this.#index = new SpaceIndex(activeSpace, this.repository, this.maxIndexBytes, this.snapshots, this.log);
    const index = this.#index;
    try {
      await index.reach(generation);
    } catch (error) {
      if (!(error instanceof IndexCapacityError)) throw error;
      // The space stays in pgvector alone until another version is active.
      this.log(`search: the active space does not fit in the in-process index (${error.message}); pgvector answers every query alone`);
      this.#tooLarge = activeSpace;
      if (this.#index === index) this.#index = undefined;
      return undefined;
    }
    return index;
  }

  async #readState(): Promise<SearchState> {
    const before = this.#observed;
    const state = await this.repository.state();
    this.#observe(state, before);
    return state;
  }

  /**
   * Keeps the newest state seen: replies that were slow to arrive must not
   * send the index back. A lower generation read by a statement that began
   * after the newest state had arrived is no late reply: the database went
   * back (restored from a backup, or a replica promoted that had not seen
   * every commit), so its log no longer continues the index's, which is
   * dropped and loaded again.
   */
  #observe(state: SearchState, observedBefore: number): void {
    this.#observed++;
    if (this.#state && state.generation < this.#state.generation && observedBefore >= this.#stateObservedAt) {
      this.#index = undefined;
      this.#tooLarge = undefined;
    } else if (this.#state && state.generation <= this.#state.generation) {
      return;
    }
    this.#state = state;
    this.#stateObservedAt = this.#observed;
  }

  /**
   * With `ofProduct`, the query is that product's vector, and the product is
   * left out. Under a filter the candidates are drawn from the products it
   * admits, and the re-rank applies it again in SQL.
   */
  async #rank(index: SpaceIndex, query: Float32Array, k: number, filter: NeighbourFilter, ofProduct?: number): Promise<Ranking> {
    const generation = index.generation;
    // The index's categories and attributes are at `generation` too: if the
    // re-rank sees it, none changed since (an update of a product logs it).
    const found = await index.candidates(query, k, ofProduct, filter);
    if (found === undefined || found.ids.length > MAX_CANDIDATES) return 'unbounded';
    if (found.ids.length === 0) return (await this.#isCurrent(index, generation)) ? [] : 'stale';
    const before = this.#observed;
    const target = ofProduct === undefined ? query : { ofProduct };
    const { neighbours, state, queryChanged } = await this.repository.nearestAmong(index.space, target, k, found.ids, filter, generation);
    // The bound may leave none of the candidates: the statement then returned no state.
    if (!state) return (await this.#isCurrent(index, generation)) ? [] : 'stale';
    this.#observe(state, before);
    if (state.activeSpace !== index.space) return 'stale';
    if (state.generation === generation) return neighbours;
    // A store changing stock or prices many times a second moves the
    // generation between most scans and their statements. The statement
    // ranked every product changed since the scan's generation besides the
    // candidates, and every other product was scanned as it then stood: its
    // answer stands when its k-th row ranks before every row the scan left out.
    const kth = neighbours[k - 1];
    return !queryChanged && kth && ranksBeforeLeftOut(kth.distance, found.reach, index.dimensions) ? neighbours : 'stale';
  }

  async #confirmAbsent(index: SpaceIndex): Promise<undefined | 'stale'> {
    return (await this.#isCurrent(index, index.generation)) ? undefined : 'stale';
  }

  async #isCurrent(index: SpaceIndex, generation: number): Promise<boolean> {
    const state = await this.#readState();
    return state.generation === generation && state.activeSpace === index.space;
  }

  /** The plain pgvector queries: exact too, and slower. */
  async #similarFromDatabase(productId: number, k: number, filter: NeighbourFilter): Promise<SpaceNeighbours | undefined> {
    const space = (await this.repository.state()).activeSpace;
    const query = await this.repository.vectorOf(space, productId);
    if (!query) return undefined;
    return { space, neighbours: await this.repository.nearest(space, query, k, filter, productId) };
  }
}
