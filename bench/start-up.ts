// Start-up at catalog sizes up to a million products:
// how long a process takes to load the active 512-d space into its
// in-process index (src/search/space-index.ts) before /readyz answers, on a
// warm database, beside what reading the same rows costs at all, measured in
// the same run.
//
// Per catalog size, on a real Postgres with pgvector (one database per size,
// `<--database>_<size>`, migrated and seeded once: products with zero
// features, stored compressed here only so that a million of them fit, a
// model version of uniform random embeddings, active):
//   count       `select count(*)` of the active space: the floor of any read;
//   full scan   every embedding read and serialized by the server, nothing
//               sent: `select sum(octet_length(vector_send(embedding)))`;
//   read+decode the repository's pages alone, decoded, no index built;
//   load from database
//               SpaceIndex.reach with no snapshot: read, decode and build;
//   snapshot    that index written to its snapshot (src/search/index-snapshot.ts),
//               then a new SpaceIndex reaching the same generation from it;
//   /readyz     src/main.ts started as a process (--process) on an empty
//               SEARCH_SNAPSHOT_DIR, stopped (it writes its snapshot), started
//               again: seconds from spawn to /readyz answering 200, ResNet50
//               included, with the index load each logs; beside them, the
//               same process on an empty catalog (`<--database>_empty`):
//               what start-up costs without any index.
// With --pglite N, the same index load on the embedded PGlite at N products
// (in memory, seeded by a binary COPY).
//
//   node --import tsx bench/start-up.ts [--sizes 100000,1000000] [--pglite 100000]
//     [--database postgres://postgres@127.0.0.1:5433/lookalike_startup] [--process]
//     [--process-only]   (the process starts alone, on databases seeded before)
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrator.js';
import { PGliteDialect } from '../src/db/pglite-dialect.js';
import type { DB } from '../src/db/schema.js';
import { SearchRepository } from '../src/db/search.repository.js';
import { IndexSnapshots } from '../src/search/index-snapshot.js';
import { SpaceIndex } from '../src/search/space-index.js';
import { startApi } from '../harness/api-process.js';
import { seededRandom } from '../harness/vectors.js';
import { machine, ms, ratio, table } from './table.js';
import { createdDatabase, seedProducts, writeEmbeddings } from './catalog-database.js';
import type { EmbeddingSpace } from '../src/domain/embedding-space.js';

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    pglite: { type: 'string', default: '0' },
    database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5433/lookalike_startup' },
    process: { type: 'boolean', default: false },
    'process-only': { type: 'boolean', default: false },
  },
});
const sizes = flags.sizes.split(',').filter(Boolean).map(Number);
const pgliteSize = Number(flags.pglite);
const DIMENSIONS = 512;
/** The table printed at the end, a row per database and size. */
const rows: (string | number)[][] = [];

/** PGCOPY of embeddings (model_version_id, product_id, embedding, predicted_category), product ids 1..size: uniform random vectors. */
function writeCopyFile(path: string, size: number, version: number): Promise<void> {
  return writeEmbeddings(path, size, DIMENSIONS, version, (i, into) => {
    const random = seededRandom(i + 1);
    for (let d = 0; d < DIMENSIONS; d++) into[d] = random() * 2 - 1;
  });
}

