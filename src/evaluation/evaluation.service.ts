import type { Store } from '../db/store.js';
import type { ProductFeatures } from '../catalog/product.js';
import { nearestNeighbours, type NeighbourList } from './nearest-neighbours.js';
import { EmbeddingNormalizer, type EmbeddingNormalization } from '../training/embedding-normalizer.js';
import { describeEpoch, describeKept, fitHead } from '../training/fit-head.js';
import { MIN_PRODUCTS_PER_CATEGORY } from '../training/dataset.js';
import type { HeadEngine } from '../training/head-engine.js';
import type { Hyperparameters } from '../training/hyperparameters.js';
import type { EpochMetrics } from '../training/training-run.js';
import { bootstrapMean, type MeanEstimate } from './bootstrap-interval.js';
import { precisionsAtK } from './precision.js';

/** Which imported products play which part in the method's protocol, by sku. */
export interface EvaluationSets {
  /** The head trains on these (the method: the first 15,000 training images). */
  train: string[];
  /** The catalog recommendations come from (the method: the first 5,000 test images). */
  catalog: string[];
  /** Test images outside the catalog, used as queries and to measure the head's accuracy. */
  heldOut: string[];
  /**
   * The method's showcase query (test item 5033), not in the catalog. It counts
   * in the held-out metrics only when it is one of `heldOut`.
   */
  showcase: string;
}

export interface Recommendation {
  sku: string;
  category: string;
  distance: number;
}

export interface QueryResult {
  sku: string;
  category: string;
  predictedCategory: string;
  trained: Recommendation[];
  raw: Recommendation[];
}

/** Mean precision@k, each with a 95% percentile bootstrap interval over the queries. */
export interface SpaceMetrics {
  /** Share of the k nearest catalog products (self excluded) that share the query's category, over the catalog. */
  catalog: MeanEstimate;
  /** The same for the held-out test images as queries against the catalog. */
  heldOut: MeanEstimate;
}

export interface EvaluationResult {
  k: number;
  sizes: { train: number; trainingSamples: number; validationSamples: number; catalog: number; heldOut: number };
  classes: string[];
  hyperparameters: Hyperparameters;
  epochs: EpochMetrics[];
  /** The kept epoch's validation figures; the held-out accuracy of the head that epoch left. */
  head: { validationAccuracy: number; validationLoss: number; heldOutAccuracy: number; keptEpoch: number; stoppedEarly: boolean };
  /** Raw 2048-d ResNet50 features against the trained 512-d space, normalized as the hyperparameters say. */
  precision: { raw: SpaceMetrics; trained: SpaceMetrics };
  showcase: QueryResult;
  /** Whether the showcase query is one of the held-out queries, and so in their metrics. */
  showcaseIsHeldOut: boolean;
  /** Further held-out queries for the picture. */
  examples: QueryResult[];
  /** Per stage; the command line adds the import. */
  seconds: Record<string, number>;
}

/**
 * The method's experiment on products already in the catalog: train the head
 * on one set, embed another as the catalog with an embedding scaler fitted
 * over it, and measure the recommendations in both spaces. It uses the
 * features stored at import, so ResNet50 does not run again.
 */
