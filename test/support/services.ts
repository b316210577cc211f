import { loadConfig } from '../../src/config.js';
import type { DatabaseKind } from '../../src/db/database.js';
import { createServices, type Services } from '../../src/services.js';
import { servedPGlite } from './database.js';

/**
 * The whole service, ResNet50 included, on a fresh in-memory database of
 * this kind: embedded PGlite, or the `pg` driver to a PGlite served on
 * loopback (openTestDatabase's two kinds). `env` adds settings.
 */
export async function createTestServices(kind: DatabaseKind, env: Record<string, string> = {}): Promise<Services> {
  const settings = { DATA_DIR: 'memory://', FEATURE_WORKERS: '1', ...env };
  if (kind === 'pglite') return createServices(loadConfig(settings), () => {});
  const served = await servedPGlite();
  try {
    // PGlite is one session: one client connection keeps transactions apart.
    const services = await createServices(loadConfig({ ...settings, DATABASE_URL: served.url, DATABASE_POOL_SIZE: '1' }), () => {});
    return {
      ...services,
      async close() {
        await services.close();
        await served.close();
      },
    };
  } catch (error) {
    await served.close();
    throw error;
  }
}
