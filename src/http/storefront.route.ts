import { readdir, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import { errorBody } from './error-handler.js';
import { LANDING_PAGE } from './landing-page.js';

/** The bundled page (src/http/storefront-build.ts writes it), the same folder from src/http and from dist/http. */
export const STOREFRONT_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Asset names carry a hash of their content: a browser may keep them for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Storefront {
  index: Buffer;
  assets: Map<string, Buffer>;
}

export interface StorefrontPage {
  /** Answers a browser's GET / with the page (or, without a build, the plain landing page). */
  send(reply: FastifyReply): Promise<FastifyReply>;
}

/**
 * The storefront page (src/web, bundled into dist/web): index.html revalidated
 * on every load, /assets/* cached for good. Read into memory on the first
 * request; when dist/web is missing, as in a fresh development checkout, it is
 * built then, and when it cannot be built (no esbuild in a production install)
 * GET / falls back to the landing page that names the API.
 */
export function registerStorefront(server: FastifyInstance, logger: FastifyBaseLogger, dir = STOREFRONT_DIR): StorefrontPage {
  let loading: Promise<Storefront | undefined> | undefined;
  const storefront = () => (loading ??= load(dir, logger));

  server.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const bytes = (await storefront())?.assets.get(request.params['*']);
    if (!bytes) return reply.code(404).send(errorBody('no such asset', 'ROUTE_NOT_FOUND'));
    return reply
      .type(TYPES[extname(request.params['*'])] ?? 'application/octet-stream')
      .header('cache-control', IMMUTABLE)
      .header('x-content-type-options', 'nosniff')
      .send(bytes);
  });

  return {
    async send(reply) {
      const page = await storefront();
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(page ? page.index : LANDING_PAGE);
    },
  };
}

async function load(dir: string, logger: FastifyBaseLogger): Promise<Storefront | undefined> {
  try {
    return await read(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    const started = performance.now();
    const { buildStorefront } = await import('./storefront-build.js');
    await buildStorefront(dir);
    logger.info(`storefront page built into ${dir} in ${Math.round(performance.now() - started)} ms`);
    return await read(dir);
  } catch (error) {
    logger.warn({ error: { message: (error as Error).message } }, 'the storefront page is not built (npm run build); GET / answers the landing page');
    return undefined;
  }
}

async function read(dir: string): Promise<Storefront> {
  const index = await readFile(`${dir}/index.html`);
  const assets = new Map<string, Buffer>();
  for (const name of await readdir(`${dir}/assets`)) assets.set(name, await readFile(`${dir}/assets/${name}`));
  return { index, assets };
}
