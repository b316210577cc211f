import { openDatabase } from './src/db/database.js';
import { migrate } from './src/db/migrator.js';
import { Store } from './src/db/store.js';
import { sql } from 'kysely';
const n = Number(process.argv[2] ?? 10000);
const database = await openDatabase({ pgliteDataDir: 'memory://' });
await migrate(database.db); if (process.argv[3] === 'plain') await sql`alter table embeddings alter column embedding set storage plain`.execute(database.db);
const store = new Store(database.db);
const zero = new Float32Array(2048);
let t = performance.now();
const ids: number[] = [];
for (let i = 0; i < n; i += 1000) {
  const rows = await store.products.insertMany(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ sku: `s${i + j}`, name: 'x', category: null, thumbnail: new Uint8Array(1), imageWidth: 1, imageHeight: 1, features: zero })));
  ids.push(...rows.map((r) => r.id));
}
console.log('products', (performance.now() - t).toFixed(0), 'ms');
const { resolveHyperparameters } = await import('./src/training/hyperparameters.js');
const run = await store.trainingRuns.create(resolveHyperparameters());
await store.trainingRuns.fail(run.id, 'x');
const scaler = (k: number) => ({ mean: new Float32Array(k), scale: new Float32Array(k).fill(1) });
const v = await store.modelVersions.create({ trainingRunId: run.id, classes: ['a'], head: { weights: new Uint8Array(4), layout: [] }, featureScaler: scaler(2048), embeddingScaler: scaler(512) });
t = performance.now();
for (let i = 0; i < n; i += 1000) {
  await store.embeddings.insertMany(v, ids.slice(i, i + 1000).map((productId) => ({ productId, predictedCategory: 'a', embedding: Float32Array.from({ length: 512 }, () => Math.round((Math.random() * 2 - 1) * 1024) / 256) })));
}
console.log('embeddings', (performance.now() - t).toFixed(0), 'ms');
t = performance.now();
let count = 0, bytes = 0;
for (let after = 0; ; ) {
  const rows = await sql<{ id: number; v: Uint8Array }>`select product_id as id, vector_send(embedding) as v from embeddings where model_version_id = ${v} and product_id > ${after} order by product_id limit 5000`.execute(database.db);
  if (rows.rows.length === 0) break;
  count += rows.rows.length; bytes += rows.rows.reduce((s, r) => s + r.v.length, 0);
  after = rows.rows.at(-1)!.id;
}
console.log('load', count, bytes, (performance.now() - t).toFixed(0), 'ms');
t = performance.now();
const q = `[${Array.from({ length: 512 }, () => 0.5).join(',')}]`;
for (let i = 0; i < 3; i++) await sql`select product_id from embeddings where model_version_id = ${v} order by embedding <-> ${q}, product_id limit 6`.execute(database.db);
console.log('pgvector exact', ((performance.now() - t) / 3).toFixed(0), 'ms');
console.log(process.memoryUsage());
await database.close();
