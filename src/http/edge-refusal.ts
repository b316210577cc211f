/** A request the edge refuses before GraphQL sees it: the error handler answers its status and code in the errors shape. */
export class EdgeRefusal extends Error {
  override name = 'EdgeRefusal';
  constructor(
    /** Read by Fastify as well, which keeps a 4xx/5xx it finds here. */
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
