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
import { PHOTOS_DIR } from '../../harness/photos.js';
import { accessibilityViolations, launchChromium } from './browser.js';

// The staff tab of a service on loopback without ADMIN_TOKEN, where every
// caller may write: real Chromium, real service (ResNet50, PGlite in memory).
let app: App;
let browser: Browser;
let page: Page;
let shots: string;

const catalogSizeLine = () => page.getByText(/products in the catalog\.$/);

before(async () => {
  shots = await mkdtemp(join(tmpdir(), 'lookalike-staff-open-'));
  await buildStorefront();
  app = await startApp(loadConfig({ DATA_DIR: 'memory://', PORT: '0', FEATURE_WORKERS: '1', LOG_LEVEL: 'silent' }));
  const catalog = await photoCatalog(3);
  const { errors } = await graphql(
    app.url,
    `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id } } }`,
    { inputs: catalog.map((p) => ({ ...p, image: Buffer.from(p.image as Uint8Array).toString('base64') })) },
  );
  assert.equal(errors, undefined);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Generous: the shared machine may be loaded; a stall still fails.
  context.setDefaultTimeout(120_000);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  if (shots) console.log(`staff screenshots in ${shots}`);
});

describe('the staff tab of a loopback service without ADMIN_TOKEN', () => {
  test('opens without asking for a token and says writes are open', async () => {
    await page.goto(`${app.url}/#/staff`);
    await page.getByText('Writes are open: this service listens on loopback without an ADMIN_TOKEN').waitFor();
    assert.equal(await page.getByLabel('Admin token').count(), 0);
    await catalogSizeLine().filter({ hasText: '6 products' }).waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
  });

  test('the product count follows an add and a delete', async () => {
    await page.getByLabel('SKU').fill('cat-from-the-form');
    await page.getByLabel('Name').fill('Cat from the form');
    await page.getByLabel('Category', { exact: true }).fill('cats');
    await page.getByLabel('Image').setInputFiles(join(PHOTOS_DIR, 'chelsea.png'));
    await page.getByRole('button', { name: 'Add product' }).click();
    const added = page.getByRole('status').filter({ hasText: 'Added' });
    await added.waitFor();
    await catalogSizeLine().filter({ hasText: '7 products' }).waitFor();

    const id = /\(id (\d+)\)/.exec((await added.textContent()) ?? '')?.[1];
    assert.ok(id);
    await page.getByLabel('Product id').fill(id);
    await page.getByRole('button', { name: 'Delete product' }).click();
    await page.getByRole('status').filter({ hasText: `Deleted product ${id}.` }).waitFor();
    await catalogSizeLine().filter({ hasText: '6 products' }).waitFor();
  });

  test('Start training is disabled from the click until the run is over, and says it is starting at once', async () => {
    const start = page.getByRole('button', { name: 'Start training' });
    await page.getByLabel('Epochs').fill('2');
    await start.click();
    assert.equal(await start.isDisabled(), true);
    await page.getByRole('status').filter({ hasText: /Starting a training run…|A run is in progress/ }).waitFor();
    await page.locator('.run .status').filter({ hasText: 'SUCCEEDED' }).waitFor();
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('.hyperparameters button')!.disabled);
    assert.deepEqual(await accessibilityViolations(page), []);
  });

  test('the class weight select shows whole at desktop width and at 360 px', async () => {
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 900 });
      // A select clips its text instead of overflowing: compare its width with the width its longest option asks for.
      const fits = await page.locator('select[name="classWeight"]').evaluate((select) => {
        const shown = select.getBoundingClientRect().width;
        select.style.cssText = 'width: max-content; max-width: none';
        const wanted = select.getBoundingClientRect().width;
        select.style.cssText = '';
        const fieldset = select.closest('fieldset')!.getBoundingClientRect();
        const box = select.getBoundingClientRect();
        return wanted <= shown + 0.5 && box.left >= fieldset.left && box.right <= fieldset.right;
      });
      assert.ok(fits, `clipped at ${width} px`);
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `scrolls sideways at ${width} px`);
      await page.screenshot({ path: join(shots, `staff-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
