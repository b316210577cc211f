/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { buildStorefront } from '../../src/http/storefront-build.js';
import { graphql } from '../../harness/graphql-client.js';
import { photoCatalog } from '../../harness/photo-catalog.js';
import { PHOTOS_DIR } from '../../harness/photos.js';
import { accessibilityViolations as pageViolations, launchChromium } from './browser.js';

// The storefront page in a real headless Chromium (Debian's), against the
// real service (ResNet50, PGlite in memory) on loopback, with a dozen photos.
const TOKEN = 'storefront-staff-token-0123';
// Enough epochs, of one sample a step, that the run outlasts several of the page's once-a-second polls.
const EPOCHS = 12;

let app: App;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let shots: string;
const requests: string[] = [];
/** The page's GraphQL requests: GET / with a query string, or POST /. */
const graphqlRequests: { method: string; params: URLSearchParams; body: string | null }[] = [];
const consoleErrors: string[] = [];
const ids = new Map<string, string>();

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** axe-core's violations on this page, or another, as it is now. */
const accessibilityViolations = (target: Page = page) => pageViolations(target);

before(async () => {
  shots = await mkdtemp(join(tmpdir(), 'lookalike-storefront-'));
  await buildStorefront();
  app = await startApp(loadConfig({ DATA_DIR: 'memory://', PORT: '0', FEATURE_WORKERS: '1', LOG_LEVEL: 'silent', ADMIN_TOKEN: TOKEN }));
  const catalog = await photoCatalog(6);
  const { data, errors } = await graphql(
    app.url,
    `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id sku } } }`,
    { inputs: catalog.map((p) => ({ ...p, image: Buffer.from(p.image as Uint8Array).toString('base64') })) },
    TOKEN,
  );
  assert.equal(errors, undefined);
  for (const product of data.addProducts.products) ids.set(product.sku, product.id);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on('request', (request) => {
    requests.push(request.url());
    const url = new URL(request.url());
    if (url.pathname === '/' && (url.search || request.method() === 'POST')) graphqlRequests.push({ method: request.method(), params: url.searchParams, body: request.postData() });
  });
  context.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  context.on('weberror', (error) => consoleErrors.push(String(error.error())));
  // Generous: the shared machine may be loaded; a stall still fails.
  context.setDefaultTimeout(120_000);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  if (shots) console.log(`storefront screenshots in ${shots}`);
});

