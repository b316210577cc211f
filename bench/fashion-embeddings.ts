// The real embeddings bench/serving-scale.ts measures on: all 70,000
// Fashion-MNIST images imported through the service's own path (decode,
// ResNet50, the embedded database) and a head trained on them with the
// method's hyperparameters, then the active model version's standardized
// 512-d embeddings written out in train-then-test order, float32
// little-endian, beside a JSON note of how long each step took. Hours on a
// 2-core machine: its data folder lives outside the repository, and a run
// stopped part way goes on where it stopped (the import skips the skus it
// has; training is skipped once a model version is active).
//
//   node --import tsx bench/fashion-embeddings.ts [--data-dir ~/.cache/lookalike/fashion-mnist-70k/data]
//     [--out ~/.cache/lookalike/fashion-mnist-70k/embeddings-512.f32] [--epochs 32]
// (FEATURE_WORKERS=2 in the environment imports on both cores.)
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.js';
import { fromVector } from '../src/db/vector.js';

const cache = join(homedir(), '.cache/lookalike/fashion-mnist-70k');
const { values: flags } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: join(cache, 'data') },
    out: { type: 'string', default: join(cache, 'embeddings-512.f32') },
    epochs: { type: 'string', default: '32' },
  },
});
const dataDir = flags['data-dir'];
const IMAGES = { train: 60_000, test: 10_000 };

/** The project's command line, in the data folder, its output shown as it goes. */
function lookalike(...args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      stdio: 'inherit',
      env: { ...process.env, DATA_DIR: dataDir },
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`lookalike ${args.join(' ')} exited with ${code}`))));
  });
}

async function activeVersion(): Promise<number | undefined> {
  const database = await openDatabase({ pgliteDataDir: join(dataDir, 'pglite') });
  try {
    const row = await database.db.selectFrom('model_versions').select('id').where('active', '=', true).executeTakeFirst();
    return row?.id;
  } finally {
    await database.close();
  }
}

const seconds: Record<string, number> = {};
seconds.importTrain = await lookalike('import', 'idx', '--split', 'train');
seconds.importTest = await lookalike('import', 'idx', '--split', 'test');
if ((await activeVersion()) === undefined) seconds.train = await lookalike('train', '--epochs', flags.epochs);

const database = await openDatabase({ pgliteDataDir: join(dataDir, 'pglite') });
const embeddings = new Float32Array((IMAGES.train + IMAGES.test) * 512);
const { rows } = await sql<{ sku: string; embedding: string }>`
  select p.sku, e.embedding::text as embedding
  from embeddings e join products p on p.id = e.product_id
  join model_versions m on m.id = e.model_version_id and m.active`.execute(database.db);
let written = 0;
for (const { sku, embedding } of rows) {
  const match = /^fashion-mnist\/(train|test)\/(\d+)$/.exec(sku);
  if (!match) continue;
  const index = (match[1] === 'train' ? 0 : IMAGES.train) + Number(match[2]);
  embeddings.set(fromVector(embedding), index * 512);
  written++;
}
await database.close();
if (written !== IMAGES.train + IMAGES.test) throw new Error(`${written} embeddings of Fashion-MNIST's ${IMAGES.train + IMAGES.test} images`);
await mkdir(dirname(flags.out), { recursive: true });
await writeFile(flags.out, embeddings);
await writeFile(`${flags.out}.json`, `${JSON.stringify({ written: new Date().toISOString(), epochs: Number(flags.epochs), seconds }, null, 2)}\n`);
console.log(`${written} embeddings written to ${flags.out}; seconds: ${JSON.stringify(seconds)}`);
