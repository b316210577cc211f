import type { Repositories, Store } from '../db/store.js';
import { DomainError } from '../errors.js';
import { MIN_PRODUCTS_PER_CATEGORY, planCategories } from './dataset.js';
import { EmbeddingModel } from './embedding-model.js';
import { EmbeddingNormalizer, type EmbeddingNormalization } from '../domain/embedding-normalizer.js';
import { describeEpoch, describeKept, fitHead } from './fit-head.js';
import { startHeartbeat } from './heartbeat.js';
import type { Head, HeadEngine } from './head-engine.js';
import { resolveHyperparameters, type HyperparameterOverrides, type Hyperparameters } from '../domain/hyperparameters.js';
import type { StandardScaler } from '../ml/head/standard-scaler.js';
import type { ModelVersion, ModelVersionSummary } from '../domain/model-version.js';
import type { TrainingMetrics, TrainingRun } from '../domain/training-run.js';

export const MAX_RUNS_PER_PAGE = 100;
export const MAX_VERSIONS_PER_PAGE = 100;
/** Products read and embedded at a time when a new version embeds the catalog. */
const EMBEDDING_CHUNK = 5000;
/** Embeddings per insert: keeps each statement a few megabytes. */
const INSERT_CHUNK = 1000;

export interface TrainingServiceOptions {
  log?: (line: string) => void;
  /** How often the process training a run says it is alive. */
  heartbeatMs?: number;
  /** A queued or running run silent this long was left by a process that died. */
  abandonedAfterMs?: number;
  /** Categories with fewer products are left out of a run, and listed on it; at least 2. */
  minCategoryProducts?: number;
  /** Inactive model versions kept besides the active one; older ones are deleted with their embeddings. */
  keepModelVersions?: number;
}

/**
 * Trains the categorical head in the background and switches the new model
 * version on once every catalog product has an embedding under it. Until
 * that switch every query is answered by the previous version.
 */
export class TrainingService {
  #running: Promise<void> | undefined;
  readonly #stopping = new AbortController();
  private readonly log: (line: string) => void;
  private readonly heartbeatMs: number;
  private readonly abandonedAfterMs: number;
  private readonly minCategoryProducts: number;
  private readonly keepModelVersions: number;

  constructor(
    private readonly store: Store,
    private readonly engine: HeadEngine,
    options: TrainingServiceOptions = {},
  ) {
    this.log = options.log ?? (() => {});
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
    this.abandonedAfterMs = options.abandonedAfterMs ?? 60_000;
    this.minCategoryProducts = options.minCategoryProducts ?? MIN_PRODUCTS_PER_CATEGORY;
    this.keepModelVersions = options.keepModelVersions ?? 3;
  }

  /**
   * A run whose process died stays queued or running and would block every
   * later one. Runs still beating are left alone: another process on the same
   * database may be training them. Called at start-up and when a new run
   * finds another in its way.
   */
  async failAbandonedRuns(): Promise<number[]> {
    const failed = await this.store.trainingRuns.failAbandoned(
      this.abandonedAfterMs / 1000,
      'interrupted: the process training it stopped before the run finished',
    );
    await this.store.modelVersions.deleteInactiveOf(failed);
    return failed;
  }

  async startTraining(overrides: HyperparameterOverrides = {}): Promise<TrainingRun> {
    const hyperparameters = resolveHyperparameters(overrides);
    // Checked up front so a hopeless request fails at once instead of as a failed run.
    planCategories(await this.store.products.categoryCounts(), this.minCategoryProducts);
    const run = await this.createRun(hyperparameters).catch(async (error: unknown) => {
      if (!isOneRunAtATime(error) || (await this.failAbandonedRuns()).length === 0) throw error;
      return this.createRun(hyperparameters);
    });
    this.#running = this.execute(run.id, hyperparameters).finally(() => (this.#running = undefined));
    return run;
  }

  private async createRun(hyperparameters: Hyperparameters): Promise<TrainingRun> {
    const run = await this.store.trainingRuns.create(hyperparameters);
    if (!run) throw new DomainError('TRAINING_IN_PROGRESS', 'a training run is already queued or running; wait for it to finish');
    return run;
  }

