import { loadConfig } from '../src/config.js';
import { openPGlite } from '../src/db/pglite-cluster.js';
import { PGliteSessionServer } from './pglite-session-server.js';

// A database server in a process of its own, so that a test can SIGKILL it
// as a crash or an operator would a real Postgres, then start it again on the
// same data folder and port. Several service processes may share it: each
// client gets whole session turns (see pglite-session-server.ts).
// Usage: pglite-server-process.ts <dataDir> <port>
const [dataDir, port] = process.argv.slice(2);
const pglite = await openPGlite(dataDir!, loadConfig({}).pgliteCacheDir);
const server = new PGliteSessionServer(pglite);
console.log(`listening on ${await server.listen('127.0.0.1', Number(port))}`);
