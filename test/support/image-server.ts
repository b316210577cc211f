import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an image server test asks of it: a route answers as the handler says. */
export type Route = (request: IncomingMessage, response: ServerResponse, server: ImageServer) => void;

/** A real HTTP server on a loopback address, serving test routes and noting every request it gets. */
export interface ImageServer {
  /** `http://host:port`, no trailing slash. */
  readonly origin: string;
  readonly port: number;
  /** Paths asked for, in order. */
  readonly requested: string[];
  close(): Promise<void>;
}

export async function startImageServer(routes: Record<string, Route>, host = '127.0.0.1', port = 0): Promise<ImageServer> {
  const requested: string[] = [];
  // The routes get the server, which is made once it listens.
  // eslint-disable-next-line prefer-const
  let self: ImageServer;
  const server: Server = createServer((request, response) => {
    requested.push(request.url ?? '');
    const route = routes[(request.url ?? '').split('?')[0]!];
    if (route) route(request, response, self);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const bound = (server.address() as AddressInfo).port;
  self = {
    origin: `http://${host}:${bound}`,
    port: bound,
    requested,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return self;
}

/** Serves these bytes as this content type. */
export const bytesRoute =
  (bytes: Uint8Array, type = 'image/png'): Route =>
  (_request, response) =>
    response.writeHead(200, { 'content-type': type, 'content-length': bytes.length }).end(bytes);

/** Redirects (302) to `location`, absolute or relative. */
export const redirectRoute =
  (location: string): Route =>
  (_request, response) =>
    response.writeHead(302, { location }).end();

/**
 * An image that never ends: chunks without a Content-Length until the client
 * hangs up; `sent` says how much went out before it did.
 */
export function endlessRoute(chunkBytes: number, sent: { bytes: number; closed: boolean }): Route {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'image/png' });
    const chunk = Buffer.alloc(chunkBytes, 1);
    const write = () => {
      while (!response.destroyed) {
        sent.bytes += chunk.length;
        if (!response.write(chunk)) return;
      }
    };
    response.on('drain', write);
    response.on('close', () => (sent.closed = true));
    write();
  };
}

/** An image that arrives a byte every `everyMs`, never finishing on its own. */
export function tricklingRoute(everyMs: number): Route {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'image/png' });
    const timer = setInterval(() => response.write(Buffer.of(0x89)), everyMs);
    response.on('close', () => clearInterval(timer));
  };
}
