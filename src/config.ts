import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { tokenWeakness } from './http/token-strength.js';

export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];
export const FEATURE_ENGINES = ['auto', 'onnx', 'tfjs'] as const;
export type FeatureEngineChoice = (typeof FEATURE_ENGINES)[number];

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: integer(0, 65535).default(4000),
  REQUEST_TIMEOUT_MS: integer(1000).default(120_000),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: integer(1, 1000).default(10),
  DATA_DIR: z.string().default('data'),
  SEARCH_SNAPSHOT_DIR: z.string().optional(),
  MODEL_CACHE_DIR: z.string().default(join(homedir(), '.cache', 'lookalike')),
  RESNET50_MODEL_URL: z.string().optional(),
  TF_BACKEND: z.enum(BACKENDS).default('auto'),
  FEATURE_ENGINE: z.enum(FEATURE_ENGINES).default('auto'),
  FEATURE_WORKERS: integer(1, 256).default(availableParallelism()),
  MAX_BATCH_SIZE: integer(1, 256).default(16),
  BATCH_WINDOW_MS: integer(0, 1000).default(4),
  MAX_IMAGE_BYTES: integer(1).default(10 * 1024 * 1024),
  MAX_IMAGE_PIXELS: integer(1).default(50_000_000),
  MAX_FULL_DECODE_PIXELS: integer(1).default(4096 * 4096),
  IMAGE_DECODE_CONCURRENCY: integer(1, 64).default(2),
  MAX_DECODE_BYTES_IN_FLIGHT: integer(1).default(1024 * 1024 * 1024),
  IMAGE_DECODE_TIMEOUT_MS: integer(1).default(5_000),
  IMAGE_QUEUE_CAPACITY: integer(1).default(512),
  IMAGE_CACHE_BYTES: integer(0).default(32 * 1024 * 1024),
  IMAGE_FETCH_TIMEOUT_MS: integer(1).default(10_000),
  IMAGE_FETCH_CONCURRENCY: integer(1, 1024).default(8),
  IMAGE_URL_ALLOWED_HOSTS: z.string().default(''),
  MAX_IMAGES_PER_REQUEST: integer(1, 256).default(32),
  MAX_BODY_BYTES_IN_FLIGHT: integer(1).default(256 * 1024 * 1024),
  MAX_JSON_BODY_BYTES: integer(1).optional(),
  MIN_BODY_BYTES_PER_SECOND: integer(0).default(16 * 1024),
  ADMIN_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .superRefine((token, context) => {
      const weakness = tokenWeakness(token);
      if (weakness) context.addIssue({ code: 'custom', message: weakness });
    })
    .optional(),
  CORS_ORIGINS: z.string().default(''),
  MAX_QUERY_COST: integer(1).default(10_000),
  MAX_QUERY_DEPTH: integer(1, 100).default(15),
  MAX_QUERY_ALIASES: integer(1).default(30),
  NEAR_DUPLICATES_SCAN_MS: integer(0).default(250),
  CATALOG_MAX_AGE_SECONDS: integer(1, 86_400).default(10),
  ANSWER_CACHE_BYTES: integer(0).default(32 * 1024 * 1024),
  SHUTDOWN_TIMEOUT_MS: integer(0).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MIN_CATEGORY_PRODUCTS: integer(2).default(2),
  KEEP_MODEL_VERSIONS: integer(0).default(3),
  DATABASE_CONNECT_TIMEOUT_MS: integer(1).default(5_000),
  DATABASE_STATEMENT_TIMEOUT_MS: integer(1).default(30_000),
  DATABASE_POOL_WAIT_MS: integer(1).default(5_000),
  DATABASE_STARTUP_WAIT_MS: integer(0).default(60_000),
});

