import type { CatalogService } from '../catalog/catalog.service.js';
import type { SimilarityService } from '../catalog/similarity.service.js';
import type { TrainingService } from '../training/training.service.js';

/** What the service runs on; fixed for the life of the process. */
export interface ServiceInfoSource {
  backend: string;
  featureWorkers: number;
  database: string;
}

export interface GraphQLContext {
  catalog: CatalogService;
  similarity: SimilarityService;
  training: TrainingService;
  runtime: ServiceInfoSource;
  /** Whether this request may run mutations (it bears the admin token, or writes are open on loopback). */
  mayWrite: boolean;
}
