import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bodyGuard, BodyBudget, type BodyGuardOptions } from './body-budget.js';
import { EdgeRefusal } from './edge-refusal.js';
import { parseGraphQLMultipart, type MultipartLimits } from './graphql-multipart.js';
import { jsonShapeRefusal, type JsonShapeLimits } from './json-shape.js';

export interface RequestBodyLimits {
  /** A JSON body: a GraphQL request whose images, if any, are base64 strings. */
  maxJsonBytes: number;
  /** A whole multipart body: operations, map and the files. */
  maxMultipartBytes: number;
  json: JsonShapeLimits;
  multipart: MultipartLimits;
  guard: BodyGuardOptions;
}

/**
 * How GraphQL bodies are read: JSON within its size and shape limits, or a
 * multipart request whose files stream in part by part. Either way the bytes
 * count against the budget as they arrive. Returns the options of the route
 * that takes a body; no other route reads one.
 */
/** The options of the one route that reads a body. */
export interface BodyRouteOptions {
  bodyLimit: number;
  preParsing: (request: FastifyRequest, reply: FastifyReply, payload: Readable) => Promise<Readable>;
}

export function registerRequestBodies(server: FastifyInstance, budget: BodyBudget, limits: RequestBodyLimits): BodyRouteOptions {
  const defaultJson = server.getDefaultJsonParser('error', 'error');
  const parseJson = (text: Buffer, what: string): unknown => {
    const refusal = jsonShapeRefusal(text, limits.json);
    if (refusal) throw new EdgeRefusal(400, 'BAD_REQUEST', `${what}: ${refusal}`);
    let parsed: unknown;
    defaultJson(undefined as never, text.toString('utf8'), (error, value) => {
      if (error) throw new EdgeRefusal(400, 'BAD_REQUEST', `${what} is not valid JSON`);
      parsed = value;
    });
    return parsed;
  };

  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: limits.maxJsonBytes }, async (_request: FastifyRequest, body: Buffer) =>
    parseJson(body, 'the JSON body'),
  );
  server.addContentTypeParser('multipart/form-data', (request: FastifyRequest, body: Readable) => parseGraphQLMultipart(request, body, limits.multipart, parseJson));

  const guard = bodyGuard(budget, limits.guard);
  return {
    bodyLimit: limits.maxMultipartBytes,
    async preParsing(request, reply, payload) {
      const declared = Number(request.headers['content-length']);
      const isJson = request.headers['content-type']?.startsWith('application/json') ?? false;
      const limit = isJson ? limits.maxJsonBytes : limits.maxMultipartBytes;
      if (declared > limit) throw new EdgeRefusal(413, 'PAYLOAD_TOO_LARGE', `the request body is over the limit of ${limit} bytes${isJson ? '; send large images as multipart file parts (see Upload in the schema)' : ''}`);
      return guard(request, reply, payload);
    },
  };
}
