import type { Kysely } from 'kysely';
import { EmbeddingRepository } from './embedding.repository.js';
import { ModelVersionRepository } from './model-version.repository.js';
import { ProductRepository } from './product.repository.js';
import type { DB } from './schema.js';
import { SearchRepository } from './search.repository.js';
import { TrainingRunRepository } from './training-run.repository.js';

export interface Repositories {
  readonly products: ProductRepository;
  readonly embeddings: EmbeddingRepository;
  readonly modelVersions: ModelVersionRepository;
  readonly trainingRuns: TrainingRunRepository;
  readonly search: SearchRepository;
}

/** The repositories, plus transactions that hand out repositories bound to them. */
export class Store implements Repositories {
  readonly products: ProductRepository;
  readonly embeddings: EmbeddingRepository;
  readonly modelVersions: ModelVersionRepository;
  readonly trainingRuns: TrainingRunRepository;
  readonly search: SearchRepository;

  constructor(private readonly db: Kysely<DB>) {
    this.products = new ProductRepository(db);
    this.embeddings = new EmbeddingRepository(db);
    this.modelVersions = new ModelVersionRepository(db);
    this.trainingRuns = new TrainingRunRepository(db);
    this.search = new SearchRepository(db);
  }

  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new Store(trx)));
  }
}
