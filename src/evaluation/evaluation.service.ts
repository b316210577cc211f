import type { Store } from '../db/store.js';
import type { ProductFeatures } from '../domain/product.js';
import { nearestNeighbours, type NeighbourList } from './nearest-neighbours.js';
import { EmbeddingNormalizer, type EmbeddingNormalization } from '../domain/embedding-normalizer.js';
import { describeEpoch, describeKept, fitHead } from '../training/fit-head.js';
import { MIN_PRODUCTS_PER_CATEGORY } from '../training/dataset.js';
import type { HeadEngine } from '../training/head-engine.js';
import type { Hyperparameters } from '../domain/hyperparameters.js';
import type { EpochMetrics } from '../domain/training-run.js';
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
   * another on the very same head. The stages: the sets' features, the
   * head, the raw space's searches, then each trained space's.
   */
  async evaluate(
    sets: EvaluationSets,
    hyperparameters: Hyperparameters,
    options: { k: number; examples: number; signal: AbortSignal; spaces?: readonly EmbeddingNormalization[] },
  ): Promise<EvaluationResult[]> {
    const timer = stopwatch();
    const products = await this.#products(sets);
    const loadFeatures = timer();
    const fitted = await this.#train(products.train, hyperparameters, options.signal);
    const train = timer();
    try {
      const trial = await measureRaw(products, fitted, hyperparameters, options);
      const seconds = { loadFeatures, train, ...trial.seconds };
      return (options.spaces ?? [hyperparameters.embeddingNormalization]).map((normalization) => measureTrained(trial, normalization, seconds));
    } finally {
      fitted.head.dispose();
    }
  }

  /** The features of every set, in the sets' order; the queries are the held-out products, then the showcase when it is not one of them. */
  async #products(sets: EvaluationSets): Promise<Products> {
    const train = await this.features(sets.train);
    const catalog = await this.features(sets.catalog);
    const heldOut = await this.features(sets.heldOut);
    const showcaseIsHeldOut = sets.heldOut.includes(sets.showcase);
    // The showcase goes through the same embedding and search as the held-out queries, after them, so their metrics can leave it out.
    const queries = showcaseIsHeldOut ? heldOut : [...heldOut, ...(await this.features([sets.showcase]))];
    return { train, catalog, heldOut, queries, showcase: sets.showcase, showcaseIsHeldOut };
  }

  async #train(train: ProductFeatures[], hyperparameters: Hyperparameters, signal: AbortSignal): Promise<FittedHead> {
    const fitted = await fitHead(this.engine, train, hyperparameters, MIN_PRODUCTS_PER_CATEGORY, {
      signal,
      onEpoch: async (metrics) => this.log(describeEpoch(metrics, hyperparameters.epochs)),
    });
    const keptLine = describeKept(fitted);
    if (keptLine) this.log(keptLine);
    return fitted;
  }

  /** In the order asked for; every sku must have been imported. */
  private async features(skus: readonly string[]): Promise<Product[]> {
    const found = new Map<string, Product>();
    for (let i = 0; i < skus.length; i += FEATURE_PAGE) {
      for (const product of await this.store.products.featuresBySkus(skus.slice(i, i + FEATURE_PAGE))) found.set(product.sku, product);
    }
    const missing = skus.filter((sku) => !found.has(sku));
    if (missing.length > 0) throw new Error(`${missing.length} products are not imported, e.g. ${missing[0]}`);
    return skus.map((sku) => found.get(sku)!);
  }
}

type Product = ProductFeatures & { sku: string };
type FittedHead = Awaited<ReturnType<typeof fitHead>>;

interface Products {
  train: Product[];
  catalog: Product[];
  heldOut: Product[];
  queries: Product[];
  showcase: string;
  showcaseIsHeldOut: boolean;
}

/** What every space's measurement shares: the products, the head's embeddings and predictions, and the raw space's searches and precision. */
interface Trial {
  products: Products;
  fitted: FittedHead;
  hyperparameters: Hyperparameters;
  k: number;
  examples: number;
  catalogEmbedded: Awaited<ReturnType<FittedHead['head']['embed']>>;
  queriesEmbedded: Awaited<ReturnType<FittedHead['head']['embed']>>;
  rawSearches: { catalog: NeighbourList[]; queries: NeighbourList[] };
  raw: SpaceMetrics;
  scoring: Scoring;
  seconds: { embed: number; search: number };
}

/** What precision@k needs beside a space's searches: the categories of the catalog and of the held-out queries, and the bootstrap's seed. */
interface Scoring {
  catalogCategories: string[];
  heldOutCategories: string[];
  seed: number;
}

