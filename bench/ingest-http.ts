import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { loadConfig } from '../src/config.js';
import { createServices, type Services } from '../src/services.js';
import { startApi, type ApiProcess } from '../harness/api-process.js';
import { addProductsRequest } from '../src/cli/remote-catalog.js';
import { readPhotoFiles } from './ingest-measure.js';

const TOKEN = 'ingest-bench-admin-token-0123456789';

export interface HttpIngestOptions {
  /** Images each measurement adds, split into calls of `batch`. */
  images: number;
  /** Products per addProducts call: the service's default MAX_IMAGES_PER_REQUEST. */
  batch: number;
  rounds: number;
  /** Clients (callers) with a call in flight, one measurement each. */
  clients: readonly number[];
}

export interface Figures {
  /** images/s of each round. */
  imagesPerSecond: number[];
  /** CPU milliseconds per image of each round, every thread of the process that served the calls. */
  cpuMsPerImage: number[];
}

export interface HttpIngestRow {
  clients: number;
  /** CatalogService.addProducts in this process. */
  inProcess: Figures;
  /** addProducts over HTTP to src/main.ts in a process of its own. */
  http: Figures;
}

interface Product {
  sku: string;
  name: string;
  category: string;
  image: Uint8Array;
}
/** Readies one addProducts call (a request body, for HTTP) and returns what sends it, so the timed part only sends. */
type AddCall = (products: readonly Product[]) => () => Promise<void>;

/**
 * addProducts over HTTP against the same calls in process: the edge's
 * bounds must not cost throughput. The service runs as deployed:
 * `src/main.ts` in a process of its own (so the client does not share its
 * event loop), in-memory PGlite, ADMIN_TOKEN set, every limit at its default;
 * the baseline is CatalogService.addProducts of services made from the same
 * settings in this process. Both get the same products in calls of `batch`,
 * with one and with more callers; rounds interleave the two, so other load on
 * the machine touches both alike.
 */
export async function measureHttpIngest(options: HttpIngestOptions, log: (line: string) => void): Promise<HttpIngestRow[]> {
  const files = await variedPhotos(options.images);
  // startApi defaults to one feature worker; the service's own default is one per core.
  // Every round adds the same files again: the image cache would answer them.
  const env = { DATA_DIR: 'memory://', FEATURE_WORKERS: String(availableParallelism()), IMAGE_CACHE_BYTES: '0' };
  const api = startApi({ ...env, ADMIN_TOKEN: TOKEN });
  let services: Services | undefined;
  try {
    services = await createServices(loadConfig({ ...process.env, ...env }), () => {});
    const url = await readyUrl(api);
    const catalog = services.catalog;
    const paths: Record<'inProcess' | 'http', { add: AddCall; cpuSeconds: () => Promise<number> }> = {
      inProcess: { add: (products) => async () => void (await catalog.addProducts(products)), cpuSeconds: async () => ownCpuSeconds() },
      http: { add: (products) => addOverHttp(url, products), cpuSeconds: () => processCpuSeconds(api.pid) },
    };
    // Warm-up: both ResNet50 sessions, decoders and databases run a whole call before anything is timed.
    for (const { add } of Object.values(paths)) await add(products(files.slice(0, options.batch), 'warm-up'))();
    const figures = (): Figures => ({ imagesPerSecond: [], cpuMsPerImage: [] });
    const rows: HttpIngestRow[] = options.clients.map((clients) => ({ clients, inProcess: figures(), http: figures() }));
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const row of rows) {
        // Each goes first every other round, so a drift in the machine's load favours neither.
        const order = round % 2 === 1 ? (['inProcess', 'http'] as const) : (['http', 'inProcess'] as const);
        for (const path of order) {
          const all = products(files, `${path}-${row.clients}-${round}`);
          const calls = Array.from({ length: Math.ceil(all.length / options.batch) }, (_, i) =>
            paths[path].add(all.slice(i * options.batch, (i + 1) * options.batch)),
          );
          const cpuBefore = await paths[path].cpuSeconds();
          row[path].imagesPerSecond.push(await measureCalls(calls, all.length, row.clients));
          row[path].cpuMsPerImage.push(((await paths[path].cpuSeconds()) - cpuBefore) * 1000 / all.length);
        }
        const last = (f: Figures) => `${f.imagesPerSecond.at(-1)!.toFixed(2)} images/s, ${f.cpuMsPerImage.at(-1)!.toFixed(0)} CPU ms/image`;
        log(`round ${round}, ${row.clients} client(s): in process ${last(row.inProcess)}; over HTTP ${last(row.http)}`);
      }
    }
    return rows;
  } finally {
    await services?.close();
    await api.stop();
  }
}

