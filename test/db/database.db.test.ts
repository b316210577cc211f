import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrator.js';
import { Store } from '../../src/db/store.js';
import { newProduct } from '../../harness/catalog-fixtures.js';
import { startDatabaseServer } from '../../harness/database-server.js';
import { openIntermittentDatabase, type IntermittentDatabase } from '../support/intermittent-database.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';
import { newPGlite } from '../support/database.js';

const random = seededRandom(3);

describe('the pg path while its database goes away and comes back', () => {
  let served: IntermittentDatabase;
  let database: Database;
  const lines: string[] = [];

  before(async () => {
    served = await openIntermittentDatabase({ poolSize: 2, log: (line) => lines.push(line) });
    database = served.database;
  });
  after(() => served?.close());

  test('statements answer DATABASE_UNAVAILABLE while it is away, ping and health say why, and both recover when it returns', async () => {
    const store = new Store(database.db);
    await store.products.insertMany([newProduct('before', randomVector(random, 2048))]);
    await database.ping();
    assert.equal(database.health().up, true);

    await served.goAway();
    const started = performance.now();
    await assert.rejects(store.products.insertMany([newProduct('during', randomVector(random, 2048))]), { code: 'DATABASE_UNAVAILABLE' });
    await assert.rejects(database.ping(), { code: 'DATABASE_UNAVAILABLE', message: /the database is unavailable/ });
    assert.ok(performance.now() - started < 5000, 'answered promptly');
    const down = database.health();
    assert.equal(down.up, false);
    assert.ok(!down.up && down.reason.length > 0);

    await served.comeBack();
    await database.ping();
    assert.equal(database.health().up, true);
    await store.products.insertMany([newProduct('after', randomVector(random, 2048))]);
    assert.deepEqual((await served.pglite.query<{ sku: string }>('select sku from products order by id')).rows.map((r) => r.sku), ['before', 'after']);
    assert.equal(lines.filter((line) => line.startsWith('database unavailable: ')).length, 1, lines.join('\n'));
    assert.equal(lines.filter((line) => line.startsWith('database available again after ')).length, 1, lines.join('\n'));
  });

  test('a unique violation still reaches the caller as itself', async () => {
    const store = new Store(database.db);
    await assert.rejects(store.products.insertMany([newProduct('before', randomVector(random, 2048))]), { code: '23505' });
  });
});

describe('the pg path bounds its waits', () => {
  test('a database that accepts connections and never answers fails the connection within the connect timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as { port: number };
    const database = await openDatabase({
      databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
      pgliteDataDir: 'memory://',
      database: { connectTimeoutMs: 300, poolWaitMs: 5000 },
    });
    try {
      const started = performance.now();
      await assert.rejects(database.ping(), { code: 'DATABASE_UNAVAILABLE' });
      assert.ok(performance.now() - started < 3000, `gave up after ${performance.now() - started} ms`);
    } finally {
      await database.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test('a request that finds every pooled connection busy gives up after the pool wait', async () => {
    const pglite = await newPGlite();
    const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 2 });
    await server.start();
    const database = await openDatabase({
      databaseUrl: `postgres://postgres@${server.getServerConn()}/postgres`,
      databasePoolSize: 1,
      pgliteDataDir: 'memory://',
      database: { connectTimeoutMs: 5000, poolWaitMs: 300 },
    });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const holding = database.db.connection().execute(async (connection) => {
        await sql`select 1`.execute(connection);
        await held;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = performance.now();
      await assert.rejects(database.ping(), { code: 'DATABASE_UNAVAILABLE', message: /timeout exceeded when trying to connect/ });
      assert.ok(performance.now() - started < 3000, `gave up after ${performance.now() - started} ms`);
      release();
      await holding;
      await database.ping();
    } finally {
      await database.close();
      await server.stop();
      await pglite.close();
    }
  });

  // Postgres cancels the statement itself (57014); PGlite ignores statement_timeout, so
  // this exercises the client's own limit a little later, which a frozen server would meet too.
  test('a statement that runs past the statement timeout answers DATABASE_UNAVAILABLE, and the pool serves again once the database is free', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lookalike-database-'));
    const server = await startDatabaseServer(dataDir);
    const database = await openDatabase({
      databaseUrl: server.url,
      databasePoolSize: 1,
      pgliteDataDir: 'memory://',
      database: { connectTimeoutMs: 300, statementTimeoutMs: 300, poolWaitMs: 5000 },
    });
    try {
      const started = performance.now();
      await assert.rejects(sql`select pg_sleep(3)`.execute(database.db), { code: 'DATABASE_UNAVAILABLE' });
      assert.ok(performance.now() - started < 2500, `gave up after ${performance.now() - started} ms`);
      // PGlite cannot cancel a statement, and serves nothing else until it ends; Postgres would at once.
      const deadline = Date.now() + 10_000;
      while (!(await database.ping().then(() => true, () => false))) assert.ok(Date.now() < deadline, 'the pool serves again');
    } finally {
      await database.close();
      await server.kill();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the embedded PGlite', () => {
  test('a damaged data folder fails to open with a message naming the folder, not "Aborted()"', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lookalike-damaged-'));
    try {
      await (await openDatabase({ pgliteDataDir: dataDir })).close();
      await writeFile(join(dataDir, 'global', 'pg_control'), 'not a control file');
      await assert.rejects(openDatabase({ pgliteDataDir: dataDir }), {
        message: `the embedded database in ${dataDir} could not be opened (Aborted()): the folder is damaged or was written by another Postgres version; restore it from a backup or point DATA_DIR elsewhere`,
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
  // Mounting a small filesystem needs root; elsewhere the test says why it did not run.
  test('a full disk fails a write with DATABASE_UNAVAILABLE, keeps none of it, and reads go on', { skip: process.getuid?.() !== 0 && 'needs root to mount a small tmpfs' }, async () => {
    const mountPoint = await mkdtemp(join(tmpdir(), 'lookalike-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', mountPoint]);
    const database = await openDatabase({ pgliteDataDir: join(mountPoint, 'pglite') });
    try {
      await migrate(database.db);
      const store = new Store(database.db);
      let failed: unknown;
      let batch = 0;
      for (; failed === undefined && batch < 100; batch++) {
        const products = Array.from({ length: 200 }, (_, i) => newProduct(`b${batch}-${i}`, randomVector(random, 2048)));
        failed = await store.products.insertMany(products).then(() => undefined, (error: unknown) => error);
      }
      assert.equal((failed as { code?: string }).code, 'DATABASE_UNAVAILABLE');
      assert.match((failed as Error).message, /No space left on device/);
      const rows = await sql<{ count: string }>`select count(*) from products where sku like ${`b${batch - 1}-%`}`.execute(database.db);
      assert.equal(Number(rows.rows[0]!.count), 0);
      await database.ping();
    } finally {
      await database.close();
      execFileSync('umount', [mountPoint]);
      await rm(mountPoint, { recursive: true, force: true });
    }
  });
});