export class EvaluationService {
  constructor(
    private readonly store: Store,
    private readonly engine: HeadEngine,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /**
   * Trains one head and measures it in each embedding space asked for (by
   * default the hyperparameters' own): one result per space, each carrying
   * the hyperparameters with that space, so that a space compares against
   * another on the very same head.
   */
  async evaluate(
    sets: EvaluationSets,
    hyperparameters: Hyperparameters,
    options: { k: number; examples: number; signal: AbortSignal; spaces?: readonly EmbeddingNormalization[] },
  ): Promise<EvaluationResult[]> {
    const { k } = options;
    const timer = stopwatch();
    const train = await this.features(sets.train);
    const catalog = await this.features(sets.catalog);
    const heldOut = await this.features(sets.heldOut);
    const showcaseIsHeldOut = sets.heldOut.includes(sets.showcase);
    // The showcase goes through the same embedding and search as the held-out queries, after them, so their metrics can leave it out.
    const queries = showcaseIsHeldOut ? heldOut : [...heldOut, ...(await this.features([sets.showcase]))];
    const loadFeatures = timer();

    const fitted = await fitHead(this.engine, train, hyperparameters, MIN_PRODUCTS_PER_CATEGORY, {
      signal: options.signal,
      onEpoch: async (metrics) => this.log(describeEpoch(metrics, hyperparameters.epochs)),
    });
    const trainSeconds = timer();
    const keptLine = describeKept(fitted);
    if (keptLine) this.log(keptLine);
    try {
      const embed = async (products: ProductFeatures[]) => fitted.head.embed(fitted.featureScaler.transformRows(products.map((p) => p.features)));
      const catalogEmbedded = await embed(catalog);
      const queriesEmbedded = await embed(queries);
      const embedSeconds = timer();
      const rawSearches = {
        catalog: nearestNeighbours(catalog.map((p) => p.features), catalog.map((p) => p.features), k, { excludeSelf: true }),
        queries: nearestNeighbours(queries.map((p) => p.features), catalog.map((p) => p.features), k),
      };
      const rawSearchSeconds = timer();

      const categoriesOf = (products: ProductFeatures[]) => products.map((p) => p.category!);
      const catalogCategories = categoriesOf(catalog);
      const heldOutCategories = categoriesOf(heldOut);
      const estimate = (categories: string[], lists: NeighbourList[]) =>
        bootstrapMean(precisionsAtK(categories, lists, catalogCategories), { seed: hyperparameters.seed });
      const raw = {
        catalog: estimate(catalogCategories, rawSearches.catalog),
        heldOut: estimate(heldOutCategories, rawSearches.queries.slice(0, heldOut.length)),
      };
      const correct = heldOutCategories.filter((category, i) => fitted.classes[queriesEmbedded.predicted[i]!] === category).length;
      const { kept, stoppedEarly } = fitted;
      const showcaseIndex = queries.findIndex((p) => p.sku === sets.showcase);
      const exampleIndices = Array.from({ length: Math.min(options.examples, heldOut.length) }, (_, i) => i).filter((i) => i !== showcaseIndex);

      const inSpace = (normalization: EmbeddingNormalization): EvaluationResult => {
        const spaceTimer = stopwatch();
        const normalizer = EmbeddingNormalizer.fit(normalization, catalogEmbedded.embeddings);
        const trainedCatalog = normalizer.transformRows(catalogEmbedded.embeddings);
        const trainedQueries = normalizer.transformRows(queriesEmbedded.embeddings);
        const normalizeSeconds = spaceTimer();
        const searches = {
          catalog: nearestNeighbours(trainedCatalog, trainedCatalog, k, { excludeSelf: true }),
          queries: nearestNeighbours(trainedQueries, trainedCatalog, k),
        };
        const searchSeconds = spaceTimer();
        const queryResult = (i: number): QueryResult => {
          const recommend = (list: NeighbourList): Recommendation[] =>
            Array.from(list.indices, (index, r) => ({ sku: catalog[index]!.sku, category: catalogCategories[index]!, distance: list.distances[r]! }));
          return {
            sku: queries[i]!.sku,
            category: queries[i]!.category!,
            predictedCategory: fitted.classes[queriesEmbedded.predicted[i]!]!,
            trained: recommend(searches.queries[i]!),
            raw: recommend(rawSearches.queries[i]!),
          };
        };
        return {
          k,
          sizes: {
            train: train.length,
            trainingSamples: fitted.trainingSamples,
            validationSamples: fitted.validationSamples,
            catalog: catalog.length,
            heldOut: heldOut.length,
          },
          classes: fitted.classes,
          hyperparameters: { ...hyperparameters, embeddingNormalization: normalization },
          epochs: fitted.epochs,
          head: {
            validationAccuracy: kept.valAccuracy,
            validationLoss: kept.valLoss,
            heldOutAccuracy: correct / heldOut.length,
            keptEpoch: kept.epoch,
            stoppedEarly,
          },
          precision: {
            raw,
            trained: {
              catalog: estimate(catalogCategories, searches.catalog),
              heldOut: estimate(heldOutCategories, searches.queries.slice(0, heldOut.length)),
            },
          },
          showcase: queryResult(showcaseIndex),
          showcaseIsHeldOut,
          examples: exampleIndices.map(queryResult),
          seconds: { loadFeatures, train: trainSeconds, embed: embedSeconds + normalizeSeconds, search: rawSearchSeconds + searchSeconds },
        };
      };
      return (options.spaces ?? [hyperparameters.embeddingNormalization]).map(inSpace);
    } finally {
      fitted.head.dispose();
    }
  }

  /** In the order asked for; every sku must have been imported. */
  private async features(skus: readonly string[]): Promise<(ProductFeatures & { sku: string })[]> {
    const found = new Map<string, ProductFeatures & { sku: string }>();
    for (let i = 0; i < skus.length; i += FEATURE_PAGE) {
      for (const product of await this.store.products.featuresBySkus(skus.slice(i, i + FEATURE_PAGE))) found.set(product.sku, product);
    }
    const missing = skus.filter((sku) => !found.has(sku));
    if (missing.length > 0) throw new Error(`${missing.length} products are not imported, e.g. ${missing[0]}`);
    return skus.map((sku) => found.get(sku)!);
  }
}

const FEATURE_PAGE = 1000;

/** Seconds since the previous call (or since creation). */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const seconds = (now - last) / 1000;
    last = now;
    return seconds;
  };
}
