import { sql, type Kysely, type Selectable } from 'kysely';
import type { Hyperparameters } from '../domain/hyperparameters.js';
import type { EpochMetrics, ExcludedCategory, TrainingMetrics, TrainingRun } from '../domain/training-run.js';
import type { DB, TrainingRunTable } from './schema.js';

export class TrainingRunRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * A new queued run, or undefined while another is queued or running. The
   * refusal inserts nothing, so it draws no id from the sequence: a failed
   * insert would (the unique index training_runs_one_unfinished), and every
   * retry while a dead process's run waits out its heartbeat would skip one.
   * The lock makes a second create wait for the first to commit, then see it.
   */
  async create(hyperparameters: Hyperparameters): Promise<TrainingRun | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${RUN_CREATION_LOCK_KEY})`.execute(trx);
      const row = await trx
        .insertInto('training_runs')
        .columns(['hyperparameters'])
        .expression(
          sql`select ${JSON.stringify(hyperparameters)}::jsonb
              where not exists (select 1 from training_runs where status in ('queued', 'running'))`,
        )
        .returningAll()
        .executeTakeFirst();
      return row && toTrainingRun(row, null);
    });
  }

  async start(
    id: number,
    data: { classes: string[]; excluded: ExcludedCategory[]; trainingSamples: number; validationSamples: number },
  ): Promise<void> {
    await this.db
      .updateTable('training_runs')
      .set({
        status: 'running',
        classes: data.classes,
        excluded_categories: JSON.stringify(data.excluded),
        training_samples: data.trainingSamples,
        validation_samples: data.validationSamples,
        started_at: sql`now()`,
      })
      .where('id', '=', id)
      .execute();
  }

  async appendEpoch(id: number, epoch: EpochMetrics): Promise<void> {
    await this.db
      .updateTable('training_runs')
      .set({ epochs: sql`epochs || ${JSON.stringify([epoch])}::jsonb` })
      .where('id', '=', id)
      .execute();
  }

  async succeed(id: number, metrics: TrainingMetrics): Promise<void> {
    await this.db
      .updateTable('training_runs')
      .set({ status: 'succeeded', metrics: JSON.stringify(metrics), finished_at: sql`now()` })
      .where('id', '=', id)
      .execute();
  }

  async fail(id: number, error: string): Promise<void> {
    await this.db
      .updateTable('training_runs')
      .set({ status: 'failed', error, finished_at: sql`now()` })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .execute();
  }

  /** The process training the run is alive. */
  async beat(id: number): Promise<void> {
    await this.db
      .updateTable('training_runs')
      .set({ heartbeat_at: sql`now()` })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .execute();
  }

  /** Marks failed every queued or running run with no heartbeat for `seconds`; returns their ids. */
  async failAbandoned(seconds: number, error: string): Promise<number[]> {
    const rows = await this.db
      .updateTable('training_runs')
      .set({ status: 'failed', error, finished_at: sql`now()` })
      .where('status', 'in', ['queued', 'running'])
      .where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${seconds})`)
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async findById(id: number): Promise<TrainingRun | undefined> {
    const row = await this.selectRuns().where('training_runs.id', '=', id).executeTakeFirst();
    return row && toTrainingRun(row, row.model_version_id);
  }

  /** Newest first. */
  async list(limit: number): Promise<TrainingRun[]> {
    const rows = await this.selectRuns().orderBy('training_runs.id', 'desc').limit(limit).execute();
    return rows.map((row) => toTrainingRun(row, row.model_version_id));
  }

  private selectRuns() {
    return this.db
      .selectFrom('training_runs')
      .leftJoin('model_versions', 'model_versions.training_run_id', 'training_runs.id')
      .selectAll('training_runs')
      .select('model_versions.id as model_version_id');
  }
}

// Shared by every process on the database, distinct from the migration and catalog locks.
const RUN_CREATION_LOCK_KEY = 4_181_726_514;

/** Runs stored before early stopping existed trained every epoch and kept the last; before the choice of embedding space, they standardized. */
const BEFORE_EARLY_STOPPING = { earlyStoppingPatience: null, restoreBestWeights: false, embeddingNormalization: 'STANDARDIZE' } as const;

function toTrainingRun(row: Selectable<TrainingRunTable>, modelVersionId: number | null): TrainingRun {
  const epochs = row.epochs as EpochMetrics[];
  const metrics = row.metrics as Omit<TrainingMetrics, 'keptEpoch' | 'stoppedEarly'> & Partial<TrainingMetrics> | null;
  return {
    id: row.id,
    status: row.status,
    hyperparameters: { ...BEFORE_EARLY_STOPPING, ...(row.hyperparameters as Hyperparameters) },
    classes: row.classes,
    excludedCategories: row.excluded_categories as ExcludedCategory[] | null,
    trainingSamples: row.training_samples,
    validationSamples: row.validation_samples,
    epochs,
    metrics: metrics && { keptEpoch: epochs.length, stoppedEarly: false, ...metrics },
    error: row.error,
    modelVersionId,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
