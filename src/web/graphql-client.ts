import type { TypedDocumentString } from './generated/graphql';

/** A GraphQL error as the API sends it: the message, its stable extensions.code and, for an attribute, the key at fault. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

interface GraphQLResponse<TResult> {
  data?: TResult | null;
  errors?: { message: string; extensions?: { code?: string; key?: string } }[];
}

/** Set for the tab once the page has written: the catalog's answers kept by the browser may predate its own change. */
const WROTE = 'lookalike.wrote';

/**
 * Runs a query as a GET that carries its document's hash (Apollo's automatic
 * persisted queries, the hash written by `npm run codegen`): the browser, or
 * a CDN in front of the service, may keep the answer by its URL for the
 * max-age the service gives. The document itself goes along only when the
 * service does not know the hash yet. Once this tab has written, every read
 * asks the service again (with the kept answer's ETag, answered 304 while
 * nothing changed), so the page never shows an answer from before its own
 * change. The first error, if any, is thrown with its code.
 */
export async function read<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  adminToken?: string,
): Promise<TResult> {
  const { hash } = meta(document);
  const params = new URLSearchParams({
    variables: JSON.stringify(variables),
    extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }),
  });
  // Apollo's CSRF prevention: a GET with this header cannot come from a plain link or form.
  const headers: Record<string, string> = { 'apollo-require-preflight': 'true' };
  if (adminToken) headers.authorization = `Bearer ${adminToken}`;
  const cache: RequestCache = sessionStorage.getItem(WROTE) ? 'no-cache' : 'default';
  try {
    return await answer(() => fetch(`/?${params}`, { headers, cache }));
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'PERSISTED_QUERY_NOT_FOUND') throw error;
    params.set('query', document.toString());
    return answer(() => fetch(`/?${params}`, { headers, cache }));
  }
}

/**
 * Runs a mutation, or a query that carries an image (too large for a URL), as
 * a POST. After a mutation this tab's reads revalidate (see read).
 */
export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  adminToken?: string,
): Promise<TResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (adminToken) headers.authorization = `Bearer ${adminToken}`;
  const body = JSON.stringify({ query: document.toString(), variables });
  // Before it is sent: a mutation whose answer is lost may still have been stored.
  if (meta(document).operation === 'mutation') sessionStorage.setItem(WROTE, 'true');
  return answer(() => fetch('/', { method: 'POST', headers, body }));
}

/** What `npm run codegen` writes beside each operation (codegen.ts). */
function meta(document: { __meta__?: Record<string, unknown> | undefined }): { operation: 'query' | 'mutation'; hash: string } {
  return document.__meta__ as { operation: 'query' | 'mutation'; hash: string };
}

async function answer<TResult>(send: () => Promise<Response>): Promise<TResult> {
  let response: Response;
  try {
    response = await send();
  } catch {
    throw new ApiError('the service cannot be reached', 'NETWORK_ERROR');
  }
  let body: GraphQLResponse<TResult>;
  try {
    body = (await response.json()) as GraphQLResponse<TResult>;
  } catch {
    throw new ApiError(`the service answered HTTP ${response.status} without a GraphQL body`, `HTTP_${response.status}`);
  }
  const [error] = body.errors ?? [];
  if (error) throw new ApiError(error.message, error.extensions?.code ?? `HTTP_${response.status}`, error.extensions?.key);
  if (!body.data) throw new ApiError('the service answered without data', `HTTP_${response.status}`);
  return body.data;
}