describe('the storefront page in Chromium', () => {
  test('GET / is the page: index.html revalidated, its hashed assets cached for good, nothing from elsewhere', async () => {
    const index = await fetch(app.url);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const html = await index.text();
    assert.doesNotMatch(html, /https?:\/\//);
    const script = /<script type="module" src="(\/assets\/main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    assert.ok(script, html);
    const asset = await fetch(new URL(script, app.url));
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers.get('content-type')), /^text\/javascript/);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    for (const hostile of ['/assets/..%2f..%2fpackage.json', '/assets/%00', '/assets/main.js']) {
      assert.equal((await fetch(new URL(hostile, app.url))).status, 404, hostile);
    }
  });

  test('the catalog shows every product with a lazily loaded thumbnail and its name as alt text', async () => {
    await page.goto(app.url);
    const cards = page.locator('.grid .card');
    await cards.nth(11).waitFor();
    assert.equal(await cards.count(), 12);
    const images = page.locator('.grid img');
    assert.deepEqual(new Set(await images.evaluateAll((all) => all.map((img) => img.getAttribute('loading')))), new Set(['lazy']));
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.grid img')].every((img) => img.complete && img.naturalWidth > 0));
    assert.equal(await images.first().getAttribute('alt'), 'cats 0');
    await screenshot('catalog');
    assert.deepEqual(await accessibilityViolations(), []);
  });

  test('the category filter offers the catalog’s categories with their product counts and shows one', async () => {
    const categories = page.getByLabel('Category', { exact: true });
    await categories.locator('option', { hasText: 'drinks (6)' }).waitFor({ state: 'attached' });
    assert.deepEqual(await categories.locator('option').allTextContents(), ['All categories', 'cats (6)', 'drinks (6)']);
    await categories.selectOption('drinks');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('heading', { name: 'Catalog: drinks' }).waitFor();
    // The heading follows the address at once; the grid, when its query answers.
    await page.waitForFunction(() => {
      const shown = [...document.querySelectorAll('.grid .card .card-category')].map((element) => element.textContent);
      return shown.length > 0 && shown.every((category) => category === 'drinks');
    });
    assert.deepEqual(new Set(await page.locator('.card-category').allTextContents()), new Set(['drinks']));
    assert.equal(await page.locator('.grid .card').count(), 6);
  });

  test('a category the catalog does not have says so, not that the catalog is empty', async () => {
    await page.goto(`${app.url}/#/?category=drnks`);
    await page.getByText('No product is in the category “drnks”.').waitFor();
    assert.equal(await page.getByText('No products here yet').count(), 0);
    const categories = page.getByLabel('Category', { exact: true });
    await categories.locator('option', { hasText: 'drnks (no products)' }).waitFor({ state: 'attached' });
    assert.equal(await categories.inputValue(), 'drnks');
    assert.deepEqual(await accessibilityViolations(), []);
    await page.goto(`${app.url}/#/?category=DRINKS`);
    await page.locator('.grid .card').nth(5).waitFor();
    assert.equal(await categories.inputValue(), 'drinks', 'the listed spelling, as the catalog matches ignoring case');
  });

  test('a product shows its k nearest products with their distances, in rank order, same-category ones marked', async () => {
    await page.goto(app.url);
    await page.getByRole('link', { name: 'cats 0' }).click();
    await page.getByRole('heading', { name: 'cats 0', level: 1 }).waitFor();
    const neighbours = page.locator('.neighbour');
    await neighbours.nth(5).waitFor();
    assert.equal(await neighbours.count(), 6);
    const { data } = await graphql(app.url, `query ($id: ID!) { similarProducts(id: $id, k: 6) { neighbours { distance product { name category } } } }`, { id: ids.get('cats-0') });
    const expected = data.similarProducts.neighbours as { distance: number; product: { name: string; category: string } }[];
    assert.deepEqual(await page.locator('.neighbour .distance').allTextContents(), expected.map((n) => n.distance.toFixed(3)));
    assert.deepEqual(await page.locator('.neighbour .card-name').allTextContents(), expected.map((n) => n.product.name));
    assert.equal(await page.locator('.neighbour.same .badge').count(), expected.filter((n) => n.product.category === 'cats').length);
    assert.match(await page.locator('.space').textContent() ?? '', /RESNET50_FEATURES/);
    await screenshot('product');
    assert.deepEqual(await accessibilityViolations(), []);

    await page.getByLabel('Neighbours (k)').fill('3');
    await page.getByLabel('Neighbours (k)').press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.neighbour').length === 3);
    assert.match(page.url(), /\?k=3$/);

    const next = expected[0]!.product.name;
    await neighbours.first().getByRole('link').click();
    await page.getByRole('heading', { name: next, level: 1 }).waitFor();
  });

  test('search by photo shows the nearest products to an uploaded photo', async () => {
    await page.getByRole('link', { name: 'Search by photo' }).click();
    await page.getByLabel('Choose a photo').setInputFiles(join(PHOTOS_DIR, 'coffee.png'));
    await page.locator('.neighbour').nth(5).waitFor();
    assert.deepEqual(new Set((await page.locator('.neighbour .card-category').allTextContents()).slice(0, 3)), new Set(['drinks']));
    assert.match(await page.locator('.prediction').textContent() ?? '', /no trained head yet/);
    assert.equal(await page.getByText('Take a photo').count(), 0, 'headless Chromium lists no camera');
    await screenshot('search');
    assert.deepEqual(await accessibilityViolations(), []);
  });

  test('a file that is not an image shows its error in place of the previous photo’s results', async () => {
    await page.getByLabel('Choose a photo').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
    await page.getByRole('alert').filter({ hasText: 'notes.txt is not an image' }).waitFor();
    assert.equal(await page.locator('.neighbour').count(), 0);
    assert.equal(await page.locator('.photo, .prediction').count(), 0);
  });

  test('staff: a wrong token is refused at Continue; the right one, kept for the tab, starts a run whose curves grow per epoch', async () => {
    await page.getByRole('link', { name: 'Staff' }).click();
    await page.getByLabel('Admin token').waitFor();
    assert.equal(await page.getByText('Writes are open').count(), 0);
    assert.deepEqual(await accessibilityViolations(), []);
    await page.getByLabel('Admin token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong token' }).waitFor();
    assert.equal(await page.getByLabel('Admin token').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Epochs').count(), 0);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('lookalike.adminToken')), null);
    assert.deepEqual(await accessibilityViolations(), []);

    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Forget it' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('lookalike.adminToken')), TOKEN);
    await page.reload();
    await page.getByLabel('Epochs').fill(String(EPOCHS));
    await page.getByLabel('Batch size').fill('1');
    const start = page.getByRole('button', { name: 'Start training' });
    await start.click();
    assert.equal(await start.isDisabled(), true, 'a second click cannot start a second run');

    // The epochs the chart has drawn, each time it changes, until the run ends.
    const seen: number[] = [];
    const status = page.locator('.run .status');
    await status.waitFor();
    for (let i = 0; i < 600 && !/SUCCEEDED|FAILED/.test((await status.textContent()) ?? ''); i++) {
      const drawn = Number(await page.locator('.chart').getAttribute('data-epochs'));
      if (seen.at(-1) !== drawn) seen.push(drawn);
      await page.waitForTimeout(50);
    }
    assert.equal(await status.textContent(), 'SUCCEEDED');
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('.hyperparameters button')!.disabled);
    await page.waitForFunction((epochs) => document.querySelectorAll('.epochs tbody tr').length === epochs, EPOCHS);
    // Loss and accuracy, training and validation: four points per epoch.
    await page.waitForFunction((points) => document.querySelectorAll('.chart g.mark-symbol.role-mark path').length === points, 4 * EPOCHS);
    assert.ok(seen.length >= 2 && seen.every((n, i) => i === 0 || n > seen[i - 1]!), `the curve grew: ${seen}`);
    await page.getByText('active', { exact: true }).waitFor();
    await screenshot('training');
    assert.deepEqual(await accessibilityViolations(), []);
  });

  test('after training, search by photo names the predicted category', async () => {
    await page.getByRole('link', { name: 'Search by photo' }).click();
    await page.getByLabel('Choose a photo').setInputFiles(join(PHOTOS_DIR, 'chelsea.png'));
    await page.locator('.prediction strong').filter({ hasText: 'cats' }).waitFor();
    assert.match(await page.locator('.space').textContent() ?? '', /TRAINED_HEAD/);
  });

  test('staff add a product from a photo and delete it; an unknown id shows NOT_FOUND', async () => {
    await page.getByRole('link', { name: 'Staff' }).click();
    await page.getByLabel('SKU').fill('cat-from-the-form');
    await page.getByLabel('Name').fill('Cat from the form');
    await page.getByLabel('Category', { exact: true }).fill('cats');
    await page.getByLabel('Image').setInputFiles(join(PHOTOS_DIR, 'chelsea.png'));
    await page.getByRole('button', { name: 'Add product' }).click();
    const added = page.getByRole('status').filter({ hasText: 'Added' });
    await added.waitFor();
    const id = /\(id (\d+)\)/.exec((await added.textContent()) ?? '')?.[1];
    assert.ok(id);
    await screenshot('staff');

    await page.getByLabel('Product id').fill('999999');
    await page.getByRole('button', { name: 'Delete product' }).click();
    await page.getByRole('alert').filter({ hasText: 'NOT_FOUND' }).waitFor();
    await page.getByLabel('Product id').fill(id);
    await page.getByRole('button', { name: 'Delete product' }).click();
    await page.getByRole('status').filter({ hasText: `Deleted product ${id}.` }).waitFor();
    const { data } = await graphql(app.url, `query ($id: ID!) { product(id: $id) { id } }`, { id });
    assert.equal(data.product, null);
  });

  test('after its own writes the page shows none of the answers the browser kept from before them', async () => {
    await page.getByRole('link', { name: 'Catalog' }).click();
    const cards = page.locator('.grid .card');
    await cards.nth(11).waitFor();
    const before = await cards.count();
    // The catalog's answer is now kept by the browser for CATALOG_MAX_AGE_SECONDS.
    await page.getByRole('link', { name: 'Staff' }).click();
    await page.getByLabel('SKU').fill('dog-after-browsing');
    await page.getByLabel('Name').fill('Dog after browsing');
    await page.getByLabel('Image').setInputFiles(join(PHOTOS_DIR, 'coffee.png'));
    await page.getByRole('button', { name: 'Add product' }).click();
    const added = page.getByRole('status').filter({ hasText: 'Added' });
    await added.waitFor();
    const id = /\(id (\d+)\)/.exec((await added.textContent()) ?? '')![1]!;
    await page.getByRole('link', { name: 'Catalog' }).click();
    await cards.filter({ hasText: 'Dog after browsing' }).waitFor();
    assert.equal(await cards.count(), before + 1);

    await page.getByRole('link', { name: 'Staff' }).click();
    await page.getByLabel('Product id').fill(id);
    await page.getByRole('button', { name: 'Delete product' }).click();
    await page.getByRole('status').filter({ hasText: `Deleted product ${id}.` }).waitFor();
    await page.getByRole('link', { name: 'Catalog' }).click();
    await cards.nth(before - 1).waitFor();
    await page.waitForFunction((count) => document.querySelectorAll('.grid .card').length === count, before);
    assert.equal(await cards.filter({ hasText: 'Dog after browsing' }).count(), 0);
  });

  test('the page reads over GET with persisted queries, the document sent once per operation; only writes and photos are POSTs', () => {
    const reads = graphqlRequests.filter((request) => request.method === 'GET');
    assert.ok(reads.length > 10);
    const documentsSent = new Map<string, number>();
    for (const { params } of reads) {
      const hash = JSON.parse(params.get('extensions') ?? '{}').persistedQuery?.sha256Hash;
      assert.match(hash, /^[0-9a-f]{64}$/);
      if (params.has('query')) documentsSent.set(hash, (documentsSent.get(hash) ?? 0) + 1);
    }
    assert.ok(documentsSent.size > 0);
    assert.deepEqual([...documentsSent.values()].filter((count) => count > 1), [], 'a document is sent only while the service does not know its hash');
    for (const { body } of graphqlRequests.filter((request) => request.method === 'POST')) {
      assert.match(JSON.parse(body!).query, /^\s*(mutation|query SearchByPhoto)\b/);
    }
  });

  test('at 360 px wide nothing scrolls sideways, and the catalog and a product pass axe', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 360, height: 740 });
    try {
      await phone.goto(app.url);
      await phone.locator('.grid .card').nth(11).waitFor();
      assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 360));
      await phone.screenshot({ path: join(shots, 'phone-catalog.png') });
      await phone.goto(`${app.url}/#/products/${ids.get('drinks-2')}`);
      await phone.locator('.neighbour').nth(5).waitFor();
      assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 360));
      await phone.screenshot({ path: join(shots, 'phone-product.png'), fullPage: true });
      assert.deepEqual(await accessibilityViolations(phone), []);
    } finally {
      await phone.close();
    }
  });

  test('no request left loopback and the console has no errors', () => {
    assert.ok(requests.length > 20);
    const origin = new URL(app.url).origin;
    assert.deepEqual(requests.filter((url) => !url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url)), []);
    assert.deepEqual(consoleErrors, []);
  });
});

