import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type GraphQLFormattedError, type ValidationRule } from 'graphql';
import { DomainError } from '../errors.js';
import { priceOperation } from './query-price.js';
import { measureQueryShape, type QueryShape } from './query-shape.js';

/** The most one request may ask for, as the README describes. */
export interface QueryLimits {
  maxCost: number;
  maxDepth: number;
  maxAliases: number;
  maxImages: number;
}

/**
 * Parsing stops here, before any other work (50,000 aliases, 1.6 MB, took
 * 0.7 s to parse and 1.6 s to validate). The README's and the storefront's
 * largest document, addProducts with 32 inline inputs, has under 500 tokens.
 */
export const MAX_QUERY_TOKENS = 5_000;

/**
 * Characters a document may have, checked before it is lexed: the token
 * limit counts a 1 MB string as one token, yet lexing 32 of them holds the
 * event loop for a tenth of a second. Images belong in variables, which
 * JSON.parse reads natively; the largest real document is a few kilobytes.
 */
export const MAX_QUERY_LENGTH = 100_000;

type Limit = 'cost' | 'images' | 'aliases' | 'depth' | 'tokens' | 'length';

/** The refusal of a document over MAX_QUERY_LENGTH, in the shape the edge sends; undefined when it is within. */
export function documentLengthRefusal(query: unknown): { errors: GraphQLFormattedError[] } | undefined {
  if (typeof query !== 'string' || query.length <= MAX_QUERY_LENGTH) return undefined;
  const message = `the document has ${query.length} characters, over the limit of ${MAX_QUERY_LENGTH}; send images as variables`;
  return { errors: [{ message, extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'length', price: query.length, max: MAX_QUERY_LENGTH } }] };
}

function queryTooComplex(limit: Limit, message: string, price: number, max: number): GraphQLError {
  return new GraphQLError(message, {
    originalError: new DomainError('QUERY_TOO_COMPLEX', message, { limit, price, max }),
    extensions: { http: { status: 400 } },
  });
}

/**
 * Refuses a document by its shape before graphql-js validates it: repeated
 * fields cost validation time that grows with their square (500 copies of
 * `service { catalogSize }`, 2 KB, take it most of a second). It runs as the
 * last validation rule, on entering the document, before any rule has walked
 * a selection.
 */
export function queryShapeRule(limits: QueryLimits): ValidationRule {
  return (context) => ({
    Document: {
      enter(document) {
        const refusal = shapeRefusal(measureQueryShape(document), limits);
        if (!refusal) return undefined;
        context.reportError(refusal);
        // A visitor that returns a node replaces the one visited: every rule
        // after this one walks an empty document instead.
        return EMPTY_DOCUMENT;
      },
    },
  });
}

function shapeRefusal(shape: QueryShape, limits: QueryLimits): GraphQLError | undefined {
  if (shape.aliases > limits.maxAliases) {
    const message = `the query selects fields again ${shape.aliases} times (aliases or repeats); at most ${limits.maxAliases}`;
    return queryTooComplex('aliases', message, shape.aliases, limits.maxAliases);
  }
  if (shape.depth > limits.maxDepth) {
    return queryTooComplex('depth', `the query nests fields ${shape.depth} deep; at most ${limits.maxDepth}`, shape.depth, limits.maxDepth);
  }
  // Every field costs at least 1.
  if (shape.fields > limits.maxCost) {
    const message = `the query selects ${shape.fields} fields, so costs more than ${limits.maxCost}`;
    return queryTooComplex('cost', message, shape.fields, limits.maxCost);
  }
  return undefined;
}

const EMPTY_DOCUMENT: DocumentNode = { kind: Kind.DOCUMENT, definitions: [] };

/** Prices the operation with its variables on every request, cached documents included, before it runs. */
export function queryPricePlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          // Without one operation execution refuses the request itself.
          if (!operation) return;
          const price = priceOperation(schema, document, operation, request.variables ?? {});
          if (!price) return;
          if (price.images > limits.maxImages) {
            throw queryTooComplex('images', `the request carries ${price.images} images; at most ${limits.maxImages}`, price.images, limits.maxImages);
          }
          if (price.cost > limits.maxCost) {
            throw queryTooComplex('cost', `the query costs ${price.cost}; at most ${limits.maxCost}`, price.cost, limits.maxCost);
          }
        },
      };
    },
  };
}

// graphql 16 spells it "more that".
const TOKENS_EXCEEDED = /^Syntax Error: Document contains more tha[nt] (\d+) tokens\. Parsing aborted\.$/;

/** graphql-js's parser answers a document over MAX_QUERY_TOKENS with a syntax error; clients see the limit. */
export function tokensRefusal(formatted: GraphQLFormattedError): GraphQLFormattedError | undefined {
  const exceeded = formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' ? TOKENS_EXCEEDED.exec(formatted.message) : null;
  if (!exceeded) return undefined;
  const max = Number(exceeded[1]);
  return {
    message: `the document has more than ${max} tokens`,
    extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'tokens', max },
  };
}
