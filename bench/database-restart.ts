// A real Postgres restarted under load: two API processes
// (src/main.ts, as deployed) share one database while clients query
// similarProducts and add products through both; the server's own restart
// command runs mid-way. It reports the requests that failed and how, how long
// until both APIs answer again, that neither process exited, that every
// acknowledged write is stored exactly once, and that a write through one API
// after the return reaches the other's search index. Requests/s before the
// restart are the baseline of those during and after it.
//
// The server is the operator's: this only takes a URL and a command. With no
// --database-url it creates a fresh database on --server (pgvector must be
// installed there) and drops it at the end.
//
//   node --import tsx bench/database-restart.ts --restart "<command that restarts the server>"
//     [--server postgres://postgres@127.0.0.1:5433] [--database-url URL]
//     [--readers 2] [--writers 1] (each, per API) [--warmup 5] [--before 10] [--after 10] [--recovery-limit 120]
import { exec } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { startApi, type ApiProcess } from '../harness/api-process.js';
import { readPhoto } from '../harness/photos.js';
import { positiveInteger } from './flags.js';
import { freshDatabase } from './fresh-database.js';
import { machine, ms, ratio, table } from './table.js';

const DEFAULT_RESTART =
  `su postgres -c '/usr/lib/postgresql/15/bin/pg_ctl -D /work/pgsrc/data -o "-p 5433 -k /tmp" -l /work/pgsrc/data/pg.log restart -m fast'`;

const { values: flags } = parseArgs({
  options: {
    restart: { type: 'string', default: DEFAULT_RESTART },
    server: { type: 'string', default: 'postgres://postgres@127.0.0.1:5433' },
    'database-url': { type: 'string' },
    readers: { type: 'string', default: '2' },
    writers: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '5' },
    before: { type: 'string', default: '10' },
    after: { type: 'string', default: '10' },
    'recovery-limit': { type: 'string', default: '120' },
  },
});
const readers = positiveInteger(flags, 'readers');
const writers = positiveInteger(flags, 'writers');
const warmupSeconds = positiveInteger(flags, 'warmup');
const beforeSeconds = positiveInteger(flags, 'before');
const afterSeconds = positiveInteger(flags, 'after');
const recoveryLimitSeconds = positiveInteger(flags, 'recovery-limit');

/** A client gives up on an answer after this long and counts the request failed. */
const CLIENT_TIMEOUT_MS = 60_000;
const SIMILAR = `query ($id: ID!) { similarProducts(id: $id, k: 6) { neighbours { distance product { id sku } } } }`;
const ADD = `mutation ($input: AddProductInput!) { addProduct(input: $input) { product { id sku } } }`;
const PAGE = `query ($after: String) { products(first: 500, after: $after) { edges { node { sku } } pageInfo { hasNextPage endCursor } } }`;

interface Outcome {
  api: 'A' | 'B';
  kind: 'read' | 'write';
  sku?: string;
  started: number;
  ended: number;
  /** undefined when it succeeded: the GraphQL code, else what the client saw. */
  code?: string;
}

const token = randomBytes(24).toString('hex');

async function call(url: string, query: string, variables: Record<string, unknown>): Promise<{ data?: any; code?: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const { data, errors } = (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
    return errors ? { code: String(errors[0]!.extensions?.code ?? `HTTP ${response.status}`) } : { data };
  } catch (error) {
    return { code: error instanceof Error && error.name === 'TimeoutError' ? 'client timeout' : 'no HTTP answer' };
  }
}

/** Small crops of a real photograph, one per write: distinct features, quick to decode. */
async function photoCrops(): Promise<(n: number) => Promise<string>> {
  const photo = await readPhoto('chelsea.png');
  const { width, height } = await sharp(photo).metadata();
  return async (n) => {
    const size = 96;
    const left = (n * 37) % (width! - size);
    const top = (n * 53) % (height! - size);
    const crop = await sharp(photo).extract({ left, top, width: size, height: size }).resize(48).png().toBuffer();
    return crop.toString('base64');
  };
}

async function untilReady(api: ApiProcess): Promise<string> {
  const url = await api.ready;
  for (;;) {
    const response = await fetch(new URL('/readyz', url)).catch(() => undefined);
    if (response?.ok) return url;
    if (!api.running()) throw new Error(`the API exited:\n${api.lines.join('\n')}`);
    await sleep(250);
  }
}

