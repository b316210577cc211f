/**
 * The one table from error codes to HTTP: GraphQL responses made of nothing
 * but such an error (graphql-status.plugin.ts) and the plain routes' errors
 * (error-handler.ts) both read it. Codes not listed keep GraphQL's 200 (or
 * Apollo's own 400 for a malformed request).
 */
const STATUS: Readonly<Record<string, { status: number; retryAfterSeconds?: number }>> = {
  UNAUTHENTICATED: { status: 401 },
  ROUTE_NOT_FOUND: { status: 404 },
  REQUEST_TOO_SLOW: { status: 408 },
  CATALOG_CHANGED: { status: 409 },
  PAYLOAD_TOO_LARGE: { status: 413 },
  SERVICE_STARTING: { status: 503, retryAfterSeconds: 5 },
  TOO_BUSY: { status: 503, retryAfterSeconds: 1 },
  DATABASE_UNAVAILABLE: { status: 503, retryAfterSeconds: 5 },
  INTERNAL_SERVER_ERROR: { status: 500 },
};

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
}

/** The status and headers for an error code, or undefined where the code does not change the status. */
export function httpAnswerFor(code: unknown, retryAfterSeconds?: unknown): HttpAnswer | undefined {
  const entry = typeof code === 'string' ? STATUS[code] : undefined;
  if (!entry) return undefined;
  const headers: Record<string, string> = {};
  if (entry.status === 401) headers['www-authenticate'] = 'Bearer';
  if (entry.retryAfterSeconds !== undefined) {
    const seconds = typeof retryAfterSeconds === 'number' && retryAfterSeconds > 0 ? Math.ceil(retryAfterSeconds) : entry.retryAfterSeconds;
    headers['retry-after'] = String(seconds);
  }
  return { status: entry.status, headers };
}
