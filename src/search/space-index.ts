import { NO_FILTER, type NeighbourFilter } from '../domain/neighbour-filter.js';
import type { ProductAttributes, SearchRepository, SpaceOrigin } from '../db/search.repository.js';
import { type Admission, type Candidates, candidatesIn } from './candidates.js';
import { AttributeStore } from './attribute-store.js';
import type { IndexSnapshots } from './index-snapshot.js';
import { VectorTable } from './vector-table.js';
import type { EmbeddingSpace } from '../domain/embedding-space.js';

/** Products per statement when refreshing, and attributes per statement when loading. */
const PAGE = 2000;

/**
 * One embedding space held in memory and brought up to date from the change
 * log on demand. Its generation says which log entries it has applied: every
 * product whose vectors differ from the database's has a change logged after
 * it. Vectors read later than that generation are newer, never older, so the
 * claim holds while reads and writes interleave.
 *
 * With snapshots, the first load starts from the copy on local disk when it
 * is valid for the space and database (index-snapshot.ts) and at a
 * generation the database has reached: the change log then lists every
 * product changed since, which the catch-up reads like any other change.
 * A snapshot is at its generation or newer in the same sense, so it may be
 * taken while a catch-up is half applied.
 */
export class SpaceIndex {
  /** Undefined until the first load. */
  #table: VectorTable | undefined;
  #generation = -1;
  #updating: Promise<void> | undefined;
  /**
   * Category keys as the codes the table holds beside each row, 1 up in the
   * order first read; 0 is no category. A filter then costs an array read a
   * row, and a category changed by any process comes with the change log,
   * as its vector does. Codes are never reused: a category emptied since
   * keeps its code, one entry among the catalog's few categories.
   */
  readonly #categoryCodes = new Map<string, number>();
  /**
   * The store's attributes of the products that have any, by product id,
   * for the rules a query may carry (attribute-condition.ts). They follow
   * the change log as categories do, and a change to them alone is read
   * without the vector.
   */
  readonly #attributes = new AttributeStore();
  /** Set by a load that found this space active: what a snapshot of it is valid for. */
  #origin: SpaceOrigin | undefined;
  /** The generation of the last snapshot written or read. */
  #snapshotGeneration = -1;
  #saving: Promise<void> = Promise.resolve();

  constructor(
    readonly space: EmbeddingSpace,
    private readonly repository: SearchRepository,
    private readonly maxBytes?: number,
    private readonly snapshots?: IndexSnapshots,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Products held in memory. */
  get size(): number {
    return this.#table?.size ?? 0;
  }

  get generation(): number {
    return this.#generation;
  }

  /** The space's dimensions; 0 before the first load. */
  get dimensions(): number {
    return this.#table?.dimensions ?? 0;
  }

  /** Loads the space or applies the log until the index is at `generation` or later; one update at a time. */
  async reach(generation: number): Promise<void> {
    while (this.#generation < generation) {
      this.#updating ??= (this.#table ? this.#catchUp(this.#table) : this.#load()).finally(() => (this.#updating = undefined));
      await this.#updating;
    }
  }

  /** Within the index's quantization error of the product's vector: a query for candidates(…, productId). */
  vectorOf(productId: number): Float32Array | undefined {
    return this.#table?.vectorOf(productId);
  }

  /**
   * Products that can be among the k nearest to the query; undefined where
   * the scan cannot bound them. With `ofProduct`, the query is that product's
   * vectorOf, which stands for its stored vector within its radius, and the
   * product is left out. Under a filter, the candidates are drawn from the
   * products the filter admits as the index holds them.
   */
  async candidates(query: Float32Array, k: number, ofProduct?: number, filter: NeighbourFilter = NO_FILTER): Promise<Candidates | undefined> {
    const table = this.#table;
    // Before the first load the index is empty: no product can be a candidate, whatever its distance.
    return table ? candidatesIn(table, query, k, ofProduct, { admits: this.#admission(filter), maxDistance: filter.maxDistance }) : { ids: [], reach: 0 };
  }

  /** The filter as a test of rows, or undefined when it admits every product. */
  #admission(filter: NeighbourFilter): Admission | undefined {
    const byCategory = this.#categoryAdmission(filter);
    const { where } = filter;
    if (where.length === 0) return byCategory;
    const byAttributes = this.#attributes.test(where);
    return byCategory ? (productId, category) => byCategory(productId, category) && byAttributes(productId) : byAttributes;
  }

  #categoryAdmission({ categoryKeys, excludedCategoryKeys, excludedIds }: NeighbourFilter): Admission | undefined {
    if (!categoryKeys && excludedCategoryKeys.length === 0 && excludedIds.length === 0) return undefined;
    // As the SQL (db/neighbour-filter.ts): a product without a category matches no list and no exclusion.
    const admitted = new Uint8Array(this.#categoryCodes.size + 1).fill(categoryKeys ? 0 : 1);
    for (const code of this.#codesOf(categoryKeys ?? [])) admitted[code] = 1;
    for (const code of this.#codesOf(excludedCategoryKeys)) admitted[code] = 0;
    if (excludedIds.length === 0) return (_, category) => admitted[category] === 1;
    const excluded = new Set(excludedIds);
    return (productId, category) => admitted[category] === 1 && !excluded.has(productId);
  }

  /** The codes of the keys the index holds; a key no product of it has drops out. */
  #codesOf(keys: readonly string[]): number[] {
    return keys.flatMap((key) => this.#categoryCodes.get(key) ?? []);
  }

  #setAttributes({ productId, attributes }: ProductAttributes): void {
    this.#attributes.set(productId, attributes);
  }

  async #loadAttributes(): Promise<void> {
    this.#attributes.clear();
    for (let after = 0; ; ) {
      const page = await this.repository.attributesAfter(after, PAGE);
      if (page.length === 0) break;
      for (const product of page) this.#setAttributes(product);
      after = page.at(-1)!.productId;
    }
  }

  /** Reads these products' attributes again; those no longer in the catalog lose theirs. */
  async #refreshAttributes(productIds: readonly number[]): Promise<void> {
    for (let i = 0; i < productIds.length; i += PAGE) {
      const ids = productIds.slice(i, i + PAGE);
      const found = await this.repository.attributesOf(ids);
      for (const id of ids) this.#attributes.delete(id);
      for (const product of found) this.#setAttributes(product);
    }
  }

  #set(table: VectorTable, productId: number, vector: Float32Array, categoryKey: string | null): void {
    let code = 0;
    if (categoryKey !== null) {
      code = this.#categoryCodes.get(categoryKey) ?? this.#categoryCodes.size + 1;
      this.#categoryCodes.set(categoryKey, code);
    }
    table.set(productId, vector, code);
  }