async function allSkus(url: string): Promise<string[]> {
  const skus: string[] = [];
  for (let after: string | null = null; ; ) {
    const { data, code } = await call(url, PAGE, { after });
    if (code) throw new Error(`listing the catalog failed: ${code}`);
    skus.push(...data.products.edges.map((edge: any) => edge.node.sku));
    if (!data.products.pageInfo.hasNextPage) return skus;
    after = data.products.pageInfo.endCursor;
  }
}

function runRestart(command: string): Promise<{ started: number; ended: number; code: number; output: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    exec(command, (error, stdout, stderr) => {
      resolve({ started, ended: performance.now(), code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}`.trim() });
    });
  });
}

const database = flags['database-url'] ? { url: flags['database-url'], drop: async () => {} } : await freshDatabase(flags.server, 'lookalike_restart');
const env = { DATABASE_URL: database.url, ADMIN_TOKEN: token };
// The first migrates; the second then finds the schema there.
const apis: Partial<Record<'A' | 'B', ApiProcess>> = {};
try {
  apis.A = startApi(env);
  const urlA = await untilReady(apis.A);
  apis.B = startApi(env);
  const urlB = await untilReady(apis.B);
  await report({ A: urlA, B: urlB }, { A: apis.A, B: apis.B });
} finally {
  for (const api of Object.values(apis)) await api.stop();
  await database.drop();
}

async function report(urls: Record<'A' | 'B', string>, apis: Record<'A' | 'B', ApiProcess>): Promise<void> {
  const crop = await photoCrops();
  const seedImage = await crop(0);
  const seeded = await call(urls.A, ADD, { input: { sku: 'seed', name: 'seed', image: seedImage } });
  if (seeded.code) throw new Error(`the first product could not be added: ${seeded.code}`);
  const seedId = seeded.data.addProduct.product.id as string;

  const outcomes: Outcome[] = [];
  let stopping = false;
  let written = 0;
  async function writer(api: 'A' | 'B'): Promise<void> {
    while (!stopping) {
      const n = ++written;
      const sku = `w${n}`;
      const image = await crop(n);
      const started = performance.now();
      const { code } = await call(urls[api], ADD, { input: { sku, name: sku, image } });
      outcomes.push({ api, kind: 'write', sku, started, ended: performance.now(), code });
    }
  }
  async function reader(api: 'A' | 'B'): Promise<void> {
    while (!stopping) {
      const started = performance.now();
      const { code } = await call(urls[api], SIMILAR, { id: seedId });
      outcomes.push({ api, kind: 'read', started, ended: performance.now(), code });
    }
  }
  const load = Promise.all(
    (['A', 'B'] as const).flatMap((api) => [
      ...Array.from({ length: readers }, () => reader(api)),
      ...Array.from({ length: writers }, () => writer(api)),
    ]),
  );

  await sleep(warmupSeconds * 1000);
  const baselineFrom = performance.now();
  await sleep(beforeSeconds * 1000);
  const loadBefore = loadavg();
  const restart = await runRestart(flags.restart);
  if (restart.code !== 0) console.error(`the restart command exited with ${restart.code}:\n${restart.output}`);

  const recoveredAt = (api: 'A' | 'B'): number | undefined => {
    const own = outcomes.filter((o) => o.api === api && o.ended >= restart.started);
    const lastFailure = Math.max(-Infinity, ...own.filter((o) => o.code).map((o) => o.started));
    const anchor = Math.max(restart.ended, lastFailure);
    const answers = own.filter((o) => !o.code && o.started >= anchor).map((o) => o.ended);
    return answers.length > 0 ? Math.min(...answers) : undefined;
  };
  const limit = restart.ended + recoveryLimitSeconds * 1000;
  while ((recoveredAt('A') === undefined || recoveredAt('B') === undefined) && performance.now() < limit) await sleep(100);
  const recovered = Math.max(recoveredAt('A') ?? Infinity, recoveredAt('B') ?? Infinity);
  await sleep(afterSeconds * 1000);
  stopping = true;
  await load;
  const loadEnded = Math.max(...outcomes.map((o) => o.ended));

  // After the return, a write through A reaches B's search index: the seed's
  // image again, so it is B's nearest neighbour of the seed at distance 0.
  const twin = await call(urls.A, ADD, { input: { sku: 'twin', name: 'twin', image: seedImage } });
  const twinWritten = performance.now();
  let seenByB: number | undefined;
  while (!twin.code && performance.now() < twinWritten + 30_000) {
    const { data } = await call(urls.B, SIMILAR, { id: seedId });
    const nearest = data?.similarProducts.neighbours[0];
    if (nearest?.product.sku === 'twin' && nearest.distance === 0) {
      seenByB = performance.now() - twinWritten;
      break;
    }
    await sleep(50);
  }

  const stored = await allSkus(urls.B);
  const storedCount = new Map<string, number>();
  for (const sku of stored) storedCount.set(sku, (storedCount.get(sku) ?? 0) + 1);
  const writes = outcomes.filter((o) => o.kind === 'write');
  const acknowledged = writes.filter((o) => !o.code);
  const onceStored = acknowledged.filter((o) => storedCount.get(o.sku!) === 1).length;
  const missing = acknowledged.filter((o) => !storedCount.has(o.sku!)).length;
  const duplicated = [...storedCount.values()].filter((count) => count > 1).length;
  const failedButStored = writes.filter((o) => o.code && storedCount.has(o.sku!)).length;

  const phases: [string, number, number][] = [
    ['before the restart (baseline)', baselineFrom, restart.started],
    ['restart until both answer again', restart.started, Math.min(recovered, loadEnded)],
    ['after', Math.min(recovered, loadEnded), loadEnded],
  ];
  const baselineRate = rate(outcomes, baselineFrom, restart.started);
  const phaseRows = phases.map(([name, from, to]) => {
    const inPhase = outcomes.filter((o) => o.ended >= from && o.ended < to);
    const ok = inPhase.filter((o) => !o.code);
    const seconds = (to - from) / 1000;
    return [
      name,
      seconds.toFixed(1),
      ok.filter((o) => o.kind === 'read').length,
      ok.filter((o) => o.kind === 'write').length,
      inPhase.length - ok.length,
      (ok.length / seconds).toFixed(1),
      ratio(ok.length / seconds, baselineRate),
    ];
  });

  const failed = outcomes.filter((o) => o.code);
  const byCode = new Map<string, { read: number; write: number }>();
  for (const o of failed) {
    const counts = byCode.get(o.code!) ?? { read: 0, write: 0 };
    counts[o.kind]++;
    byCode.set(o.code!, counts);
  }
  const okBefore = outcomes.filter((o) => !o.code && o.ended >= baselineFrom && o.ended < restart.started).map((o) => o.ended - o.started).sort((a, b) => a - b);
  const medianBefore = okBefore[Math.floor(okBefore.length / 2)] ?? NaN;
  const slowestFailed = Math.max(0, ...failed.map((o) => o.ended - o.started));
  const seconds = (t: number | undefined) => (t === undefined || !Number.isFinite(t) ? `not within ${recoveryLimitSeconds} s` : ((t - restart.started) / 1000).toFixed(2));

  console.log(`${machine(loadBefore)}; ${new Date().toISOString()}`);
  console.log(`restart: ${flags.restart}`);
  console.log(
    `clients: ${readers} similarProducts reader(s) and ${writers} addProduct writer(s) per API, closed loop; ` +
      `${warmupSeconds} s warm-up, ${beforeSeconds} s before the restart, ${afterSeconds} s after both answer again\n`,
  );
  console.log(table(['phase', 'seconds', 'reads ok', 'writes ok', 'failed', 'ok/s', 'vs before'], phaseRows));
  console.log();
  console.log(
    table(['figure', 'value', 'baseline'], [
      ['restart command, s (exit code)', `${((restart.ended - restart.started) / 1000).toFixed(2)} (${restart.code})`, ''],
      ['API A answers again, s after the restart began', seconds(recoveredAt('A')), ''],
      ['API B answers again, s after the restart began', seconds(recoveredAt('B')), ''],
      ['requests failed, of all', `${failed.length} of ${outcomes.length}`, ''],
      ...[...byCode].map(([code, { read, write }]) => [`failed with ${code}: reads / writes`, `${read} / ${write}`, ''] as const),
      ['slowest failed answer, ms', failed.length ? ms(slowestFailed) : 'none failed', `${ms(medianBefore)} (median answer before)`],
      ['API processes exited', (['A', 'B'] as const).filter((api) => !apis[api].running()).join(', ') || 'none', ''],
      ['writes acknowledged / stored exactly once', `${acknowledged.length} / ${onceStored}`, ''],
      ['acknowledged but missing; skus stored twice', `${missing}; ${duplicated}`, ''],
      ['writes failed / stored even so', `${writes.length - acknowledged.length} / ${failedButStored}`, ''],
      ['write via A after the return seen by B, s', twin.code ? `write failed: ${twin.code}` : seenByB === undefined ? 'not within 30 s' : (seenByB / 1000).toFixed(2), ''],
    ]),
  );
}

function rate(outcomes: readonly Outcome[], from: number, to: number): number {
  return outcomes.filter((o) => !o.code && o.ended >= from && o.ended < to).length / ((to - from) / 1000);
}
