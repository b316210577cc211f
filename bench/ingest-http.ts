import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { loadConfig } from '../src/config.js';
import { createServices, type Services } from '../src/services.js';
import { startApi, type ApiProcess } from '../test/support/api-process.js';
import { readPhotoFiles } from './ingest-measure.js';

const TOKEN = 'ingest-bench-admin-token-0123456789';
const ADD_PRODUCTS = 'mutation Add($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id } } }';

export interface HttpIngestOptions {
  /** Images each measurement adds, split into calls of `batch`. */
  images: number;
  /** Products per addProducts call: the service's default MAX_IMAGES_PER_REQUEST. */
  batch: number;
  rounds: number;
  /** Clients (callers) with a call in flight, one measurement each. */
  clients: readonly number[];
}

export interface HttpIngestRow {
  clients: number;
  /** images/s of each round, CatalogService.addProducts in this process. */
  inProcess: number[];
  /** images/s of each round, addProducts over HTTP to src/main.ts in a process of its own. */
  http: number[];
}

interface Product {
  sku: string;
  name: string;
  category: string;
  image: Uint8Array;
}
type AddCall = (products: readonly Product[]) => Promise<void>;

/**
 * addProducts over HTTP against the same calls in process (issue 10, item 4:
 * the edge's bounds must not cost throughput). The service runs as deployed:
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
  const env = { DATA_DIR: 'memory://', FEATURE_WORKERS: String(availableParallelism()) };
  const api = startApi({ ...env, ADMIN_TOKEN: TOKEN });
  let services: Services | undefined;
  try {
    services = await createServices(loadConfig({ ...process.env, ...env }), () => {});
    const url = await readyUrl(api);
    const catalog = services.catalog;
    const paths: Record<'inProcess' | 'http', AddCall> = {
      inProcess: async (products) => void (await catalog.addProducts(products)),
      http: (products) => addOverHttp(url, products),
    };
    // Warm-up: both ResNet50 sessions, decoders and databases run a whole call before anything is timed.
    for (const add of Object.values(paths)) await add(products(files.slice(0, options.batch), 'warm-up'));
    const rows: HttpIngestRow[] = options.clients.map((clients) => ({ clients, inProcess: [], http: [] }));
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const row of rows) {
        for (const path of ['inProcess', 'http'] as const) {
          const batch = products(files, `${path}-${row.clients}-${round}`);
          row[path].push(await measureCalls(paths[path], batch, options.batch, row.clients));
        }
        log(`round ${round}, ${row.clients} client(s): ${row.inProcess.at(-1)!.toFixed(2)} in process, ${row.http.at(-1)!.toFixed(2)} over HTTP (images/s)`);
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

/** images/s adding `all` in calls of `size`, `clients` callers each taking the next call when its last one is answered. */
async function measureCalls(add: AddCall, all: readonly Product[], size: number, clients: number): Promise<number> {
  let next = 0;
  const began = performance.now();
  const caller = async () => {
    while (next < all.length) {
      const call = all.slice(next, next + size);
      next += size;
      await add(call);
    }
  };
  await Promise.all(Array.from({ length: clients }, caller));
  return all.length / ((performance.now() - began) / 1000);
}

/** One addProducts request as a back office sends it: images in base64, the admin token; throws unless every product was added. */
async function addOverHttp(url: string, products: readonly Product[]): Promise<void> {
  const inputs = products.map(({ image, ...fields }) => ({ ...fields, image: Buffer.from(image).toString('base64') }));
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query: ADD_PRODUCTS, variables: { inputs } }),
  });
  const body = (await response.json()) as { data?: { addProducts?: { products: unknown[] } }; errors?: unknown[] };
  if (response.status !== 200 || body.errors || body.data?.addProducts?.products.length !== products.length) {
    throw new Error(`addProducts over HTTP answered ${response.status}: ${JSON.stringify(body).slice(0, 500)}`);
  }
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
