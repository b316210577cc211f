import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { format } from 'node:util';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config.js';

export type { Logger };

/**
 * Longest string a log line holds, message and each field alike: a request's
 * text (a path, a driver's message quoting a value) must not grow a line
 * without bound or fill the disk behind it.
 */
export const MAX_LOGGED_STRING = 2048;

/**
 * JSON lines on stdout, one logger for the requests and the services alike.
 * What a request line holds is chosen here, not left to Fastify's
 * serializers, which log the URL with its query string: a token or an image
 * sent as a GraphQL GET's variables would land in the log.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    serializers: { req: requestFields, res: replyFields, err: errorFields, error: errorFields },
    formatters: { log: (object: Record<string, unknown>) => capped(object) as Record<string, unknown> },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...args: unknown[]) => void) {
        method.apply(this, cappedArguments(args));
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A caller's id of the shape tracing systems use; anything else could forge or flood log lines. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's x-request-id when it is sane, else a fresh one: every log line of the request carries it. */
export function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Method, path and remote address: never the query string nor a header. */
function requestFields(request: { method?: string; url?: string; ip?: string; socket?: { remoteAddress?: string } }) {
  return {
    method: request.method,
    path: cappedString(request.url?.split('?', 1)[0] ?? ''),
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
  };
}

function replyFields(reply: { statusCode?: number }) {
  return { statusCode: reply.statusCode };
}

/** Name, message and code: never the error object, whose database fields carry a statement's parameters. */
function errorFields(error: { name?: unknown; message?: unknown; code?: unknown } | null | undefined) {
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? cappedString(String(value)) : undefined);
  return { name: text(error?.name), message: text(error?.message), code: text(error?.code) };
}

function cappedString(text: string): string {
  return text.length > MAX_LOGGED_STRING ? `${text.slice(0, MAX_LOGGED_STRING)}... (${text.length} characters)` : text;
}

/**
 * The message capped, and given where pino would take it uncapped from the
 * error logged (`log.error(error)`, `log.error({ err })`).
 */
function cappedArguments(args: unknown[]): unknown[] {
  const [first, second] = args;
  const error = first instanceof Error ? first : (first as { err?: unknown } | null | undefined)?.err;
  const given = error instanceof Error && typeof second !== 'string' ? [first instanceof Error ? { err: first } : first, error.message, ...args.slice(1)] : args;
  // Interpolated here, so the cap holds for the message as written.
  const at = typeof given[0] === 'string' ? 0 : 1;
  if (typeof given[at] !== 'string') return given;
  return [...given.slice(0, at), cappedString(format(...given.slice(at)))];
}

/**
 * Strings capped in plain objects and arrays, errors anywhere reduced to
 * name, message and code; other objects (Fastify's request and reply) are
 * left to the serializers.
 */
function capped(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cappedString(value);
  if (value instanceof Error) return errorFields(value);
  if (depth > 8) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => capped(item, depth + 1));
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, capped(field, depth + 1)]));
}
