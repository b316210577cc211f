import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { operationCachePolicy, type CachePolicy } from '../graphql/cache-policy.js';
import type { Answer, AnswerCache } from './answer-cache.js';

/** How a cacheable read was answered: from the cache, by a read running at once, by running it, or 304. */
export type ReadOutcome = 'hit' | 'shared' | 'miss' | 'not_modified';

export interface CatalogReads {
  readonly plugin: ApolloServerPlugin<GraphQLContext>;
  /** Cacheable reads by outcome since start. */
  outcomes(): Readonly<Record<ReadOutcome, number>>;
}

export interface CatalogReadsOptions {
  answers: AnswerCache;
  /** The max-age of a catalog read, as the cache-control plugin is told (Config.cache.catalogMaxAgeSeconds). */
  defaultMaxAge: number;
  /** What else an answer depends on besides the catalog, the request and the replica's ServiceInfo (the schema): another one changes every ETag. */
  answerFormat: string;
}

/**
 * Reads whose every field the schema marks cacheable (cache-policy.ts) are
 * answers of the catalog's state: the change-log generation and the active
 * model version, read once the request arrives (CatalogState). Their ETag is
 * a hash of that state and the request; a GET whose If-None-Match holds it
 * is answered 304 without running. Otherwise the answer comes from the
 * cache, or from an identical read running now, keyed by the same state: a
 * request never gets an answer computed before a write it could have seen.
 * The operation's cache policy is applied before it runs, so a 304 says
 * what its 200 would.
 */
export function catalogReads({ answers, defaultMaxAge, answerFormat }: CatalogReadsOptions): CatalogReads {
  const outcomes: Record<ReadOutcome, number> = { hit: 0, shared: 0, miss: 0, not_modified: 0 };
  // Apollo keeps one parsed document per query hash: each operation's policy is worked out once.
  const policies = new WeakMap<OperationDefinitionNode, CachePolicy | undefined>();
  return {
    outcomes: () => outcomes,
    plugin: {
      async requestDidStart() {
        let key: string | undefined;
        let etag: string | undefined;
        let settle: ((answer: Answer | undefined) => void) | undefined;
        return {
          async didResolveOperation({ schema, document, operation, request, queryHash, contextValue, overallCachePolicy }) {
            if (!operation) return;
            if (!policies.has(operation)) policies.set(operation, operationCachePolicy(schema, document, operation, defaultMaxAge));
            const policy = policies.get(operation);
            if (!policy) {
              overallCachePolicy.restrict({ maxAge: 0 });
              return;
            }
            overallCachePolicy.restrict(policy);
            const { generation, activeSpace } = await contextValue.catalog.state();
            key = JSON.stringify([generation, activeSpace, queryHash, operation.name?.value ?? null, request.variables ?? {}]);
            if (request.http?.method === 'GET') {
              // `service` answers what this replica runs on: replicas that differ there differ in ETag too.
              const replica = JSON.stringify([contextValue.runtime, contextValue.writesNeedToken]);
              etag = `W/"${createHash('sha256').update(answerFormat).update(replica).update(key).digest('base64url')}"`;
            }
          },
          async responseForOperation({ request }) {
            if (!key) return null;
            if (etag && matches(request.http?.headers.get('if-none-match'), etag)) {
              outcomes.not_modified++;
              return { http: { status: 304, headers: new HeaderMap() }, body: { kind: 'single', singleResult: {} } } satisfies GraphQLResponse;
            }
            const found = answers.find(key);
            // No await before compute() when nothing is found: an identical read must find this one running.
            const answer = found && (await found.answer);
            if (answer) {
              outcomes[found.source === 'kept' ? 'hit' : 'shared']++;
              return { http: { headers: new HeaderMap() }, body: { kind: 'single', singleResult: answer } } satisfies GraphQLResponse;
            }
            outcomes.miss++;
            settle = answers.compute(key);
            return null;
          },
          async willSendResponse({ response }) {
            const answer = response.body.kind === 'single' && !response.body.singleResult.errors ? response.body.singleResult : undefined;
            settle?.(answer);
            if (etag && answer) response.http.headers.set('etag', etag);
          },
        };
      },
    },
  };
}

/** If-None-Match's weak comparison: any listed tag, W/ or not, or `*`. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = etag.slice(2);
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || (trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed) === opaque;
  });
}
