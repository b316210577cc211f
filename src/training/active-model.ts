import type { Repositories } from '../db/store.js';
import { EmbeddingModel } from './embedding-model.js';
import type { HeadEngine } from './head-engine.js';

/**
 * The active model version, loaded once per process. The active id is read
 * from the database on every call, so a version switched on by another
 * process sharing the database is picked up at its next query.
 */
export class ActiveModel {
  #loaded: { id: number; model: Promise<EmbeddingModel> } | undefined;

  constructor(private readonly engine: HeadEngine) {}

  /** Pass a transaction's repositories to read the version that transaction sees. */
  async current(repositories: Repositories): Promise<EmbeddingModel | undefined> {
    const id = await repositories.modelVersions.activeId();
    if (id === undefined) return undefined;
    if (this.#loaded?.id !== id) {
      const loading = { id, model: this.load(id, repositories) };
      loading.model.catch(() => {
        if (this.#loaded === loading) this.#loaded = undefined;
      });
      this.#loaded = loading;
    }
    return this.#loaded.model;
  }

  private async load(id: number, repositories: Repositories): Promise<EmbeddingModel> {
    const version = await repositories.modelVersions.findById(id);
    if (!version) throw new Error(`model version ${id} vanished`);
    return new EmbeddingModel(version, await this.engine.load(version.head));
  }
}
