import { readFileSync } from 'node:fs';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ConfigError, type Config } from './config.js';
import { servicesContext, type GraphQLContext } from './graphql/context.js';
import { documentLengthRefusal } from './graphql/query-limits.js';
import { createGraphQLServer, SCHEMA_PATH } from './graphql/server.js';
import { writeAccessPlugin } from './graphql/write-access.plugin.js';
import { exposureRefusal, writeAccess } from './http/admin-token.js';
import { AnswerCache } from './http/answer-cache.js';
import { BodyBudget } from './http/body-budget.js';
import { catalogReads } from './http/catalog-reads.plugin.js';
import { clientGone } from './http/client-gone.js';
import { clientErrorHandler, frameworkErrors } from './http/edge-refusals.js';
import { errorBody, registerErrorHandlers } from './http/error-handler.js';
import { httpAnswerFor } from './http/error-status.js';
import { graphqlStatusPlugin } from './http/graphql-status.plugin.js';
import { createLogger, requestId, type Logger } from './http/logger.js';
import { createMetrics } from './http/metrics.js';
import { readiness } from './http/readiness.js';
import { registerRequestBodies, type RequestBodyLimits } from './http/request-body.js';
import { registerStorefront } from './http/storefront.route.js';
import { registerThumbnailRoute } from './http/thumbnail.route.js';
import { whileDatabaseAway } from './db/database-startup.js';
import { createServices, type Services } from './services.js';

/** What a JSON body may hold: GraphQL requests are a few levels deep; 100,000 values parse in about 10 ms. */
const JSON_SHAPE = { maxDepth: 32, maxValues: 100_000 };
/** A body's first seconds are not held to the minimum rate: connections start slowly. */
const BODY_RATE_GRACE_MS = 10_000;
/** Room in a multipart body for its two JSON fields' part headers and boundaries. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
/** Longest path parameter a route sees; past it the router refuses with 414 (edge-refusals.ts). */
const MAX_PARAM_LENGTH = 4096;

/** The HTTP edge, built without listening: `inject` tests it, `listen` serves it. */
export interface HttpApp {
  readonly server: FastifyInstance;
  /** Answers GraphQL with these services once their search index is loaded; /readyz follows. */
  serve(services: Services): Promise<void>;
  /** Stops accepting, lets requests in flight finish for up to SHUTDOWN_TIMEOUT_MS, then stops GraphQL. */
  close(): Promise<void>;
}

/**
 * The largest bodies: a JSON one as configured, a multipart one every image
 * a request may carry beside its JSON fields; neither more than one
 * request's share of the bodies in flight.
 */
export function requestBodyLimits(config: Config): RequestBodyLimits {
  const share = Math.floor(config.maxBodyBytesInFlight / BodyBudget.SHARES);
  const maxJsonBytes = Math.min(config.maxJsonBodyBytes, share);
  return {
    maxJsonBytes,
    maxMultipartBytes: Math.min(config.maxImagesPerRequest * config.maxImageBytes + 2 * maxJsonBytes + MULTIPART_OVERHEAD_BYTES, share),
    json: JSON_SHAPE,
    multipart: { maxFieldBytes: maxJsonBytes, maxFiles: config.maxImagesPerRequest, maxFileBytes: config.maxImageBytes },
    guard: { minBytesPerSecond: config.minBodyBytesPerSecond, graceMs: BODY_RATE_GRACE_MS },
  };
}


/**
 * The routes: GraphQL at `/` (POST, or GET with a query or a persisted query's hash; a browser's GET gets
 * the storefront page, its files under `/assets/`), `/products/:id/thumbnail.webp`,
 * `/schema.graphql`, `/healthz`, `/readyz` and `/metrics`. GraphQL answers 503 SERVICE_STARTING until `serve` is done.
 * Refuses a non-loopback HOST without ADMIN_TOKEN.
 */