export interface Config {
  http: {
    host: string;
    port: number;
    /** Longest a client may take to send a whole request: a trickled body must not hold a connection for ever. */
    requestTimeoutMs: number;
  };
  /** Postgres URL for the `pg` driver; when absent the embedded PGlite is used. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** PGlite data folder; `memory://` keeps the embedded database in memory. */
  pgliteDataDir: string;
  /** Where a new embedded database finds the empty cluster it starts from (src/db/pglite-cluster.ts): MODEL_CACHE_DIR. */
  pgliteCacheDir: string;
  /**
   * Where each process keeps a copy of its search index on local disk, read
   * at start-up instead of every vector (src/search/index-snapshot.ts);
   * undefined: none. By default `DATA_DIR/search-index`, none when DATA_DIR
   * is `memory://`; `off` turns it off.
   */
  searchSnapshotDir: string | undefined;
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
  /** Decoded pixels an image may have, every frame or page counted. */
  maxImagePixels: number;
  /**
   * Pixels an image in a format that can neither shrink nor stream on load
   * (HEIF/AVIF: libheif decodes the whole frame) may have. 4096x4096 by
   * default: a 12 MP phone HEIC decodes in ~0.4-1.1 s (8 to 12 bits), the
   * largest 12-bit AVIF allowed in ~1 s and ~400 MB, where a 50 MP one took
   * 6.7 s and 1.2 GB (src/ml/decode-cost.ts).
   */
  maxFullDecodePixels: number;
  /** Images decoded at once; the rest wait in the queue. */
  imageDecodeConcurrency: number;
  /**
   * Memory the running decodes may hold together, as their headers price it
   * (src/ml/decode-cost.ts); a decode waits until its cost fits, and a lone
   * decode always runs. 1 GiB: two of the costliest HEIFs allowed at once, so
   * that decoding stays within 1.5 GB over the idle service.
   */
  maxDecodeBytesInFlight: number;
  /**
   * How long a running decode may take before its request answers
   * IMAGE_DECODE_TIMEOUT. libvips stops the pipeline at the next whole
   * second, but cannot stop libheif inside a frame; the decoder stays taken
   * until the native work ends.
   */
  imageDecodeTimeoutMs: number;
  /** Images waiting for decoding or ResNet50 before new ones answer TOO_BUSY. */
  imageQueueCapacity: number;
  /**
   * Memory for the analyses of recent image files (features and thumbnail,
   * ~20 KB each), keyed by the file's SHA-256: a file seen again, such as
   * variants sharing a photo or a feed's placeholder, is not decoded nor run
   * through ResNet50 again. 0 keeps none.
   */
  imageCacheBytes: number;
  /**
   * Longest an image link's fetch may take, redirects included, before its
   * request answers IMAGE_FETCH_FAILED (reason `timeout`); a server silent
   * for 3 s is cut sooner (`stalled`).
   */
  imageFetchTimeoutMs: number;
  /**
   * Image links fetched at once, all requests together; one request holds at
   * most a quarter (at least one), its other links waiting for its own, and a
   * request that finds none free answers TOO_BUSY rather than queueing.
   */
  imageFetchConcurrency: number;
  /**
   * Host names and IP addresses image links may reach though they are, or
   * resolve to, loopback, private, link-local or metadata addresses: a
   * store's own image server on its private network. None by default.
   */
  imageUrlAllowedHosts: string[];
  /** Images one request may carry (similarToImage, addProduct and addProducts inputs): prices requests and sizes the body limit. */
  maxImagesPerRequest: number;
  /** Request bodies held in memory at once, all requests together, counted as they arrive; past it a request answers TOO_BUSY. One request may hold a quarter of it. */
  maxBodyBytesInFlight: number;
  /**
   * The largest JSON body: parsing is synchronous, so it stays small enough
   * to parse without a pause others notice. By default one image in base64
   * and 1 MiB more; batches of large images go as multipart file parts.
   */
  maxJsonBodyBytes: number;
  /** Slowest average rate a request body may arrive at after its first 10 s; a slower one is cut off (0: never). */
  minBodyBytesPerSecond: number;
  /** Bearer token that mutations need; unset allows writes on a loopback HOST only. */
  adminToken: string | undefined;
  /** Origins allowed by CORS; none by default. */
  corsOrigins: string[];
  /**
   * What one GraphQL request may ask for (src/graphql/query-limits.ts): its
   * price, its nesting (graphql-js's own introspection query is 15 deep), and
   * how often it selects a field again, under an alias or not.
   */
  query: { maxCost: number; maxDepth: number; maxAliases: number };
  /** How long a page of nearDuplicates scans for pairs before it answers with what it has. */
  nearDuplicatesScanMs: number;
  /** How reads are cached (src/http/catalog-reads.plugin.ts). */
  cache: {
    /**
     * max-age of a catalog read's Cache-Control: how long a browser or a CDN
     * may show it without asking again (then with its ETag). Public, unless
     * it carries an image (private) or a token, training or an uploaded
     * image (never kept).
     */
    catalogMaxAgeSeconds: number;
    /** Memory for recent answers of catalog reads, their JSON counted; 0 keeps none and runs every read, identical ones at once included. */
    answerCacheBytes: number;
  };
  /** How long SIGTERM waits for requests in flight. */
  shutdownTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * Categories with fewer products are left out of a training run (and listed
   * on it). 2, the least a stratified split can use (one product to train on,
   * one to validate with), is the default: raising it is a judgement about
   * how few examples of a category are worth learning.
   */
  minCategoryProducts: number;
  /** Model versions kept besides the active one. */
  keepModelVersions: number;
  database: {
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    /** Longest wait for a free pooled connection. */
    poolWaitMs: number;
    /** How long start-up retries an absent database before giving up. */
    startupWaitMs: number;
  };
}

