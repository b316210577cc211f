import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CatalogService } from '../catalog/catalog.service.js';
import { DomainError } from '../errors.js';
import { parseId } from '../graphql/ids.js';
import { errorBody } from './error-handler.js';
import { httpAnswerFor } from './error-status.js';

/**
 * A product's thumbnail may change (a new image) or go (a deleted product):
 * browsers keep it a few minutes, then ask again with its ETag.
 */
const CACHE_CONTROL = 'public, max-age=300';

/**
 * GET /products/:id/thumbnail.webp: the WebP bytes that Product.thumbnailUrl
 * names, with an ETag (304 while it still matches); 404 NOT_FOUND for an id
 * that names no product, 503 SERVICE_STARTING before the services are ready.
 */
export function registerThumbnailRoute(server: FastifyInstance, catalog: () => CatalogService | undefined): void {
  server.get<{ Params: { id: string } }>('/products/:id/thumbnail.webp', async (request, reply) => {
    const service = catalog();
    if (!service) return refuse(reply, 'SERVICE_STARTING', 'the service is starting; retry in a moment');
    const id = parseId(request.params.id);
    let bytes: Uint8Array | undefined;
    try {
      bytes = id === undefined ? undefined : await service.getThumbnail(id);
    } catch (error) {
      if (error instanceof DomainError) return refuse(reply, error.code, error.message);
      throw error;
    }
    if (!bytes) return refuse(reply, 'NOT_FOUND', 'no such product');
    const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
    reply.header('cache-control', CACHE_CONTROL).header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('image/webp').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
}

function refuse(reply: FastifyReply, code: string, message: string): FastifyReply {
  const answer = httpAnswerFor(code) ?? { status: code === 'NOT_FOUND' ? 404 : 500, headers: {} };
  return reply.code(answer.status).headers(answer.headers).send(errorBody(message, code));
}