export async function buildApp(config: Config, logger: Logger): Promise<HttpApp> {
  const refusal = exposureRefusal(config);
  if (refusal) throw new ConfigError(refusal);
  const access = writeAccess(config);
  if (access.warning) logger.warn(access.warning);

  let services: Services | undefined;
  let context: Omit<GraphQLContext, 'mayWrite' | 'writesNeedToken' | 'signal'> | undefined;
  let searchIndexLoaded = false;
  let closing = false;

  const loggerInstance: FastifyBaseLogger = logger;
  const bodyLimits = requestBodyLimits(config);
  const server = Fastify({
    loggerInstance,
    genReqId: requestId,
    bodyLimit: bodyLimits.maxMultipartBytes,
    requestTimeout: config.http.requestTimeoutMs,
    // Node looks for requests past their time every 30 s by default: a short limit would be overrun by most of that.
    http: { connectionsCheckingInterval: Math.min(30_000, config.http.requestTimeoutMs / 4) },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    clientErrorHandler,
    frameworkErrors,
  });
  registerErrorHandlers(server, bodyLimits.maxJsonBytes);
  const withBody = registerRequestBodies(server, new BodyBudget(config.maxBodyBytesInFlight), bodyLimits);
  server.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Closing drops only the connections idle at that instant: one whose request
  // finishes later would idle on for Fastify's 72 s keep-alive and hold the stop.
  server.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  await server.register(cors, {
    origin: config.corsOrigins,
    methods: ['GET', 'POST'],
    // A GET or a multipart POST needs one of Apollo's CSRF headers.
    allowedHeaders: ['Authorization', 'Content-Type', 'Apollo-Require-Preflight', 'X-Apollo-Operation-Name'],
  });

  const schema = readFileSync(SCHEMA_PATH, 'utf8');
  const answers = new AnswerCache(config.cache.answerCacheBytes);
  const reads = catalogReads({ answers, defaultMaxAge: config.cache.catalogMaxAgeSeconds, answerFormat: schema });
  const metrics = createMetrics(() => services, { reads, answers });
  const apollo = createGraphQLServer({
    plugins: [writeAccessPlugin(), graphqlStatusPlugin(), metrics.plugin, reads.plugin],
    logUnexpected: (error) => logger.error({ error }, 'unexpected error in a GraphQL request'),
    limits: { ...config.query, maxImages: config.maxImagesPerRequest },
    catalogMaxAgeSeconds: config.cache.catalogMaxAgeSeconds,
  });
  await apollo.start();
  // Fastify runs this after the server has closed and its requests have finished.
  server.addHook('onClose', () => apollo.stop());

  const graphql = fastifyApolloHandler(apollo, {
    context: async (request, reply) => ({ ...context!, mayWrite: access.allows(request.headers.authorization), writesNeedToken: access.tokenRequired, signal: clientGone(reply.raw) }),
  });
  const whenServing = async (request: FastifyRequest, reply: FastifyReply) => {
    const tooLong = documentLengthRefusal((request.body as { query?: unknown } | undefined)?.query ?? (request.query as { query?: unknown } | undefined)?.query);
    if (tooLong) return reply.code(400).send(tooLong);
    if (context && searchIndexLoaded) return;
    const { status, headers } = httpAnswerFor('SERVICE_STARTING')!;
    return reply.code(status).headers(headers).send(errorBody('the service is starting; retry in a moment', 'SERVICE_STARTING'));
  };
  const storefront = registerStorefront(server, logger);
  server.post('/', { ...withBody, preHandler: whenServing }, graphql);
  server.get('/', {
    preHandler: async (request, reply) => {
      // GraphQL over GET carries a query or a persisted query's hash; a browser asking for the page carries neither.
      const { query, extensions } = (request.query ?? {}) as Record<string, unknown>;
      if (query !== undefined || extensions !== undefined) return whenServing(request, reply);
      return storefront.send(reply);
    },
    // Fastify would send the GraphQL body of a 304, and its length.
    onSend: async (_request, reply, payload) => (reply.statusCode === 304 ? (reply.removeHeader('content-type'), null) : payload),
  }, graphql);
  registerThumbnailRoute(server, () => (searchIndexLoaded ? services?.catalog : undefined));

  server.get('/schema.graphql', (_request, reply) => reply.type('text/plain; charset=utf-8').send(schema));
  server.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));
  server.get('/readyz', async (_request, reply) => {
    const state = await readiness(services, searchIndexLoaded);
    return reply.code(state.ready ? 200 : 503).send(state);
  });
  server.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  return {
    server,
    async serve(ready) {
      services = ready;
      context = servicesContext(ready);
      const warming = performance.now();
      await whileDatabaseAway(() => ready.similarity.warm(), ready.database, config.database.startupWaitMs, (line) => logger.info(line));
      searchIndexLoaded = true;
      logger.info(`search index loaded in ${((performance.now() - warming) / 1000).toFixed(1)} s`);
      // In the background: the next start reads it instead of the database.
      ready.similarity.saveSearchIndex().catch((error: unknown) => logger.warn(`search index snapshot not written: ${(error as Error).message}`));
    },
    async close() {
      closing = true;
      const force = setTimeout(() => server.server.closeAllConnections(), config.shutdownTimeoutMs);
      try {
        await server.close();
      } finally {
        clearTimeout(force);
      }
    },
  };
}

export interface App {
  readonly url: string;
  readonly services: Services;
  stop(): Promise<void>;
}

/** Listens, then creates the services and serves them: the whole service in one call, for tests and benchmarks. */
export async function startApp(config: Config, logger: Logger = createLogger(config)): Promise<App> {
  const app = await buildApp(config, logger);
  try {
    const url = await app.server.listen({ host: config.http.host, port: config.http.port });
    const services = await createServices(config, (line) => logger.info(line));
    try {
      await app.serve(services);
    } catch (error) {
      await services.close();
      throw error;
    }
    return {
      url,
      services,
      async stop() {
        await app.close();
        await services.close();
      },
    };
  } catch (error) {
    await app.close();
    throw error;
  }
}
