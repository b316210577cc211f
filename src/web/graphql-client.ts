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

/**
 * Runs one operation against the service that served the page. The first
 * error, if any, is thrown with its code: the page shows it as it is.
 */
export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  adminToken?: string,
): Promise<TResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (adminToken) headers.authorization = `Bearer ${adminToken}`;
  let response: Response;
  try {
    response = await fetch('/', { method: 'POST', headers, body: JSON.stringify({ query: document.toString(), variables }) });
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
