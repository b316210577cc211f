import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

// A database server in a process of its own, so that a test can SIGKILL it
// as a crash or an operator would a real Postgres, then start it again on the
// same data folder and port. Usage: pglite-server-process.ts <dataDir> <port>
const [dataDir, port] = process.argv.slice(2);
const pglite = await PGlite.create(dataDir!, { extensions: { vector } });
const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: Number(port), maxConnections: 16 });
await server.start();
console.log(`listening on ${server.getServerConn()}`);
