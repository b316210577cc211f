/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { buildStorefront } from '../../src/http/storefront-build.js';
import { graphql } from '../../harness/graphql-client.js';
import { photoCatalog } from '../../harness/photo-catalog.js';
import { accessibilityViolations, launchChromium } from './browser.js';

// The storefront's attribute facets in a real Chromium against the real
// service (ResNet50, PGlite in memory): eight photos with a store's attributes.
const TOKEN = 'facets-staff-token-0123';
const ATTRIBUTES: Record<string, Record<string, unknown>> = {
  'cats-0': { inStock: true, price: 12, brand: 'Acme', colors: ['black', 'white'], url: 'https://shop.example/cats-0' },
  'cats-1': { inStock: false, price: 30, brand: 'Bolt', colors: ['grey'] },
  'cats-2': { inStock: true, price: 55, brand: 'Acme', colors: ['white'] },
  'cats-3': { inStock: true, price: 80, brand: 'Bolt' },
  'drinks-0': { inStock: false, price: 4, brand: 'Acme', colors: ['brown'] },
  'drinks-1': { inStock: true, price: 6.5, brand: 'Crema', colors: ['brown', 'white'], url: 'javascript:alert(1)' },
  'drinks-2': { inStock: true, price: 25, brand: 'Crema' },
  'drinks-3': { inStock: false, price: 40, brand: 'Bolt' },
};

let app: App;
let browser: Browser;
let page: Page;
let shots: string;
const ids = new Map<string, string>();

const neighbourNames = () => page.locator('.neighbour .card-name').allTextContents();

/** Waits until the grid shows exactly these products. */
async function gridShows(names: string[]): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const shown = [...document.querySelectorAll('.grid .card-name')].map((n) => n.textContent).sort();
      return JSON.stringify(shown) === JSON.stringify(expected);
    },
    [...names].sort(),
  );
}

before(async () => {
  shots = await mkdtemp(join(tmpdir(), 'lookalike-facets-'));
  await buildStorefront();
  app = await startApp(loadConfig({ DATA_DIR: 'memory://', PORT: '0', FEATURE_WORKERS: '1', LOG_LEVEL: 'silent', ADMIN_TOKEN: TOKEN }));
  const catalog = await photoCatalog(4);
  const { data, errors } = await graphql(
    app.url,
    `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id sku } } }`,
    { inputs: catalog.map((p) => ({ ...p, attributes: ATTRIBUTES[p.sku], image: Buffer.from(p.image as Uint8Array).toString('base64') })) },
    TOKEN,
  );
  assert.equal(errors, undefined);
  for (const product of data.addProducts.products) ids.set(product.sku, product.id);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Generous: the shared machine may be loaded; a stall still fails.
  context.setDefaultTimeout(120_000);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  if (shots) console.log(`facet screenshots in ${shots}`);
});

