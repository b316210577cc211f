import type { CatalogService } from '../catalog/catalog.service.js';
import type { SimilarityService } from '../catalog/similarity.service.js';
import type { BackendName } from '../ml/backend.js';
import type { FeatureEngine } from '../ml/feature-extractor.js';
import type { Services } from '../services.js';
import type { TrainingService } from '../training/training.service.js';

/** What the service runs on; fixed for the life of the process. */
export interface ServiceInfoSource {
  featureEngine: FeatureEngine;
  tensorflowBackend: BackendName;
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
  /** Whether mutations need the admin token (ADMIN_TOKEN is set); the page asks for it only then. */
  writesNeedToken: boolean;
  /** Fires when the client hangs up before its answer is sent: the work left for it is dropped. */
  signal: AbortSignal;
}

/** Every request's context but what is the request's own, over one process's services. */
export function servicesContext(services: Services): Omit<GraphQLContext, 'mayWrite' | 'writesNeedToken' | 'signal'> {
  return {
    catalog: services.catalog,
    similarity: services.similarity,
    training: services.training,
    runtime: {
      featureEngine: services.extractor.engine,
      tensorflowBackend: services.extractor.backend,
      featureWorkers: services.extractor.workers,
      database: services.database.kind,
    },
  };
}
