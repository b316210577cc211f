import type { FastifyError, FastifyInstance } from 'fastify';
import { EdgeRefusal } from './edge-refusal.js';
import { httpAnswerFor } from './error-status.js';

/** Fastify's statuses for requests it refuses itself, as codes in the GraphQL error shape. */
const CODE_BY_STATUS: Record<number, string> = {
  404: 'ROUTE_NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** A JSON body in GraphQL's error shape, so a client reads every refusal the same way. */
export function errorBody(message: string, code: string): { errors: { message: string; extensions: { code: string } }[] } {
  return { errors: [{ message, extensions: { code } }] };
}

/**
 * Whatever NODE_ENV says, errors outside GraphQL (a body too large, malformed
 * JSON, an unknown route, a bug) answer JSON with no stack and no path.
 */
export function registerErrorHandlers(server: FastifyInstance, bodyLimit: number): void {
  server.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof EdgeRefusal) {
      return reply.code(error.statusCode).headers(httpAnswerFor(error.code)?.headers ?? {}).send(errorBody(error.message, error.code));
    }
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ error: { name: error.name, message: error.message, code: error.code } }, 'unexpected error');
      return reply.code(500).send(errorBody('internal error', 'INTERNAL_SERVER_ERROR'));
    }
    const code = CODE_BY_STATUS[status] ?? 'BAD_REQUEST';
    const message = status === 413 ? `the request body is over the limit of ${bodyLimit} bytes` : error.message.slice(0, 200);
    return reply
      .code(httpAnswerFor(code)?.status ?? status)
      .headers(httpAnswerFor(code)?.headers ?? {})
      .send(errorBody(message, code));
  });
  server.setNotFoundHandler((_request, reply) => reply.code(404).send(errorBody('no such route', 'ROUTE_NOT_FOUND')));
}