/**
 * Distinct images from the two test photos: crops at shifting offsets, every
 * other one mirrored, as PNG like the originals, so no two products of a
 * measurement carry the same picture.
 */
async function variedPhotos(count: number): Promise<Uint8Array[]> {
  const photos = await readPhotoFiles();
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const photo = photos[i % photos.length]!;
      const { width, height } = await sharp(photo).metadata();
      const variant = Math.floor(i / photos.length);
      const [w, h] = [Math.round(width * 0.9), Math.round(height * 0.9)];
      const left = (variant * 7) % (width - w + 1);
      const top = (variant * 5) % (height - h + 1);
      const image = sharp(photo).extract({ left, top, width: w, height: h });
      return new Uint8Array(await (variant % 2 === 1 ? image.flop() : image).png().toBuffer());
    }),
  );
}

function products(files: readonly Uint8Array[], skuPrefix: string): Product[] {
  return files.map((image, i) => ({ sku: `${skuPrefix}-${i}`, name: `product ${i}`, category: i % 2 === 0 ? 'cats' : 'cups', image }));
}

/** images/s making `calls` (of `images` in all) with `clients` callers, each taking the next call when its last one is answered. */
async function measureCalls(calls: readonly (() => Promise<void>)[], images: number, clients: number): Promise<number> {
  let next = 0;
  const began = performance.now();
  const caller = async () => {
    while (next < calls.length) {
      next += 1;
      await calls[next - 1]!();
    }
  };
  await Promise.all(Array.from({ length: clients }, caller));
  return images / ((performance.now() - began) / 1000);
}

/**
 * One addProducts request as a back office sends it: a multipart request
 * whose images are file parts (as `lookalike import --url` sends them), the
 * admin token. The form is built beforehand: the client's work shares the
 * machine's cores with the service, and is no cost of the service's.
 * Sending throws unless every product was added.
 */
function addOverHttp(url: string, products: readonly Product[]): () => Promise<void> {
  const form = addProductsRequest(products, 'FAIL');
  return async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${TOKEN}` }, body: form });
    const answer = (await response.json()) as { data?: { addProducts?: { products: unknown[] } }; errors?: unknown[] };
    if (response.status !== 200 || answer.errors || answer.data?.addProducts?.products.length !== products.length) {
      throw new Error(`addProducts over HTTP answered ${response.status}: ${JSON.stringify(answer).slice(0, 500)}`);
    }
  };
}

/** CPU seconds this process has used, all threads. */
function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** CPU seconds another process has used, all threads: utime + stime of /proc/<pid>/stat, in clock ticks of 1/100 s (Linux's USER_HZ). */
async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The service's URL once /readyz answers 200 (ResNet50 loaded, search index warm). */
async function readyUrl(api: ApiProcess): Promise<string> {
  const listening = await api.ready;
  const url = new URL('/', listening).href.replace(/\/$/, '');
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (!api.running()) throw new Error(`the service exited:\n${api.lines.join('\n')}`);
    if (await fetch(`${url}/readyz`).then((response) => response.ok, () => false)) return url;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the service was not ready in 3 minutes:\n${api.lines.join('\n')}`);
}