async function activeSize(db: Kysely<DB>): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from embeddings e join model_versions m on m.id = e.model_version_id and m.active`.execute(db);
  return rows[0]!.n;
}

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

interface Loads {
  fromDatabase: number;
  size: number;
  snapshotBytes: number;
  write: number;
  fromSnapshot: number;
}

/** The index load as the service runs it, from the database into an empty snapshot folder, then from the snapshot it writes. */
async function indexLoads(repository: SearchRepository): Promise<Loads> {
  const dir = await mkdtemp(join(tmpdir(), 'lookalike-start-up-'));
  try {
    const snapshots = new IndexSnapshots(dir);
    const { generation, activeSpace } = await repository.state();
    const index = new SpaceIndex(activeSpace, repository, undefined, snapshots);
    const fromDatabase = await timed(() => index.reach(generation));
    const write = await timed(() => index.saveSnapshot());
    const [file] = await readdir(dir);
    const restored = new SpaceIndex(activeSpace, repository, undefined, snapshots);
    const fromSnapshot = await timed(() => restored.reach(generation));
    if (restored.size !== index.size) throw new Error(`${restored.size} products from the snapshot, ${index.size} from the database`);
    return { fromDatabase, size: index.size, snapshotBytes: (await stat(join(dir, file!))).size, write, fromSnapshot };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Seconds to /readyz and the index load logged, from the database and then from the snapshot the first process left. */
async function processStarts(url: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'lookalike-start-up-process-'));
  const cells: string[] = [];
  try {
    for (let run = 0; run < 2; run++) {
      const start = performance.now();
      const api = startApi({ DATABASE_URL: url, SEARCH_SNAPSHOT_DIR: dir, LOG_LEVEL: 'info' });
      await api.ready;
      const ready = (performance.now() - start) / 1000;
      const logged = /search index loaded in ([\d.]+) s/.exec(api.lines.join('\n'))?.[1] ?? '?';
      cells.push(`${ready.toFixed(1)} (${logged})`);
      await api.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return cells;
}

/** The repository's pages alone, as the index reads them, decoded and dropped. */
async function readAndDecode(repository: SearchRepository, space: EmbeddingSpace): Promise<number> {
  return timed(async () => {
    await repository.eachVector(space, () => {});
  });
}

async function measurePostgres(size: number): Promise<void> {
  const url = await createdDatabase(flags.database, String(size));
  if (flags['process-only']) {
    const [fromDatabase, fromSnapshot] = await processStarts(url);
    console.log(`${size.toLocaleString('en-US')} products: /readyz from the database ${fromDatabase} s, from the snapshot ${fromSnapshot} s`);
    return;
  }
  const name = new URL(url).pathname.slice(1);

  const database = await openDatabase({ databaseUrl: url, databasePoolSize: 2, pgliteDataDir: 'memory://', database: { statementTimeoutMs: 600_000 } });
  await migrate(database.db);
  if ((await activeSize(database.db)) !== size) {
    console.log(`seeding ${size.toLocaleString('en-US')} products into ${name}…`);
    const path = join(tmpdir(), `${name}.pgcopy`);
    await seedProducts(database.db, size, async (version) => {
      await writeCopyFile(path, size, version);
      await sql.raw(`copy embeddings (model_version_id, product_id, embedding, predicted_category) from '${path}' with (format binary)`).execute(database.db);
      await rm(path);
    });
    await sql`vacuum analyze`.execute(database.db);
  }
  const repository = new SearchRepository(database.db);
  const { activeSpace } = await repository.state();

  // Warm: the table is read once before anything is timed.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const fullScan = () => client.query('select sum(octet_length(vector_send(embedding))) from embeddings where model_version_id = $1', [activeSpace]);
  await fullScan();
  const count = await timed(() => client.query('select count(*) from embeddings where model_version_id = $1', [activeSpace]));
  const scan = await timed(fullScan);
  await client.end();

  const decoded = await readAndDecode(repository, activeSpace);
  const loads = await indexLoads(repository);
  if (loads.size !== size) throw new Error(`the index holds ${loads.size} products, the database ${size}`);
  await database.close();
  const [fromDatabase, fromSnapshot] = flags.process ? await processStarts(url) : ['—', '—'];
  rows.push(['Postgres 15, pg', size.toLocaleString('en-US'), ms(count), ms(scan), ...loadCells(decoded, loads, scan), fromDatabase!, fromSnapshot!]);
  console.log(rows.at(-1)!.join(' | '));
}

async function measurePGlite(size: number): Promise<void> {
  const pglite = await PGlite.create({ extensions: { vector } });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  await migrate(db);
  const path = join(tmpdir(), `lookalike_startup_pglite_${size}.pgcopy`);
  await seedProducts(db, size, async (version) => {
    await writeCopyFile(path, size, version);
    await pglite.query(`copy embeddings (model_version_id, product_id, embedding, predicted_category) from '/dev/blob' with (format binary)`, [], {
      blob: new Blob([await readFile(path)]),
    });
    await rm(path);
  });
  const repository = new SearchRepository(db);
  const { activeSpace } = await repository.state();
  const count = await timed(() => sql`select count(*) from embeddings where model_version_id = ${activeSpace}`.execute(db));
  const scan = await timed(() => sql`select sum(octet_length(vector_send(embedding))) from embeddings where model_version_id = ${activeSpace}`.execute(db));
  const decoded = await readAndDecode(repository, activeSpace);
  const loads = await indexLoads(repository);
  if (loads.size !== size) throw new Error(`the index holds ${loads.size} products, the database ${size}`);
  rows.push(['PGlite, in memory', size.toLocaleString('en-US'), ms(count), ms(scan), ...loadCells(decoded, loads, scan), '—', '—']);
  console.log(rows.at(-1)!.join(' | '));
  await db.destroy();
}

function loadCells(decoded: number, loads: Loads, scan: number): string[] {
  return [
    ms(decoded),
    ms(Math.max(0, loads.fromDatabase - decoded)),
    ms(loads.fromDatabase),
    ratio(loads.fromDatabase, scan),
    (loads.snapshotBytes / 2 ** 20).toFixed(0),
    ms(loads.write),
    ms(loads.fromSnapshot),
    ratio(loads.fromSnapshot, scan),
    ratio(loads.fromSnapshot, loads.fromDatabase),
  ];
}

console.log(`${machine()}\n`);
if (flags.process || flags['process-only']) {
  const start = performance.now();
  const api = startApi({ DATABASE_URL: await createdDatabase(flags.database, 'empty'), SEARCH_SNAPSHOT_DIR: 'off', LOG_LEVEL: 'info' });
  await api.ready;
  console.log(`/readyz on an empty catalog: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  await api.stop();
}
for (const size of sizes) await measurePostgres(size);
if (pgliteSize > 0) await measurePGlite(pgliteSize);
console.log(`\n${machine()}\n`);
console.log(
  table(
    [
      'database',
      'products',
      'count ms',
      'full scan ms',
      'read+decode ms',
      'index build ms',
      'load from database ms',
      '/ full scan',
      'snapshot MiB',
      'snapshot write ms',
      'load from snapshot ms',
      '/ full scan',
      '/ from database',
      '/readyz s from database (index wait after ResNet50)',
      '/readyz s from snapshot (index wait after ResNet50)',
    ],
    rows,
  ),
);