  async getRun(id: number): Promise<TrainingRun | undefined> {
    return this.store.trainingRuns.findById(id);
  }

  async listRuns(first: number): Promise<TrainingRun[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_RUNS_PER_PAGE) {
      throw new DomainError('BAD_USER_INPUT', `first must be between 1 and ${MAX_RUNS_PER_PAGE}`);
    }
    return this.store.trainingRuns.list(first);
  }

  /** Whether this process is training a run now. */
  get training(): boolean {
    return this.#running !== undefined;
  }

  /** Resolves when the run this process started, if any, has finished. */
  async idle(): Promise<void> {
    await this.#running;
  }

  /** Stops a run in progress (it is marked failed) and waits for it. */
  async close(): Promise<void> {
    this.#stopping.abort(new Error('the service is stopping'));
    await this.#running;
  }

  private async execute(runId: number, hyperparameters: Hyperparameters): Promise<void> {
    let head: Head | undefined;
    const stopHeartbeat = startHeartbeat(() => this.store.trainingRuns.beat(runId), this.heartbeatMs, (line) => this.log(`training run ${runId}: ${line}`));
    try {
      const started = performance.now();
      const fitted = await fitHead(this.engine, await this.store.products.labelledFeatures(), hyperparameters, this.minCategoryProducts, {
        signal: this.#stopping.signal,
        onSplit: async (split) => {
          await this.store.trainingRuns.start(runId, split);
          const excluded = split.excluded.length > 0 ? `; ${split.excluded.length} categories with too few products left out` : '';
          this.log(`training run ${runId}: ${split.trainingSamples} samples, ${split.classes.length} classes${excluded}`);
        },
        onEpoch: async (metrics) => {
          this.log(`training run ${runId}: ${describeEpoch(metrics, hyperparameters.epochs)}`);
          await this.store.trainingRuns.appendEpoch(runId, metrics);
        },
      });
      head = fitted.head;
      const trained = performance.now();
      const kept = describeKept(fitted);
      if (kept) this.log(`training run ${runId}: ${kept}`);

      const versionId = await this.embedCatalog(runId, fitted.classes, head, fitted.featureScaler, hyperparameters.embeddingNormalization);
      const embeddedProducts = await this.activate(versionId, head, runId, {
        valLoss: fitted.kept.valLoss,
        valAccuracy: fitted.kept.valAccuracy,
        keptEpoch: fitted.kept.epoch,
        stoppedEarly: fitted.stoppedEarly,
        trainingSeconds: (trained - started) / 1000,
        startedEmbeddingAt: trained,
      });
      this.log(`training run ${runId}: model version ${versionId} active, ${embeddedProducts} products embedded`);
      await this.pruneVersions(runId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`training run ${runId} failed: ${message}`);
      await this.store.trainingRuns.fail(runId, message).catch(() => {});
      // A failed run's half-filled version would only take space: nothing can switch it on.
      await this.store.modelVersions
        .deleteInactiveOf([runId])
        .catch((cleanup: unknown) => this.log(`training run ${runId}: its model version was not deleted: ${String(cleanup)}`));
    } finally {
      stopHeartbeat();
      head?.dispose();
    }
  }

  /**
   * After the switch, outside its transaction: deleting a version's embeddings
   * takes as long as writing them did, and adds must not wait for it. A
   * failure here leaves old versions for the next run to prune.
   */
  private async pruneVersions(runId: number): Promise<void> {
    try {
      const pruned = await this.store.modelVersions.prune(this.keepModelVersions);
      if (pruned.length > 0) this.log(`training run ${runId}: model versions ${pruned.join(', ')} pruned`);
    } catch (error) {
      this.log(`training run ${runId}: pruning old model versions failed: ${String(error)}`);
    }
  }

  /**
   * Embeds the catalog as it stands into a new, inactive version: raw mid-layer
   * outputs first, then the embedding normalizer fitted over all of them.
   */
  private async embedCatalog(
    runId: number,
    classes: string[],
    head: Head,
    featureScaler: StandardScaler,
    normalization: EmbeddingNormalization,
  ): Promise<number> {
    const raw: { productId: number; embedding: Float32Array; predicted: number }[] = [];
    for (let after = 0; ; ) {
      this.#stopping.signal.throwIfAborted();
      const page = await this.store.products.featuresAfter(after, EMBEDDING_CHUNK);
      if (page.length === 0) break;
      const { embeddings, predicted } = await head.embed(featureScaler.transformRows(page.map((p) => p.features)));
      page.forEach((p, i) => raw.push({ productId: p.id, embedding: embeddings[i]!, predicted: predicted[i]! }));
      after = page.at(-1)!.id;
    }
    const normalizer = EmbeddingNormalizer.fit(normalization, raw.map((r) => r.embedding));
    const versionId = await this.store.modelVersions.create({
      trainingRunId: runId,
      classes,
      head: head.stored,
      featureScaler,
      embeddingScaler: normalizer.scaler,
      embeddingNormalization: normalizer.normalization,
    });
    for (let i = 0; i < raw.length; i += INSERT_CHUNK) {
      this.#stopping.signal.throwIfAborted();
      const chunk = raw.slice(i, i + INSERT_CHUNK);
      const embeddings = normalizer.transformRows(chunk.map((r) => r.embedding));
      await this.store.embeddings.insertMany(
        versionId,
        chunk.map((r, j) => ({ productId: r.productId, embedding: embeddings[j]!, predictedCategory: classes[r.predicted]! })),
      );
    }
    return versionId;
  }

  async listModelVersions(first: number): Promise<ModelVersionSummary[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_VERSIONS_PER_PAGE) {
      throw new DomainError('BAD_USER_INPUT', `first must be between 1 and ${MAX_VERSIONS_PER_PAGE}`);
    }
    return this.store.modelVersions.listKept(first);
  }

  /**
   * Rolls back or forward to a kept version, as a run's own switch does: in
   * one transaction holding the catalog lock, it embeds the products added
   * since the version was last active, then switches it on; the activation
   * trigger tells every process's search index. A run training meanwhile is
   * left alone, and switches its own version on when it succeeds.
   */
  async activateModelVersion(id: number): Promise<ModelVersionSummary> {
    const notKept = () =>
      new DomainError('MODEL_VERSION_NOT_FOUND', `model version ${id} is not kept: never made, pruned, or its run has not succeeded`, { id });
    return this.store.transaction(async (repositories) => {
      await repositories.products.lockCatalog();
      const kept = await repositories.modelVersions.findKept(id);
      if (!kept) throw notKept();
      if (kept.active) return kept;
      const version = (await repositories.modelVersions.findById(id))!;
      const head = await this.engine.load(version.head);
      try {
        await switchOn(repositories, version, head);
      } finally {
        head.dispose();
      }
      return (await repositories.modelVersions.findKept(id))!;
    });
  }

  /**
   * One transaction, holding the catalog lock: embed the products added while
   * the run went on, switch the version on, and mark the run succeeded.
   */
  private async activate(
    versionId: number,
    head: Head,
    runId: number,
    timing: Omit<TrainingMetrics, 'embeddingSeconds' | 'embeddedProducts'> & { startedEmbeddingAt: number },
  ): Promise<number> {
    return this.store.transaction(async (repositories) => {
      await repositories.products.lockCatalog();
      await switchOn(repositories, (await repositories.modelVersions.findById(versionId))!, head);
      const embeddedProducts = await repositories.embeddings.count(versionId);
      const { startedEmbeddingAt, ...metrics } = timing;
      await repositories.trainingRuns.succeed(runId, {
        ...metrics,
        embeddingSeconds: (performance.now() - startedEmbeddingAt) / 1000,
        embeddedProducts,
      });
      return embeddedProducts;
    });
  }
}

/** Embeds the products the version lacks, then makes it the active one; the caller holds the catalog lock in a transaction. */
async function switchOn(repositories: Repositories, version: ModelVersion, head: Head): Promise<void> {
  const model = new EmbeddingModel(version, head);
  const late = await repositories.embeddings.productsWithout(version.id);
  const embedded = await model.embed(late.map((p) => p.features));
  await repositories.embeddings.insertMany(
    version.id,
    late.map((p, i) => ({ productId: p.id, ...embedded[i]! })),
  );
  await repositories.modelVersions.activate(version.id);
}

function isOneRunAtATime(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'TRAINING_IN_PROGRESS';
}