  /** Writes a snapshot of the index if it has moved since the last one; one write at a time. */
  saveSnapshot(): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      const [table, origin, generation] = [this.#table, this.#origin, this.#generation];
      if (!this.snapshots || !table || !origin || table.size === 0 || generation === this.#snapshotGeneration) return;
      await this.snapshots.save({ space: this.space, origin, generation }, table, [...this.#categoryCodes.keys()]);
      this.#snapshotGeneration = generation;
    });
    return this.#saving;
  }

  async #load(): Promise<void> {
    // Read before the pages: the pages are then at this generation or newer.
    const { generation, activeSpace, origin } = await this.repository.stateWithOrigin();
    if (activeSpace === this.space) this.#origin = origin;
    const restored = this.#origin && (await this.snapshots?.restore(this.space, this.#origin, generation, this.maxBytes));
    if (restored) {
      restored.categoryKeys.forEach((key, i) => this.#categoryCodes.set(key, i + 1));
      // Not in the snapshot: read now, they are at its generation or newer, as its rows are.
      await this.#loadAttributes();
      this.#table = restored.table;
      this.#generation = this.#snapshotGeneration = restored.generation;
      this.#partitionInBackground(restored.table);
      return;
    }
    const table = new VectorTable(this.maxBytes);
    await this.repository.eachVector(this.space, (productId, vector, categoryKey) => this.#set(table, productId, vector, categoryKey));
    await this.#loadAttributes();
    this.#table = table;
    this.#generation = generation;
    this.#partitionInBackground(table);
  }

  /**
   * Queries scan every row until the partition is built; it is built after
   * the load, not before, so that a process is ready as soon as its rows are
   * in memory, and again when new rows have piled up in the tail.
   */
  #partitionInBackground(table: VectorTable): void {
    if (!table.wantsPartition) return;
    const start = performance.now();
    table.partition().then(
      () => this.log(`search: ${table.size} products of the active space filed in ${table.blocks} blocks in ${Math.round(performance.now() - start)} ms`),
      (error: unknown) => this.log(`search: partitioning the index failed, every query scans it all: ${String(error)}`),
    );
  }

  /**
   * Applied a page at a time: until the generation moves, no search can be
   * confirmed against the database, which is already past it.
   */
  async #catchUp(table: VectorTable): Promise<void> {
    const { generation, productIds, attributesChanged } = await this.repository.changedSince(this.#generation);
    for (let i = 0; i < productIds.length; i += PAGE) {
      const ids = productIds.slice(i, i + PAGE);
      const found = await this.repository.vectorsOf(this.space, ids);
      // Not while a scan or a partition step that has paused holds the table.
      await table.exclusive(() => {
        for (const id of ids) table.delete(id);
        for (const { productId, vector, categoryKey } of found) this.#set(table, productId, vector, categoryKey);
      });
    }
    await this.#refreshAttributes([...productIds, ...attributesChanged]);
    this.#generation = generation;
    this.#partitionInBackground(table);
  }
}