describe('GET /products/:id/thumbnail.webp', () => {
  test('serves the WebP bytes of Product.thumbnailUrl with an ETag and answers 304 while it matches', async () => {
    const { data } = await graphql(app.url, `query ($id: ID!) { product(id: $id) { thumbnail thumbnailUrl } }`, { id: ids.get('cats-1') });
    assert.equal(data.product.thumbnailUrl, `/products/${ids.get('cats-1')}/thumbnail.webp`);
    const answer = await fetch(new URL(data.product.thumbnailUrl, app.url));
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'image/webp');
    assert.equal(answer.headers.get('cache-control'), 'public, max-age=300');
    const bytes = Buffer.from(await answer.arrayBuffer());
    assert.deepEqual(bytes, Buffer.from(data.product.thumbnail.replace(/^data:image\/webp;base64,/, ''), 'base64'));
    const etag = answer.headers.get('etag')!;
    assert.match(etag, /^"[\w-]+"$/);
    const again = await fetch(new URL(data.product.thumbnailUrl, app.url), { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal((await fetch(new URL(data.product.thumbnailUrl, app.url), { headers: { 'if-none-match': '"other"' } })).status, 200);
  });

  test('an id that names no product is 404 NOT_FOUND, whatever it holds', async () => {
    const hostile = ['999999', '0', '-1', '1e3', '01', '2147483648', '99999999999999999999', 'abc', '%27%20OR%201%3D1', '%00', '..%2F..%2Fetc%2Fpasswd', '%F0%9F%90%88', '9'.repeat(4000)];
    for (const id of hostile) {
      const answer = await fetch(`${app.url}/products/${id}/thumbnail.webp`);
      assert.equal(answer.status, 404, id);
      assert.equal((await answer.json()).errors[0].extensions.code, 'NOT_FOUND', id);
    }
    // Past MAX_PARAM_LENGTH, Fastify's own 414 answers before the route; the error handler does not see it.
    assert.equal((await fetch(`${app.url}/products/${'9'.repeat(5000)}/thumbnail.webp`)).status, 414);
  });
});
