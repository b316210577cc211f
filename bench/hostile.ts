// The hostile requests against one server: the service runs as
// `src/main.ts` in a process of its own (embedded PGlite in a temporary
// folder, an admin token set) with a small catalog of real photos. A
// well-behaved client measures similarProducts latency alone (the baseline),
// then again while hostile clients send every request of the list in a loop;
// meanwhile the server's RSS is sampled from /proc and /healthz is polled,
// idle and under attack. The catalog is --per-category crops of each of the
// two photos (300 or more lets a nearDuplicates page scan its 200 products).
// Prints what each hostile request got (HTTP status, code, seconds), the RSS
// peak and the well-behaved p99 while it was in flight, /healthz failures
// and latency, and the well-behaved p50/p99 under attack beside the
// baseline. --only keeps the hostile requests whose name contains it;
// --well-behaved similarToImage makes the well-behaved client a photo search
// (a JPEG of the catalog), which waits in the same decode queue as the attack.
//
//   node --import tsx bench/hostile.ts [--seconds 60] [--hostile-clients 1] [--per-category 12] [--only <part of a name>]
//     [--well-behaved similarToImage] [--port 4391]
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { photoCatalog } from '../harness/photo-catalog.js';
import { positiveInteger } from './flags.js';
import { machine, ms, ratio, table } from './table.js';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    'hostile-clients': { type: 'string', default: '1' },
    'per-category': { type: 'string', default: '12' },
    only: { type: 'string', default: '' },
    port: { type: 'string', default: '4391' },
    out: { type: 'string', default: 'bench/results/hostile.json' },
    'well-behaved': { type: 'string', default: 'similarProducts' },
  },
});
if (!['similarProducts', 'similarToImage'].includes(flags['well-behaved']!)) throw new Error('--well-behaved is similarProducts or similarToImage');
const seconds = positiveInteger(flags, 'seconds');
const hostileClients = positiveInteger(flags, 'hostile-clients');
const perCategory = positiveInteger(flags, 'per-category');
const port = positiveInteger(flags, 'port');
const url = `http://127.0.0.1:${port}`;
const TOKEN = 'hostile-bench-admin-token-0123456789';
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Answer {
  status: number;
  code: string;
  seconds: number;
}

async function post(body: string | Uint8Array | ReadableStream, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Answer> {
  const began = performance.now();
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal, duplex: 'half' } as RequestInit);
    const text = await response.text();
    let code = 'ok';
    try {
      const json = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
      code = json.errors?.[0]?.extensions?.code ?? 'ok';
    } catch {
      code = `non-JSON (${text.slice(0, 40)})`;
    }
    return { status: response.status, code, seconds: (performance.now() - began) / 1000 };
  } catch (error) {
    return { status: 0, code: `fetch failed: ${(error as Error).message}`, seconds: (performance.now() - began) / 1000 };
  }
}

/** Declares a 1 GB body and sends its first bytes: the answer must come before the rest. */
function overLimit(): Promise<Answer> {
  const began = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', 'content-length': 1 << 30 } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const code = (JSON.parse(text) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code;
        resolve({ status: res.statusCode!, code, seconds: (performance.now() - began) / 1000 });
        req.destroy();
      });
    });
    req.on('error', () => {});
    req.write('{"query":"');
  });
}

/** Declares a body it never sends, and holds the connection until the server ends it (or 30 s pass). */
function idleBody(declared: number, contentType: string): Promise<Answer> {
  const began = performance.now();
  return new Promise((resolve) => {
    const done = (status: number, code: string) => {
      resolve({ status, code, seconds: (performance.now() - began) / 1000 });
      req.destroy();
    };
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': contentType, 'content-length': declared } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => done(res.statusCode!, (JSON.parse(text) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code));
    });
    req.on('error', (error: NodeJS.ErrnoException) => done(0, `socket ${error.code ?? error.message}`));
    req.flushHeaders();
    setTimeout(() => done(0, 'still held after 30 s'), 30_000);
  });
}

