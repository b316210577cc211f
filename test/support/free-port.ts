import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';

/** A loopback port where nothing listens (free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** A loopback URL where nothing listens. */
export async function closedUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}/`;
}
