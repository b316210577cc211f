/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The storefront page's catalog: from navigation to a grid
// of 50 decoded thumbnails in headless Chromium on loopback, cold (a new
// browser context: nothing cached) and warm (the same context again). The
// baseline, in the same run and the same browser, is the page's own catalog
// query alone (one fetch of CatalogPage, no page, no images).
//
//   node --import tsx bench/storefront-catalog.ts [--rounds 5] [--chromium /usr/bin/chromium]
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { buildStorefront } from '../src/http/storefront-build.js';
import { CatalogPageDocument } from '../src/web/generated/graphql.js';
import { graphql } from '../harness/graphql-client.js';
import { photoCatalog } from '../harness/photo-catalog.js';
import { positiveInteger } from './flags.js';
import { machine, ms, printTable, ratio } from './table.js';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, chromium: { type: 'string', default: '/usr/bin/chromium' } } });
const rounds = positiveInteger(flags, 'rounds');
const PRODUCTS = 50;

await buildStorefront();
const app = await startApp(loadConfig({ DATA_DIR: 'memory://', PORT: '0', FEATURE_WORKERS: '1', LOG_LEVEL: 'silent' }));
const browser = await chromium.launch({ executablePath: flags.chromium, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const catalog = await photoCatalog(PRODUCTS / 2);
  // Two requests: one may carry at most MAX_IMAGES_PER_REQUEST (32) images.
  for (const half of [catalog.slice(0, PRODUCTS / 2), catalog.slice(PRODUCTS / 2)]) {
    const { errors } = await graphql(app.url, `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id } } }`, {
      inputs: half.map((p) => ({ ...p, image: Buffer.from(p.image as Uint8Array).toString('base64') })),
    });
    if (errors) throw new Error(JSON.stringify(errors));
  }

  const times = { query: [] as number[], cold: [] as number[], warm: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    // Tall enough that every thumbnail of the page is in view, so lazy loading loads them all.
    const context = await browser.newContext({ viewport: { width: 1280, height: 4000 } });
    const page = await context.newPage();
    for (const kind of ['cold', 'warm'] as const) {
      await page.goto(app.url);
      times[kind].push(
        await page.evaluate(async (count) => {
          // No named functions in here: tsx would wrap them in a helper the page does not have.
          for (;;) {
            const images = [...document.querySelectorAll<HTMLImageElement>('.grid img')];
            if (images.length === count && images.every((img) => img.complete && img.naturalWidth > 0)) return performance.now();
            await new Promise((resolve) => requestAnimationFrame(resolve));
          }
        }, PRODUCTS),
      );
    }
    times.query.push(
      await page.evaluate(async (query) => {
        const started = performance.now();
        const response = await fetch('/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { first: 50 } }) });
        await response.json();
        return performance.now() - started;
      }, CatalogPageDocument.toString()),
    );
    await context.close();
  }

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(`${machine()}; ${rounds} rounds, medians`);
  printTable(
    ['what', 'ms', 'vs the catalog query alone'],
    [
      ['the catalog query alone (baseline)', ms(median(times.query)), '1.00x'],
      ['page to 50 thumbnails decoded, cold', ms(median(times.cold)), ratio(median(times.cold), median(times.query))],
      ['page to 50 thumbnails decoded, warm', ms(median(times.warm)), ratio(median(times.warm), median(times.query))],
    ],
  );
} finally {
  await browser.close();
  await app.stop();
}
