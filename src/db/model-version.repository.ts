import { sql, type Kysely, type Selectable } from 'kysely';
import type { ModelVersion, ModelVersionSummary, NewModelVersion } from '../domain/model-version.js';
import { byteaAsBase64, fromBase64, toBytea } from './bytes.js';
import type { DB, ModelVersionTable } from './schema.js';

export class ModelVersionRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Stored inactive; `activate` switches it on. */
  async create(version: NewModelVersion): Promise<number> {
    const { id } = await this.db
      .insertInto('model_versions')
      .values({
        training_run_id: version.trainingRunId,
        classes: version.classes,
        head_weights: toBytea(version.head.weights),
        head_layout: JSON.stringify(version.head.layout),
        feature_mean: Array.from(version.featureScaler.mean),
        feature_scale: Array.from(version.featureScaler.scale),
        embedding_mean: Array.from(version.embeddingScaler.mean),
        embedding_scale: Array.from(version.embeddingScaler.scale),
        embedding_normalization: version.embeddingNormalization,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }

  /** The id alone: cheap enough to ask on every query. */
  async activeId(): Promise<number | undefined> {
    const row = await this.db.selectFrom('model_versions').select('id').where('active', '=', true).executeTakeFirst();
    return row?.id;
  }

  async findById(id: number): Promise<ModelVersion | undefined> {
    const row = await this.db
      .selectFrom('model_versions')
      .select([
        'id',
        'training_run_id',
        'classes',
        byteaAsBase64('head_weights').as('head_weights'),
        'head_layout',
        'feature_mean',
        'feature_scale',
        'embedding_mean',
        'embedding_scale',
        'embedding_normalization',
        'active',
        'created_at',
        'activated_at',
      ])
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toModelVersion({ ...row, head_weights: fromBase64(row.head_weights) });
  }

  /** Versions whose run succeeded, newest first: the ones activate may switch to. */
  async listKept(limit: number): Promise<ModelVersionSummary[]> {
    return this.selectKept().orderBy('model_versions.id', 'desc').limit(limit).execute().then((rows) => rows.map(toSummary));
  }

  /** The version if its run succeeded and it has not been pruned. */
  async findKept(id: number): Promise<ModelVersionSummary | undefined> {
    const row = await this.selectKept().where('model_versions.id', '=', id).executeTakeFirst();
    return row && toSummary(row);
  }

  private selectKept() {
    return this.db
      .selectFrom('model_versions')
      .innerJoin('training_runs', 'training_runs.id', 'model_versions.training_run_id')
      .where('training_runs.status', '=', 'succeeded')
      .select((eb) => [
        'model_versions.id',
        'model_versions.training_run_id',
        'model_versions.classes',
        'model_versions.active',
        'model_versions.created_at',
        'model_versions.activated_at',
        eb
          .selectFrom('embeddings')
          .select(eb.fn.countAll<string | number | bigint>().as('count'))
          .whereRef('embeddings.model_version_id', '=', 'model_versions.id')
          .as('embedded_products'),
      ]);
  }

  /** Deactivates the current version and activates this one; run it in a transaction. */
  async activate(id: number): Promise<void> {
    await this.db.updateTable('model_versions').set({ active: false }).where('active', '=', true).execute();
    await this.db
      .updateTable('model_versions')
      .set({ active: true, activated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
  }

  /** Deletes the versions these runs left inactive, with their embeddings; returns their ids. */
  async deleteInactiveOf(trainingRunIds: readonly number[]): Promise<number[]> {
    if (trainingRunIds.length === 0) return [];
    const rows = await this.db
      .deleteFrom('model_versions')
      .where('training_run_id', 'in', trainingRunIds)
      .where('active', '=', false)
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  /**
   * Deletes, with their embeddings, the inactive versions of finished runs
   * beyond the `keep` newest; never the active one, nor the version a run in
   * progress is filling. Returns their ids.
   */
  async prune(keep: number): Promise<number[]> {
    const finished = this.db
      .selectFrom('model_versions')
      .select('model_versions.id')
      .innerJoin('training_runs', 'training_runs.id', 'model_versions.training_run_id')
      .where('model_versions.active', '=', false)
      .where('training_runs.status', 'in', ['succeeded', 'failed']);
    const rows = await this.db
      .deleteFrom('model_versions')
      .where('id', 'in', finished)
      .where('id', 'not in', finished.orderBy('model_versions.id', 'desc').limit(keep))
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }
}

function toSummary(row: {
  id: number;
  training_run_id: number;
  classes: string[];
  active: boolean;
  created_at: Date;
  activated_at: Date | null;
  embedded_products: string | number | bigint | null;
}): ModelVersionSummary {
  return {
    id: row.id,
    trainingRunId: row.training_run_id,
    classes: row.classes,
    active: row.active,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    embeddedProducts: Number(row.embedded_products ?? 0),
  };
}

function toModelVersion(row: Selectable<ModelVersionTable>): ModelVersion {
  return {
    id: row.id,
    trainingRunId: row.training_run_id,
    classes: row.classes,
    head: { weights: row.head_weights, layout: row.head_layout },
    featureScaler: { mean: Float32Array.from(row.feature_mean), scale: Float32Array.from(row.feature_scale) },
    embeddingScaler: { mean: Float32Array.from(row.embedding_mean), scale: Float32Array.from(row.embedding_scale) },
    embeddingNormalization: row.embedding_normalization,
    active: row.active,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
  };
}