function searchSnapshotDir(setting: string | undefined, dataDir: string): string | undefined {
  if (setting === 'off') return undefined;
  if (setting !== undefined) return setting;
  return dataDir === 'memory://' ? undefined : join(dataDir, 'search-index');
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
    http: { host: e.HOST, port: e.PORT, requestTimeoutMs: e.REQUEST_TIMEOUT_MS },
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    pgliteDataDir: e.DATA_DIR === 'memory://' ? 'memory://' : join(e.DATA_DIR, 'pglite'),
    pgliteCacheDir: e.MODEL_CACHE_DIR,
    searchSnapshotDir: searchSnapshotDir(e.SEARCH_SNAPSHOT_DIR, e.DATA_DIR),
    modelCacheDir: e.MODEL_CACHE_DIR,
    resnet50ModelUrl: e.RESNET50_MODEL_URL,
    backend: e.TF_BACKEND,
    featureEngine: e.FEATURE_ENGINE,
    featureWorkers: e.FEATURE_WORKERS,
    maxBatchSize: e.MAX_BATCH_SIZE,
    batchWindowMs: e.BATCH_WINDOW_MS,
    maxImageBytes: e.MAX_IMAGE_BYTES,
    maxImagePixels: e.MAX_IMAGE_PIXELS,
    maxFullDecodePixels: e.MAX_FULL_DECODE_PIXELS,
    imageDecodeConcurrency: e.IMAGE_DECODE_CONCURRENCY,
    maxDecodeBytesInFlight: e.MAX_DECODE_BYTES_IN_FLIGHT,
    imageDecodeTimeoutMs: e.IMAGE_DECODE_TIMEOUT_MS,
    imageQueueCapacity: e.IMAGE_QUEUE_CAPACITY,
    imageCacheBytes: e.IMAGE_CACHE_BYTES,
    imageFetchTimeoutMs: e.IMAGE_FETCH_TIMEOUT_MS,
    imageFetchConcurrency: e.IMAGE_FETCH_CONCURRENCY,
    imageUrlAllowedHosts: e.IMAGE_URL_ALLOWED_HOSTS.split(',').map((host) => host.trim()).filter((host) => host.length > 0),
    maxImagesPerRequest: e.MAX_IMAGES_PER_REQUEST,
    maxBodyBytesInFlight: e.MAX_BODY_BYTES_IN_FLIGHT,
    maxJsonBodyBytes: e.MAX_JSON_BODY_BYTES ?? Math.ceil((e.MAX_IMAGE_BYTES * 4) / 3) + 1024 * 1024,
    minBodyBytesPerSecond: e.MIN_BODY_BYTES_PER_SECOND,
    adminToken: e.ADMIN_TOKEN,
    corsOrigins: e.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0),
    query: { maxCost: e.MAX_QUERY_COST, maxDepth: e.MAX_QUERY_DEPTH, maxAliases: e.MAX_QUERY_ALIASES },
    nearDuplicatesScanMs: e.NEAR_DUPLICATES_SCAN_MS,
    cache: { catalogMaxAgeSeconds: e.CATALOG_MAX_AGE_SECONDS, answerCacheBytes: e.ANSWER_CACHE_BYTES },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    minCategoryProducts: e.MIN_CATEGORY_PRODUCTS,
    keepModelVersions: e.KEEP_MODEL_VERSIONS,
    database: {
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      poolWaitMs: e.DATABASE_POOL_WAIT_MS,
      startupWaitMs: e.DATABASE_STARTUP_WAIT_MS,
    },
  };
}
