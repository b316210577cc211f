// The embedded Postgres in a thread of its own (pglite-thread.ts starts it):
// one PGlite on the folder workerData names, answering the statements the
// parent posts, one at a time, in the order they come.
import { parentPort, workerData } from 'node:worker_threads';
import { openPGlite } from './pglite-cluster.js';
import type { PGliteRequest, PGliteReply } from './pglite-thread.js';

const { dataDir, cacheDir } = workerData as { dataDir: string; cacheDir: string | undefined };
const port = parentPort!;

/** What the parent needs of an error to tell its kind (database-errors.ts): its name, message and every field pg sets (code, detail...). */
function plain(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  return { ...Object.fromEntries(Object.entries(error)), name: error.name, message: error.message };
}

try {
  const pglite = await openPGlite(dataDir, cacheDir);
  port.on('message', async (request: PGliteRequest) => {
    let reply: PGliteReply;
    try {
      if (request.kind === 'close') {
        await pglite.close();
        reply = { id: request.id, result: undefined };
      } else if (request.kind === 'exec') {
        reply = { id: request.id, result: await pglite.exec(request.sql, { rowMode: 'object' }) };
      } else {
        reply = { id: request.id, result: await pglite.query(request.sql, request.parameters, { rowMode: 'object' }) };
      }
    } catch (error) {
      reply = { id: request.id, error: plain(error) };
    }
    port.postMessage(reply);
    if (request.kind === 'close') port.close();
  });
  port.postMessage({ id: 0, result: 'ready' } satisfies PGliteReply);
} catch (error) {
  port.postMessage({ id: 0, error: plain(error) } satisfies PGliteReply);
}