describe('attribute facets on the storefront page', () => {
  test('the grid offers a facet per attribute key of the catalog: a toggle, a range, a list of choices; a key no two products share is none', async () => {
    await page.goto(app.url);
    await page.locator('.grid .card').nth(7).waitFor();
    const facets = page.getByRole('form', { name: 'Narrow the catalog by attributes' });
    await facets.getByRole('checkbox', { name: 'inStock' }).waitFor();
    assert.equal(await facets.getByRole('spinbutton', { name: 'price from' }).getAttribute('placeholder'), '4');
    assert.equal(await facets.getByRole('spinbutton', { name: 'price to' }).getAttribute('placeholder'), '80');
    assert.deepEqual(await facets.getByRole('group', { name: 'brand' }).getByRole('checkbox').evaluateAll((boxes) => boxes.map((b) => b.parentElement?.textContent)), ['Acme', 'Bolt', 'Crema']);
    assert.deepEqual(await facets.getByRole('group', { name: 'colors' }).getByRole('checkbox').count(), 4);
    assert.equal(await facets.getByText('url').count(), 0);
  });

  test('the inStock toggle narrows the grid to the products in stock', async () => {
    await page.getByRole('checkbox', { name: 'inStock' }).check();
    await gridShows(['cats 0', 'cats 2', 'cats 3', 'drinks 1', 'drinks 2']);
    assert.match((await page.locator('.count').textContent()) ?? '', /Showing 5 products with inStock/);
  });

  test('a price range narrows it further, bounds included', async () => {
    await page.getByLabel('price from').fill('12');
    await page.getByLabel('price from').press('Enter');
    await page.getByLabel('price to').fill('55');
    await page.getByLabel('price to').press('Enter');
    await gridShows(['cats 0', 'cats 2', 'drinks 2']);
  });

  test('a brand choice narrows it to that brand; two choices to either', async () => {
    const brand = page.getByRole('group', { name: 'brand' });
    await brand.getByLabel('Acme').check();
    await gridShows(['cats 0', 'cats 2']);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.grid img')].every((img) => img.complete && img.naturalWidth > 0));
    await page.screenshot({ path: join(shots, 'catalog-facets.png'), fullPage: true });
    assert.deepEqual(await accessibilityViolations(page), []);
    await brand.getByLabel('Crema').check();
    await gridShows(['cats 0', 'cats 2', 'drinks 2']);
    await brand.getByLabel('Crema').uncheck();
    await gridShows(['cats 0', 'cats 2']);
  });

  test('a list-valued key passes a product that holds the chosen string', async () => {
    await page.getByRole('button', { name: 'Clear attribute filters' }).click();
    await page.getByRole('group', { name: 'colors' }).getByLabel('white').check();
    await gridShows(['cats 0', 'cats 2', 'drinks 1']);
    await page.getByRole('button', { name: 'Clear attribute filters' }).click();
    await gridShows(Object.keys(ATTRIBUTES).map((sku) => sku.replace('-', ' ')));
  });

  test('when nothing has the chosen attributes, the grid says so', async () => {
    await page.getByLabel('price from').fill('1000');
    await page.getByLabel('price from').press('Enter');
    await page.getByText('No product has these attributes.').waitFor();
    assert.equal(await page.locator('.grid .card').count(), 0);
    await page.getByRole('button', { name: 'Clear attribute filters' }).click();
    await page.locator('.grid .card').nth(7).waitFor();
  });

  test('a product lists its attributes; a url is a link only when it is http(s)', async () => {
    await page.getByRole('link', { name: 'cats 0' }).click();
    await page.getByRole('heading', { name: 'cats 0', level: 1 }).waitFor();
    const list = page.locator('dl.attributes');
    assert.deepEqual(await list.locator('dt').allTextContents(), ['brand', 'colors', 'inStock', 'price', 'url']);
    assert.deepEqual(await list.locator('dd').allTextContents(), ['Acme', 'black, white', 'yes', '12', 'https://shop.example/cats-0']);
    const link = list.getByRole('link', { name: 'https://shop.example/cats-0' });
    assert.equal(await link.getAttribute('href'), 'https://shop.example/cats-0');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');

    await page.goto(`${app.url}/#/products/${ids.get('drinks-1')}`);
    await page.getByRole('heading', { name: 'drinks 1', level: 1 }).waitFor();
    assert.equal(await page.locator('dl.attributes').getByRole('link').count(), 0);
    await page.locator('dl.attributes').getByText('javascript:alert(1)').waitFor();
  });

  test('the similar items pass the facets chosen on the grid, and the product view changes them', async () => {
    await page.goto(app.url);
    await page.getByRole('checkbox', { name: 'inStock' }).check();
    await page.getByRole('group', { name: 'brand' }).getByLabel('Acme').check();
    await gridShows(['cats 0', 'cats 2']);
    await page.getByRole('link', { name: 'cats 0' }).click();
    await page.getByRole('heading', { name: 'cats 0', level: 1 }).waitFor();
    await page.getByText('Only items with inStock; brand: Acme.').waitFor();
    await page.locator('.neighbour').first().waitFor();
    assert.deepEqual(await neighbourNames(), ['cats 2']);

    const facets = page.getByRole('form', { name: 'Narrow the similar items by attributes' });
    await facets.getByRole('group', { name: 'brand' }).getByLabel('Acme').uncheck();
    await page.waitForFunction(() => document.querySelectorAll('.neighbour').length === 4);
    const { data } = await graphql(
      app.url,
      `query ($id: ID!) { similarProducts(id: $id, k: 6, filter: { where: [{ key: "inStock", eq: true }] }) { neighbours { product { name } } } }`,
      { id: ids.get('cats-0') },
    );
    assert.deepEqual(await neighbourNames(), data.similarProducts.neighbours.map((n: { product: { name: string } }) => n.product.name));
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('img')].every((img) => img.complete && img.naturalWidth > 0));
    await page.screenshot({ path: join(shots, 'product-attributes.png'), fullPage: true });
    assert.deepEqual(await accessibilityViolations(page), []);

    await facets.getByLabel('price from').fill('1000');
    await facets.getByLabel('price from').press('Enter');
    await page.getByText('No similar item has these attributes.').waitFor();
    await facets.getByRole('button', { name: 'Clear attribute filters' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.neighbour').length === 6);
  });

  test('staff replace a product’s attributes and the view shows them; a refused value names its key', async () => {
    await page.goto(`${app.url}/#/staff`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Forget it' }).waitFor();
    await page.goto(`${app.url}/#/products/${ids.get('cats-1')}`);
    const editor = page.getByLabel('Attributes as a JSON object');
    assert.deepEqual(JSON.parse(await editor.inputValue()), ATTRIBUTES['cats-1']);

    await editor.fill('{"price": null}');
    await page.getByRole('button', { name: 'Save attributes' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /^BAD_USER_INPUT on price: attributes\.price: /);
    assert.equal(await editor.getAttribute('aria-invalid'), 'true');

    await editor.fill('[1, 2]');
    await page.getByRole('button', { name: 'Save attributes' }).click();
    await page.getByRole('alert').filter({ hasText: 'must be a JSON object' }).waitFor();

    await editor.fill(JSON.stringify({ ...ATTRIBUTES['cats-1'], inStock: true, colors: ['grey', 'tan'] }));
    await page.getByRole('button', { name: 'Save attributes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.locator('dl.attributes dd').filter({ hasText: 'grey, tan' }).waitFor();
    assert.deepEqual(await page.locator('dl.attributes dd').allTextContents(), ['Bolt', 'grey, tan', 'yes', '30']);
    assert.deepEqual(await accessibilityViolations(page), []);

    await page.goto(app.url);
    await page.getByRole('checkbox', { name: 'inStock' }).check();
    await page.getByRole('group', { name: 'colors' }).getByLabel('tan').check();
    await gridShows(['cats 1']);
  });

  test('at 360 px wide the facets stack above the grid and nothing scrolls sideways', async () => {
    const phone = await page.context().newPage();
    await phone.setViewportSize({ width: 360, height: 740 });
    try {
      await phone.goto(app.url);
      await phone.locator('.grid .card').nth(7).waitFor();
      await phone.getByRole('checkbox', { name: 'inStock' }).waitFor();
      assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 360));
      await phone.goto(`${app.url}/#/products/${ids.get('cats-0')}`);
      await phone.locator('.neighbour').nth(5).waitFor();
      assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 360));
    } finally {
      await phone.close();
    }
  });
});
