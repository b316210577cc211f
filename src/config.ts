import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];
export const FEATURE_ENGINES = ['auto', 'onnx', 'tfjs'] as const;
export type FeatureEngineChoice = (typeof FEATURE_ENGINES)[number];

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: integer(0, 65535).default(4000),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: integer(1, 1000).default(10),
  DATA_DIR: z.string().default('data'),
  MODEL_CACHE_DIR: z.string().default(join(homedir(), '.cache', 'lookalike')),
  RESNET50_MODEL_URL: z.string().optional(),
  TF_BACKEND: z.enum(BACKENDS).default('auto'),
  FEATURE_ENGINE: z.enum(FEATURE_ENGINES).default('auto'),
  FEATURE_WORKERS: integer(1, 256).default(availableParallelism()),
  MAX_BATCH_SIZE: integer(1, 256).default(16),
  BATCH_WINDOW_MS: integer(0, 1000).default(4),
  MAX_IMAGE_BYTES: integer(1).default(10 * 1024 * 1024),
});

export interface Config {
  http: { host: string; port: number };
  /** Postgres URL for the `pg` driver; when absent the embedded PGlite is used. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** PGlite data folder; `memory://` keeps the embedded database in memory. */
  pgliteDataDir: string;
  modelCacheDir: string;
  /** Path or URL of a ResNet50 layers-model `model.json` to use instead of the pinned npm package. */
  resnet50ModelUrl: string | undefined;
  backend: BackendChoice;
  /** What runs ResNet50: ONNX Runtime or TensorFlow.js (on `backend`); 'auto' takes the fastest that loads. */
  featureEngine: FeatureEngineChoice;
  featureWorkers: number;
  maxBatchSize: number;
  batchWindowMs: number;
  maxImageBytes: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    http: { host: e.HOST, port: e.PORT },
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    pgliteDataDir: e.DATA_DIR === 'memory://' ? 'memory://' : join(e.DATA_DIR, 'pglite'),
    modelCacheDir: e.MODEL_CACHE_DIR,
    resnet50ModelUrl: e.RESNET50_MODEL_URL,
    backend: e.TF_BACKEND,
    featureEngine: e.FEATURE_ENGINE,
    featureWorkers: e.FEATURE_WORKERS,
    maxBatchSize: e.MAX_BATCH_SIZE,
    batchWindowMs: e.BATCH_WINDOW_MS,
    maxImageBytes: e.MAX_IMAGE_BYTES,
  };
}
