import type { ServerResponse } from 'node:http';

/**
 * Fires when the connection closes before the response has been written:
 * the client has hung up, and whatever is still to be done for the request
 * would be done for nobody.
 */
export function clientGone(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}