/** Embeds the catalog and the queries with the head, and measures the raw 2048-d space. */
async function measureRaw(products: Products, fitted: FittedHead, hyperparameters: Hyperparameters, options: { k: number; examples: number }): Promise<Trial> {
  const { catalog, heldOut, queries } = products;
  const { k } = options;
  const timer = stopwatch();
  const embed = async (rows: ProductFeatures[]) => fitted.head.embed(fitted.featureScaler.transformRows(rows.map((p) => p.features)));
  const catalogEmbedded = await embed(catalog);
  const queriesEmbedded = await embed(queries);
  const embedSeconds = timer();
  const searched = { vectors: catalog.map((p) => p.features), ids: catalog.map((p) => p.id) };
  const rawSearches = {
    catalog: nearestNeighbours(searched.vectors, searched, k, { excludeSelf: true }),
    queries: nearestNeighbours(queries.map((p) => p.features), searched, k),
  };
  const searchSeconds = timer();
  const scoring = { catalogCategories: catalog.map((p) => p.category!), heldOutCategories: heldOut.map((p) => p.category!), seed: hyperparameters.seed };
  const raw = precisionOf(scoring, rawSearches);
  return { products, fitted, hyperparameters, k, examples: options.examples, catalogEmbedded, queriesEmbedded, rawSearches, raw, scoring, seconds: { embed: embedSeconds, search: searchSeconds } };
}

/** Mean precision@k over the catalog and over the held-out queries, for one space's searches. */
function precisionOf({ catalogCategories, heldOutCategories, seed }: Scoring, searches: { catalog: NeighbourList[]; queries: NeighbourList[] }): SpaceMetrics {
  const estimate = (categories: string[], lists: NeighbourList[]) => bootstrapMean(precisionsAtK(categories, lists, catalogCategories), { seed });
  return {
    catalog: estimate(catalogCategories, searches.catalog),
    // The queries after the held-out ones (the showcase) do not count.
    heldOut: estimate(heldOutCategories, searches.queries.slice(0, heldOutCategories.length)),
  };
}

/** One trained space: the embeddings normalized as `normalization` says, searched, measured, and the showcase and examples picked out. */
function measureTrained(trial: Trial, normalization: EmbeddingNormalization, seconds: { loadFeatures: number; train: number; embed: number; search: number }): EvaluationResult {
  const { products, fitted, k, catalogEmbedded, queriesEmbedded, rawSearches, scoring } = trial;
  const { catalogCategories, heldOutCategories } = scoring;
  const { train, catalog, heldOut, queries } = products;
  const timer = stopwatch();
  const normalizer = EmbeddingNormalizer.fit(normalization, catalogEmbedded.embeddings);
  const trainedCatalog = normalizer.transformRows(catalogEmbedded.embeddings);
  const trainedQueries = normalizer.transformRows(queriesEmbedded.embeddings);
  const normalizeSeconds = timer();
  const searched = { vectors: trainedCatalog, ids: catalog.map((p) => p.id) };
  const searches = {
    catalog: nearestNeighbours(trainedCatalog, searched, k, { excludeSelf: true }),
    queries: nearestNeighbours(trainedQueries, searched, k),
  };
  const searchSeconds = timer();
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
  const correct = heldOutCategories.filter((category, i) => fitted.classes[queriesEmbedded.predicted[i]!] === category).length;
  const showcaseIndex = queries.findIndex((p) => p.sku === products.showcase);
  const exampleIndices = Array.from({ length: Math.min(trial.examples, heldOut.length) }, (_, i) => i).filter((i) => i !== showcaseIndex);
  const { kept, stoppedEarly } = fitted;
  return {
    k,
    sizes: { train: train.length, trainingSamples: fitted.trainingSamples, validationSamples: fitted.validationSamples, catalog: catalog.length, heldOut: heldOut.length },
    classes: fitted.classes,
    hyperparameters: { ...trial.hyperparameters, embeddingNormalization: normalization },
    epochs: fitted.epochs,
    head: { validationAccuracy: kept.valAccuracy, validationLoss: kept.valLoss, heldOutAccuracy: correct / heldOut.length, keptEpoch: kept.epoch, stoppedEarly },
    precision: { raw: trial.raw, trained: precisionOf(scoring, searches) },
    showcase: queryResult(showcaseIndex),
    showcaseIsHeldOut: products.showcaseIsHeldOut,
    examples: exampleIndices.map(queryResult),
    seconds: { loadFeatures: seconds.loadFeatures, train: seconds.train, embed: seconds.embed + normalizeSeconds, search: seconds.search + searchSeconds },
  };
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
