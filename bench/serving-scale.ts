// The in-process index at catalog sizes up to a million products: memory,
// partition build time and scan latency of the partitioned int8 index
// (src/search/vector-table.ts, partition.ts) beside the float32 full scan
// the service used before it, measured in the same run on the same queries,
// and answers checked against pgvector's exact ORDER BY on a real Postgres.
// The partition is built before the queries (the service builds it in the
// background after a load); the longest event-loop pause of the build is
// how long a query could wait for it.
//
// Catalogs (bench/catalogs.ts): the real embeddings of Fashion-MNIST's
// 70,000 images, distinct products blended from them or from its pixels,
// jittered copies ("variants") and random vectors. Beside each, how much it
// looks like a store's catalog: the median ratio of a product's 6th-nearest
// distance to the median distance between two products.
//
// Queries are similarProducts': a product's own vector, itself excluded.
// Each runs as today's scan (float32 rows, candidates.ts without radii), as
// the int8 scan (candidatesIn) sharing its blocks with the helper thread
// (scan-helper.ts), and as the same scan read by the event loop alone,
// interleaved. With --database, the
// catalog is bulk-loaded into Postgres by a binary COPY file, pgvector
// ranks every query's int8 candidates (the re-rank the service runs), and
// for --reference-queries queries also the float32 candidates and the whole
// table; all three answers must be identical, ids and distances.
//
//   node --import tsx bench/serving-scale.ts [--sizes 100000,1000000] [--kinds embedding-blends,blends,variants,random]
//     [--embeddings ~/.cache/lookalike/fashion-mnist-70k/embeddings-512.f32]
//     [--dimensions 512] [--queries 200] [--reference-queries 10] [--k 6]
//     [--database postgres://postgres@127.0.0.1:5433/lookalike_scale] [--json results.json]
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { candidates, candidatesIn } from '../src/search/candidates.js';
import { createL2Kernel, webAssembly } from '../src/search/l2-kernel.js';
import { VectorTable } from '../src/search/vector-table.js';
import { seededRandom } from '../harness/vectors.js';
import { writeVectorRows } from './catalog-database.js';
import { catalog, CATALOG_KINDS, largestCatalog, realism, type CatalogKind } from './catalogs.js';
import { positiveInteger } from './flags.js';
import { machine, ms, ratio, table } from './table.js';

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    kinds: { type: 'string', default: 'blends,variants,random' },
    embeddings: { type: 'string' },
    dimensions: { type: 'string', default: '512' },
    queries: { type: 'string', default: '200' },
    'reference-queries': { type: 'string', default: '10' },
    k: { type: 'string', default: '6' },
    database: { type: 'string' },
    'fashion-mnist': { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
    json: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (flags.help) {
  // The usage is the header comment of this file.
  const source = await readFile(new URL(import.meta.url), 'utf8');
  console.log(source.split('\n').filter((line) => line.startsWith('//')).map((line) => line.slice(3)).join('\n'));
  process.exit(0);
}
const sizes = flags.sizes.split(',').map(Number);
const kinds = flags.kinds.split(',') as CatalogKind[];
for (const kind of kinds) if (!CATALOG_KINDS.includes(kind)) throw new Error(`--kinds: ${kind} is none of ${CATALOG_KINDS.join(', ')}`);
const dimensions = positiveInteger(flags, 'dimensions');
const queries = positiveInteger(flags, 'queries');
const referenceQueries = positiveInteger(flags, 'reference-queries');
const k = positiveInteger(flags, 'k');
/** Above this the float32 baseline does not fit beside the rest in this process's ~6 GB. */
const FLOAT32_BASELINE_BYTES = 2.5 * 2 ** 30;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const text = (vector: Float32Array) => `[${Array.from(vector).join(',')}]`;

interface Ranked {
  ids: number[];
  distances: number[];
}

async function rank(client: pg.Client, tableName: string, query: Float32Array, exclude: number, among?: number[]): Promise<Ranked> {
  const where = among ? 'and id = any($3::integer[])' : '';
  const { rows } = await client.query<{ id: number; distance: number }>(
    `select id, embedding <-> $1::vector as distance from ${tableName} where id <> $2 ${where} order by embedding <-> $1::vector, id limit ${k}`,
    among ? [text(query), exclude, among] : [text(query), exclude],
  );
  return { ids: rows.map((row) => row.id), distances: rows.map((row) => row.distance) };
}

console.log(`${machine()}\n${dimensions}-d, k = ${k}, ${queries} queries a catalog\n`);
const client = flags.database ? new pg.Client({ connectionString: flags.database }) : undefined;
await client?.connect();
const rows: (string | number)[][] = [];
/** What --json writes, for bench/serving-scale-plot.ts. */
const records: Record<string, number | string | null>[] = [];
for (const kind of kinds) {
  const vectorOf = await catalog(kind, dimensions, { fashionMnist: flags['fashion-mnist'], embeddings: flags.embeddings });
  for (const size of sizes.filter((size) => size <= largestCatalog(kind))) {
    const vector = new Float32Array(dimensions);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const index = new VectorTable();
    for (let i = 0; i < size; i++) {
      vectorOf(i, vector);
      index.set(i + 1, vector);
    }
    // The build runs in the background in the service: its longest synchronous step is how long queries wait for it at most.
    const stalls = monitorEventLoopDelay({ resolution: 5 });
    stalls.enable();
    const buildStart = performance.now();
    await index.partition();
    const buildMs = performance.now() - buildStart;
    stalls.disable();
    const longestStallMs = stalls.max / 1e6;
    global.gc?.();
    const indexRss = process.memoryUsage().rss - rssBefore;

    // The same index, its scans read by the event loop alone: the helper thread's gain, measured on the same queries.
    const alone = new VectorTable(undefined, undefined, { minRows: Infinity });
    for (let i = 0; i < size; i++) {
      vectorOf(i, vector);
      alone.set(i + 1, vector);
    }
    await alone.partition();

    const floatBytes = size * dimensions * 4;
    const baseline = floatBytes + (dimensions + size) * 4 <= FLOAT32_BASELINE_BYTES ? float32Table(size, vectorOf) : undefined;

    const random = seededRandom(size + dimensions);
    const picks = Array.from({ length: queries }, () => Math.floor(random() * size));
    const int8Times: number[] = [];
    const aloneTimes: number[] = [];
    const floatTimes: number[] = [];
    const counts: number[] = [];
    const baselineCounts: number[] = [];
    const found = new Map<number, { int8: number[]; float32?: number[]; ms: number }>();
    const kthNearest: number[] = [];
    const other = new Float32Array(dimensions);
    for (const pick of picks) {
      const id = pick + 1;
      let start = performance.now();
      const int8 = (await candidatesIn(index, index.vectorOf(id)!, k, id))!.ids;
      const int8Ms = performance.now() - start;
      int8Times.push(int8Ms);
      start = performance.now();
      await candidatesIn(alone, alone.vectorOf(id)!, k, id);
      aloneTimes.push(performance.now() - start);
      counts.push(int8.length);
      // The candidates hold the k nearest: the k-th of their exact distances is the product's k-th nearest.
      vectorOf(pick, vector);
      const exact = int8.map((candidate) => {
        vectorOf(candidate - 1, other);
        let sum = 0;
        for (let d = 0; d < dimensions; d++) sum += (vector[d]! - other[d]!) ** 2;
        return Math.sqrt(sum);
      });
      kthNearest.push(exact.sort((a, b) => a - b)[k - 1]!);
      let float32: number[] | undefined;
      if (baseline) {
        vectorOf(pick, vector);
        start = performance.now();
        float32 = baseline.candidates(vector, id)!;
        floatTimes.push(performance.now() - start);
        baselineCounts.push(float32.length);
      }
      found.set(id, { int8, float32, ms: int8Ms });
    }

    let identical = '—';
    let rerank = '—';
    const served: number[] = [];
    let pgvectorScan = '—';
    if (client) {
      const tableName = `scale_${kind.replaceAll('-', '_')}_${size}_${dimensions}`;
      const path = join(tmpdir(), `${tableName}.pgcopy`);
      const exists = await client.query(`select count(*)::int as n from pg_class where relname = $1`, [tableName]);
      if (exists.rows[0].n === 0) {
        await writeVectorRows(path, size, dimensions, vectorOf, (i) => [i + 1]);
        await client.query(`create table ${tableName} (id integer primary key, embedding vector(${dimensions}) not null)`);
        await client.query(`alter table ${tableName} alter column embedding set storage plain`);
        await client.query(`copy ${tableName} from '${path}' with (format binary)`);
        await client.query(`analyze ${tableName}`);
        await rm(path);
      }
      // A serving database holds its table in memory: read it into the OS cache first, so that the re-rank is timed warm.
      await client.query('create extension if not exists pg_prewarm');
      await client.query(`select pg_prewarm('${tableName}', 'read')`);
      const rerankTimes: number[] = [];
      const scanTimes: number[] = [];
      let same = 0;
      let checked = 0;
      // Every query is re-ranked, as the service would; the first --reference-queries are checked against pgvector's whole scan.
      for (const [id, sets] of found) {
        vectorOf(id - 1, vector);
        let start = performance.now();
        const fromInt8 = await rank(client, tableName, vector, id, sets.int8);
        rerankTimes.push(performance.now() - start);
        served.push(sets.ms + rerankTimes.at(-1)!);
        if (checked === referenceQueries) continue;
        checked++;
        start = performance.now();
        const whole = await rank(client, tableName, vector, id);
        scanTimes.push(performance.now() - start);
        const fromFloat32 = sets.float32 ? await rank(client, tableName, vector, id, sets.float32) : whole;
        const agree = (a: Ranked) => JSON.stringify(a) === JSON.stringify(whole);
        if (agree(fromInt8) && agree(fromFloat32)) same++;
        else console.log(`query ${id}: int8 ${JSON.stringify(fromInt8)} float32 ${JSON.stringify(fromFloat32)} pgvector ${JSON.stringify(whole)}`);
      }
      identical = `${same}/${checked}`;
      rerank = ms(percentile(rerankTimes, 50));
      pgvectorScan = ms(percentile(scanTimes, 50));
    }
    const looks = realism(vectorOf, size, dimensions, kthNearest);
    const p50 = percentile(int8Times, 50);
    const p95 = percentile(int8Times, 95);
    rows.push([
      kind,
      size.toLocaleString('en-US'),
      looks.toFixed(3),
      `${(index.bytes / 2 ** 20).toFixed(0)} / ${(indexRss / 2 ** 20).toFixed(0)}`,
      `${(buildMs / 1000).toFixed(1)} / ${Math.round(longestStallMs)} / ${index.blocks}`,
      baseline ? (floatBytes / 2 ** 20).toFixed(0) : '—',
      ms(p50),
      ms(p95),
      `${ms(percentile(aloneTimes, 50))} / ${ms(percentile(aloneTimes, 95))}`,
      baseline ? ms(percentile(floatTimes, 50)) : '—',
      baseline ? ms(percentile(floatTimes, 95)) : '—',
      baseline ? ratio(p50, percentile(floatTimes, 50)) : '—',
      Math.round(percentile(counts, 50)),
      baseline ? Math.round(percentile(baselineCounts, 50)) : '—',
      rerank,
      served.length ? `${ms(percentile(served, 50))} / ${ms(percentile(served, 95))}` : '—',
      pgvectorScan,
      identical,
    ]);
    records.push({
      kind,
      products: size,
      dimensions,
      realism: looks,
      indexMiB: index.bytes / 2 ** 20,
      partitionSeconds: buildMs / 1000,
      partitionLongestPauseMs: longestStallMs,
      blocks: index.blocks,
      p50,
      p95,
      aloneP50: percentile(aloneTimes, 50),
      aloneP95: percentile(aloneTimes, 95),
      float32P50: baseline ? percentile(floatTimes, 50) : null,
      float32P95: baseline ? percentile(floatTimes, 95) : null,
      scanAndRerankP50: served.length ? percentile(served, 50) : null,
      scanAndRerankP95: served.length ? percentile(served, 95) : null,
      identical,
    });
    console.log(rows.at(-1)!.join(' | '));
    baseline?.free();
  }
}
await client?.end();
if (flags.json) await writeFile(flags.json, `${JSON.stringify({ machine: machine(), k, queries, records }, null, 2)}\n`);
console.log(`\n${machine()}\n`);
console.log(
  table(
    ['catalog', 'products', '6th nearest / median pair', 'int8 index MiB (reserved / RSS)', 'partition s / longest pause ms / blocks', 'float32 MiB', 'int8 p50 ms', 'int8 p95 ms', 'int8 read alone p50 / p95 ms', 'float32 p50 ms', 'float32 p95 ms', 'p50 ratio', 'candidates int8', 'candidates float32', 're-rank p50 ms', 'scan + re-rank p50 / p95 ms', 'pgvector scan p50 ms', 'identical'],
    rows,
  ),
);

/** Today's index before this change: float32 rows, the full scan, candidates without radii. */
function float32Table(size: number, vectorOf: (i: number, into: Float32Array) => void) {
  const rowBytes = Math.ceil((dimensions * 4) / 64) * 64;
  const bytes = rowBytes * (size + 1) + size * 4;
  const memory = new webAssembly.Memory({ initial: Math.ceil(bytes / 65_536), maximum: Math.ceil(bytes / 65_536), shared: true });
  const kernel = createL2Kernel(memory);
  const ids = Int32Array.from({ length: size }, (_, i) => i + 1);
  for (let i = 0; i < size; i++) vectorOf(i, new Float32Array(memory.buffer, (i + 1) * rowBytes, dimensions));
  const out = rowBytes * (size + 1);
  let held: typeof memory | undefined = memory;
  return {
    candidates(query: Float32Array, exclude: number) {
      new Float32Array(held!.buffer, 0, dimensions).set(query);
      kernel.squaredDistances(0, rowBytes, size, rowBytes, out);
      return candidates({ distances: new Float32Array(held!.buffer, out, size), ids }, k, dimensions, exclude);
    },
    free() {
      held = undefined;
    },
  };
}
