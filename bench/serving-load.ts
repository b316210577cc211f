// Throughput of similarProducts under load: autocannon,
// 32 connections for 30 s on loopback, against the service run as `src/main.ts`
// in a process of its own on the embedded PGlite, with a catalog of synthetic
// products and a head trained on them (one epoch: the space is what matters).
// Three runs: the baseline, `{ __typename }`, the GraphQL server with no data
// work; similarProducts on random products; and similarProducts while an
// import adds real photos through the API (ResNet50 and the head run in the
// service for each).
//
//   node --import tsx bench/serving-load.ts [--products 10000] [--connections 32] [--seconds 30] [--batch 8] [--seed 1]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { autocannon, type LoadResult } from './autocannon.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { graphql } from '../harness/graphql-client.js';
import { seededRandom } from '../harness/vectors.js';
import { positiveInteger } from './flags.js';
import { importUntil } from './photo-import.js';
import { buildSyntheticCatalog } from './synthetic-catalog.js';
import { machine, ms, ratio, table } from './table.js';

const { values: flags } = parseArgs({
  options: {
    products: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '30' },
    batch: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
  },
});
const products = positiveInteger(flags, 'products');
const connections = positiveInteger(flags, 'connections');
const seconds = positiveInteger(flags, 'seconds');
const batch = positiveInteger(flags, 'batch');
const random = seededRandom(Number(flags.seed));

const SIMILAR = `query ($id: ID!) { similarProducts(id: $id, k: 6) { space neighbours { rank distance product { id sku name category } } } }`;
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

const root = await mkdtemp(join(tmpdir(), 'lookalike-load-'));
console.log(`${machine()}\n${products} products, ${connections} connections, ${seconds} s a run\n`);

/** The service as `npm start` runs it, in a process of its own. */
async function startService(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, DATA_DIR: root, PORT: '0', IMAGE_CACHE_BYTES: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Every line is read to the end: a full pipe would block the service.
  const url = await new Promise<string | undefined>((resolve) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /GraphQL API at ([^"\s]+)/.exec(line);
      if (match) resolve(match[1]);
    });
    lines.on('close', () => resolve(undefined));
  });
  if (!url) throw new Error('the service exited before it listened');
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

function load(url: string, body: () => string): Promise<LoadResult> {
  return autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request: object) => ({ ...request, body: body() }) }],
    verifyBody: (text: string) => !text.includes('"errors"'),
  });
}

try {
  const ids = await buildSyntheticCatalog({ DATA_DIR: root }, products, random, console.log);
  const [firstId, lastId] = [ids[0]!, ids.at(-1)!];
  const service = await startService();
  try {
    const similar = () => JSON.stringify({ query: SIMILAR, variables: { id: String(firstId + Math.floor(random() * (lastId - firstId + 1))) } });
    const warmUp = await graphql(service.url, SIMILAR, { id: String(firstId) });
    if (warmUp.errors) throw new Error(`similarProducts failed: ${JSON.stringify(warmUp.errors)}`);

    const baseline = await load(service.url, () => JSON.stringify({ query: '{ __typename }' }));
    const idle = await load(service.url, similar);
    let stop = false;
    const importing = importUntil(service.url, () => stop, batch, Number(flags.seed));
    const busy = await load(service.url, similar);
    stop = true;
    const imported = await importing;
    // The service's index must have followed the import: its products are found and rank among themselves.
    const last = await graphql(service.url, SIMILAR, { id: imported.ids.at(-1) });
    if (last.errors) throw new Error(`an imported product is not served: ${JSON.stringify(last.errors)}`);

    const errors = (r: LoadResult) => r.errors + r.timeouts + r.non2xx + r.mismatches;
    const row = (name: string, r: LoadResult) => [
      name,
      Math.round(r.requests.average),
      ms(r.latency.p50),
      ms(r.latency.p99),
      errors(r),
      ratio(r.requests.average, baseline.requests.average),
      ratio(r.requests.average, idle.requests.average),
    ];
    console.log(`\n${machine()}\n`);
    console.log(
      table(
        ['run', 'requests/s', 'p50 ms', 'p99 ms', 'errors', 'vs baseline', 'vs idle'],
        [
          row('{ __typename } (baseline)', baseline),
          row('similarProducts', idle),
          row(`similarProducts during an import`, busy),
        ],
        'numbers',
      ),
    );
    const imports = imported.ids.length;
    const fromImport = last.data.similarProducts.neighbours.filter((n: { product: { sku: string } }) => n.product.sku.startsWith('import-'));
    console.log(
      `\nthe import added ${imports} products in ${imported.seconds.toFixed(1)} s ` +
        `(${(imports / imported.seconds).toFixed(1)} products/s, batches of ${batch} through addProducts); ` +
        `the last one is served, with ${fromImport.length} of its 6 neighbours from the import`,
    );
  } finally {
    await service.stop();
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
