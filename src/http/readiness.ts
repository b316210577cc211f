import type { Services } from '../services.js';

/** Longest wait for the database to answer a readiness ping. */
const PING_TIMEOUT_MS = 1_000;

export interface Readiness {
  ready: boolean;
  /** Each check's outcome: 'ok', or why it failed. */
  checks: Record<'database' | 'resnet50' | 'searchIndex', string>;
}

/**
 * Whether the service can answer requests now: services created (so ResNet50
 * is loaded), the search index loaded, and the database answering in time.
 */
export async function readiness(services: Services | undefined, searchIndexLoaded: boolean): Promise<Readiness> {
  if (!services) return { ready: false, checks: { database: 'starting', resnet50: 'starting', searchIndex: 'starting' } };
  const checks: Readiness['checks'] = {
    database: await ping(services),
    resnet50: 'ok',
    searchIndex: searchIndexLoaded ? 'ok' : 'starting',
  };
  return { ready: Object.values(checks).every((check) => check === 'ok'), checks };
}

async function ping(services: Services): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${PING_TIMEOUT_MS} ms`), PING_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      services.database.ping().then(
        () => 'ok',
        (error: unknown) => `unreachable: ${error instanceof Error ? error.message : String(error)}`,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
