import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './error-handler.js';

// Requests refused before a route sees them, by Node's HTTP parser or by
// Fastify's router, answer in the errors shape like every other refusal, and
// never echo what was sent: Fastify's own answers quote the path back, which
// a page could use to reflect text from this origin.

/** Node's parser errors by code; every other one is a malformed request. */
const CONNECTION_REFUSALS: Record<string, { status: number; text: string; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, text: 'Request Header Fields Too Large', code: 'HEADERS_TOO_LARGE', message: 'the request line and headers are over the limit' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, text: 'Request Timeout', code: 'REQUEST_TIMEOUT', message: 'the request was not sent in time' },
};
const MALFORMED = { status: 400, text: 'Bad Request', code: 'BAD_REQUEST', message: 'the request is not valid HTTP' };

/** Fastify's `clientErrorHandler`: answers on the raw socket, then closes it, as Node's own handler does. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // A response already under way cannot be followed by another on this connection.
  const started = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (socket.writable && !started) {
    const refusal = CONNECTION_REFUSALS[error.code ?? ''] ?? MALFORMED;
    const body = JSON.stringify(errorBody(refusal.message, refusal.code));
    socket.write(
      `HTTP/1.1 ${refusal.status} ${refusal.text}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Fastify's `frameworkErrors`: a path parameter over the router's limit, or a path that does not decode. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    reply.code(414).send(errorBody('the URL is over the limit', 'URI_TOO_LONG'));
  } else if (error.code === 'FST_ERR_BAD_URL') {
    reply.code(400).send(errorBody('the URL does not decode', 'BAD_REQUEST'));
  } else {
    reply.code(500).send(errorBody('internal error', 'INTERNAL_SERVER_ERROR'));
  }
}