/** A body of `bytes` sent as fast as the server reads it. */
function largeBody(bytes: number, contentType = 'application/json'): Promise<Answer> {
  const chunk = Buffer.alloc(1 << 20, 0x5b);
  const body = new ReadableStream({
    start(controller) {
      for (let sent = 0; sent < bytes; sent += chunk.length) controller.enqueue(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
      controller.close();
    },
  });
  return post(body as never, { 'content-type': contentType });
}

const gql = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
const aliases = (n: number, field: string) => gql(`{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`);

/** A page that holds one pair and scans up to 200 products when there is none: 200 searches. */
const ONE_PAIR = 'nearDuplicates(maxDistance: 0, first: 1) { edges { node { distance } } }';

/** Sends `count` requests at once; the slowest answer. */
async function slowest(count: number, send: () => Promise<Answer>): Promise<Answer> {
  const answers = await Promise.all(Array.from({ length: count }, send));
  return answers.reduce((a, b) => (b.seconds > a.seconds ? b : a));
}

/** A side x side 16-bit RGBA PNG: flat, so it is small on the wire and huge decoded. */
async function pngBomb(side: number): Promise<string> {
  const png = await sharp({ create: { width: side, height: side, channels: 4, background: { r: 200, g: 10, b: 10, alpha: 1 } } })
    .toColourspace('rgb16')
    .png({ compressionLevel: 9 })
    .toBuffer();
  return png.toString('base64');
}

// The issue's bomb (8192^2, over the pixel limit) and the largest one within it.
const bomb = await pngBomb(8192);
const withinLimit = await pngBomb(7000);
const wide = (await sharp({ create: { width: 20000, height: 8, channels: 3, background: '#888' } }).png().toBuffer()).toString('base64');
const small = (await sharp({ create: { width: 64, height: 64, channels: 3, background: '#4a7' } }).png().toBuffer()).toString('base64');
const auth = { authorization: `Bearer ${TOKEN}` };
/** Flat 12-bit AVIFs: a kilobyte or two that libheif decodes in full (7071^2: the issue's, 6.7 s and 1.2 GB). */
const avif = async (side: number) =>
  (await sharp({ create: { width: side, height: side, channels: 3, background: '#c86432' } }).avif({ bitdepth: 12, effort: 0 }).toBuffer()).toString('base64');
const issueAvif = await avif(7071);
const largestAvif = await avif(4096);

// Built once: made per request, they would stall this process's own well-behaved client and /healthz probe.
const nestedArrays = Buffer.from(`{"query":"{ __typename }","variables":{"v":${'['.repeat(25_000_000)}${']'.repeat(25_000_000)}}}`);
const manyNumbers = Buffer.from(`{"query":"{ __typename }","variables":{"v":[${'1,'.repeat(7_000_000)}1]}}`);

const ALL_HOSTILE: { name: string; send(): Promise<Answer> }[] = [
  { name: '32 aliases of similarToImage, 8192^2 16-bit PNG', send: () => post(aliases(32, `similarToImage(image: "${bomb}") { space }`)) },
  { name: '32 aliases of similarToImage, 7000^2 16-bit PNG', send: () => post(aliases(32, `similarToImage(image: "${withinLimit}") { space }`)) },
  {
    name: '30 aliases of similarToImage on one 7000^2 PNG variable',
    send: () =>
      post(gql(`query ($i: String!) { ${Array.from({ length: 30 }, (_, i) => `a${i}: similarToImage(image: $i) { space }`).join(' ')} }`, { i: withinLimit })),
  },
  {
    name: 'addProducts of 32 copies of the 8192^2 PNG (token)',
    send: () =>
      post(
        gql('mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id } } }', {
          inputs: Array.from({ length: 32 }, (_, i) => ({ sku: `bomb-${Math.random()}-${i}`, name: 'bomb', image: bomb })),
        }),
        auth,
      ),
  },
  { name: '120 aliases of products(first: 500) thumbnails', send: () => post(aliases(120, 'products(first: 500) { edges { node { thumbnail } } }')) },
  { name: '400 aliases of products(first: 500) thumbnails', send: () => post(aliases(400, 'products(first: 500) { edges { node { thumbnail } } }')) },
  { name: '30 aliases of similarToImage, 7071^2 12-bit AVIF (1.5 KB)', send: () => post(aliases(30, `similarToImage(image: "${issueAvif}") { space }`)) },
  { name: '30 aliases of similarToImage, 4096^2 12-bit AVIF', send: () => post(aliases(30, `similarToImage(image: "${largestAvif}") { space }`)) },
  {
    name: '30 aliases of the 4096^2 12-bit AVIF, client gone after 1 s',
    send: () => post(aliases(30, `similarToImage(image: "${largestAvif}") { space }`), {}, AbortSignal.timeout(1000)),
  },
  { name: '500 aliases of similarToImage (64 px)', send: () => post(aliases(500, `similarToImage(image: "${small}") { space }`)) },
  { name: '4 requests at once of 30 aliases of nearDuplicates(maxDistance: 0, first: 1)', send: () => slowest(4, () => post(aliases(30, ONE_PAIR))) },
  { name: '4 requests at once of one nearDuplicates(maxDistance: 0, first: 1) page', send: () => slowest(4, () => post(aliases(1, ONE_PAIR))) },
  { name: '50,000 aliases of service { catalogSize }', send: () => post(aliases(50_000, 'service { catalogSize }')) },
  { name: 'deleteProduct without the token', send: () => post(gql('mutation { deleteProduct(id: "1") { id } }')) },
  { name: 'deleteProduct from a foreign origin', send: () => post(gql('mutation { deleteProduct(id: "1") { id } }'), { origin: 'https://evil.example' }) },
  {
    name: 'NUL in a sku (token)',
    send: () => post(gql('mutation ($i: AddProductInput!) { addProduct(input: $i) { product { id } } }', { i: { sku: 'a\u0000b', name: 'x', image: small } }), auth),
  },
  {
    name: 'lone surrogate in a sku (token)',
    send: () => post(gql('mutation ($i: AddProductInput!) { addProduct(input: $i) { product { id } } }', { i: { sku: 'a\ud800b', name: 'x', image: small } }), auth),
  },
  { name: 'cursor past 2^31-1', send: () => post(gql('query ($a: String) { products(after: $a) { totalCount } }', { a: Buffer.from('product:99999999999').toString('base64url') })) },
  { name: 'a 20000 x 8 px image', send: () => post(gql('query ($i: String!) { similarToImage(image: $i) { space } }', { i: wide })) },
  { name: 'a body declared over the limit', send: () => overLimit() },
  { name: 'an idle connection declaring a 60 MiB multipart body', send: () => idleBody(60 << 20, 'multipart/form-data; boundary=x') },
  { name: 'an idle connection declaring a 14 MiB JSON body', send: () => idleBody(14 << 20, 'application/json') },
  { name: 'a 400 MiB body, streamed', send: () => largeBody(400 << 20) },
  { name: 'a 50 MB variable of nested arrays', send: () => post(nestedArrays) },
  { name: '14 MB of numbers in a variable', send: () => post(manyNumbers) },
];

const HOSTILE = ALL_HOSTILE.filter((request) => request.name.includes(flags.only!));
if (HOSTILE.length === 0) throw new Error(`no hostile request's name holds "${flags.only}"`);

const root = await mkdtemp(join(tmpdir(), 'lookalike-hostile-'));
const server = spawn(process.execPath, ['--import', 'tsx', MAIN], {
  env: { ...process.env, DATA_DIR: join(root, 'data'), PORT: String(port), HOST: '127.0.0.1', ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'error' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));

async function rssMb(): Promise<number> {
  const status = await readFile(`/proc/${server.pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

try {
  for (const started = Date.now(); ; ) {
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() - started > 120_000) throw new Error('the server did not become ready in 2 minutes');
    await new Promise((r) => setTimeout(r, 250));
  }
  const catalog = await photoCatalog(perCategory);
  const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  // 16 photos in base64 stay well within the JSON body limit (one image in base64 + 1 MiB).
  for (let from = 0; from < catalog.length; from += 16) {
    const added = await post(
      gql('mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id } } }', {
        inputs: catalog.slice(from, from + 16).map((p) => ({ ...p, image: Buffer.from(p.image as Uint8Array).toString('base64') })),
      }),
      auth,
    );
    if (added.code !== 'ok') throw new Error(`could not add the catalog: ${added.status} ${added.code}`);
  }
  const similar = (id: number) => gql(`{ similarProducts(id: "${id}", k: 6) { neighbours { distance product { id sku category } } } }`);
  const photos = await Promise.all(catalog.map(async (p) => (await sharp(p.image as Uint8Array).jpeg().toBuffer()).toString('base64')));
  const photoSearch = (i: number) => gql('query ($i: String!) { similarToImage(image: $i, k: 6) { neighbours { distance } } }', { i: photos[i % photos.length] });
  const wellBehavedRequest = flags['well-behaved'] === 'similarToImage' ? photoSearch : (i: number) => similar(1 + (i % catalog.length));

  // What was in flight when: each RSS sample and well-behaved request is charged to the hostile requests in flight then.
  const inFlight = new Map<string, number>();
  const casePeakRss = new Map<string, number>();
  const caseLatencies = new Map<string, number[]>();
  const wellBehaved = async (until: number, during?: Map<string, number>): Promise<number[]> => {
    const latencies: number[] = [];
    while (Date.now() < until) {
      const hostile = [...(during?.keys() ?? [])];
      const answer = await post(wellBehavedRequest(latencies.length));
      if (answer.code !== 'ok') throw new Error(`the well-behaved client got ${answer.status} ${answer.code}`);
      latencies.push(answer.seconds * 1000);
      for (const name of hostile) caseLatencies.set(name, [...(caseLatencies.get(name) ?? []), answer.seconds * 1000]);
    }
    return latencies;
  };
  const healthz = async (until: number, latencies: number[]): Promise<number> => {
    let failures = 0;
    while (Date.now() < until) {
      const began = performance.now();
      const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
      if (ok) latencies.push(performance.now() - began);
      else failures += 1;
      await new Promise((r) => setTimeout(r, 100));
    }
    return failures;
  };
  const idleUntil = Date.now() + 15_000;
  const idleHealthz: number[] = [];
  const [idle] = await Promise.all([wellBehaved(idleUntil), healthz(idleUntil, idleHealthz)]);
  const idleRss = await rssMb();

  let peakRss = idleRss;
  const seen = new Map<string, Answer[]>();
  const until = Date.now() + seconds * 1000;
  const sampler = (async () => {
    while (Date.now() < until) {
      const rss = await rssMb();
      peakRss = Math.max(peakRss, rss);
      for (const name of inFlight.keys()) casePeakRss.set(name, Math.max(casePeakRss.get(name) ?? 0, rss));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const attackHealthz: number[] = [];
  const health = healthz(until, attackHealthz);
  const attackers = Array.from({ length: hostileClients }, async (_, client) => {
    for (let i = client; Date.now() < until; i += 1) {
      const request = HOSTILE[i % HOSTILE.length]!;
      inFlight.set(request.name, (inFlight.get(request.name) ?? 0) + 1);
      const answer = await request.send();
      const left = inFlight.get(request.name)! - 1;
      if (left === 0) inFlight.delete(request.name);
      else inFlight.set(request.name, left);
      seen.set(request.name, [...(seen.get(request.name) ?? []), answer]);
    }
  });
  const underAttack = await wellBehaved(until, inFlight);
  const [healthFailures] = await Promise.all([health, sampler, ...attackers]);
  const healthChecks = healthFailures + attackHealthz.length;
  const alive = server.exitCode === null;

  const rows = [...seen].map(([name, answers]) => {
    const statuses = [...new Set(answers.map((a) => `${a.status} ${a.code}`))].join(', ');
    const latencies = caseLatencies.get(name) ?? [];
    const p99 = latencies.length > 0 ? `${ms(quantile(latencies, 0.99))} (${ratio(quantile(latencies, 0.99), quantile(idle, 0.99))})` : '-';
    return [name, answers.length, statuses, Math.max(...answers.map((a) => a.seconds)).toFixed(2), (casePeakRss.get(name) ?? idleRss).toFixed(0), p99];
  });
  console.log(machine());
  console.log(`${catalog.length} products (photo crops); ${hostileClients} hostile client(s) for ${seconds} s; RSS ${idleRss.toFixed(0)} MB idle`);
  console.log(table(['hostile request', 'sent', 'HTTP status and code', 'slowest s', 'RSS peak MB', 'well-behaved p99 ms meanwhile (vs idle)'], rows));
  console.log();
  console.log(
    table(
      [`well-behaved ${flags['well-behaved']}`, 'requests', 'p50 ms', 'p99 ms', 'p99 vs idle'],
      [
        ['idle (baseline)', idle.length, ms(quantile(idle, 0.5)), ms(quantile(idle, 0.99)), '1.00x'],
        ['under attack', underAttack.length, ms(quantile(underAttack, 0.5)), ms(quantile(underAttack, 0.99)), ratio(quantile(underAttack, 0.99), quantile(idle, 0.99))],
      ],
    ),
  );
  console.log();
  console.log(
    table(
      ['/healthz', 'answered', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ['idle (baseline)', idleHealthz.length, ms(quantile(idleHealthz, 0.5)), ms(quantile(idleHealthz, 0.99)), ms(Math.max(...idleHealthz))],
        ['under attack', attackHealthz.length, ms(quantile(attackHealthz, 0.5)), ms(quantile(attackHealthz, 0.99)), ms(Math.max(...attackHealthz))],
      ],
    ),
  );
  console.log();
  console.log(`RSS: ${idleRss.toFixed(0)} MB idle, peak ${peakRss.toFixed(0)} MB under attack; /healthz failed ${healthFailures} of ${healthChecks}; server ${alive ? 'alive' : 'DEAD'} at the end`);
  await writeFile(
    flags.out!,
    JSON.stringify(
      { machine: machine(), seconds, hostileClients, wellBehaved: flags['well-behaved'], idleRssMb: idleRss, peakRssMb: peakRss, healthFailures, healthChecks, idleHealthz, attackHealthz, alive, idle, underAttack, hostile: Object.fromEntries(seen) },
      null,
      1,
    ),
  );
} finally {
  server.kill('SIGTERM');
  await exited;
  await rm(root, { recursive: true, force: true });
}
