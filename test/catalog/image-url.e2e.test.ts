import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { graphql } from '../../harness/graphql-client.js';
import { readPhoto } from '../../harness/photos.js';
import { bytesRoute, endlessRoute, redirectRoute, startImageServer, tricklingRoute, type ImageServer } from '../support/image-server.js';

const MAX_IMAGE_BYTES = 1_000_000;
const FETCH_TIMEOUT_MS = 1_500;
const ADD = `mutation ($input: AddProductInput!) { addProduct(input: $input) { product { id sku } } }`;
const ADD_MANY = `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { sku } } }`;
const BY_URL = `query ($url: String) { similarToImage(imageUrl: $url, k: 2) { neighbours { distance product { sku } } } }`;
const BY_BASE64 = `query ($image: String) { similarToImage(image: $image, k: 2) { neighbours { distance product { sku } } } }`;
const CATALOG_SIZE = `{ service { catalogSize } }`;

describe('images given by link (imageUrl), fetched by the real service from a real local HTTP server', () => {
  let app: App;
  let images: ImageServer;
  /** The same routes on another loopback address, which IMAGE_URL_ALLOWED_HOSTS does not list. */
  let unlisted: ImageServer;
  let chelsea: Buffer;
  let coffee: Buffer;
  const huge = { bytes: 0, closed: false };

  const catalogSize = async () => (await graphql(app.url, CATALOG_SIZE)).data.service.catalogSize as number;
  const add = (sku: string, imageUrl: string) => graphql(app.url, ADD, { input: { sku, name: sku, imageUrl } });

  before(async () => {
    [chelsea, coffee] = await Promise.all([readPhoto('chelsea.png'), readPhoto('coffee.png')]);
    const routes = {
      '/chelsea.png': bytesRoute(chelsea),
      '/coffee.png': bytesRoute(coffee),
      '/page.html': bytesRoute(Buffer.from('<html>a cat</html>'), 'text/html; charset=utf-8'),
      '/huge.png': endlessRoute(64 * 1024, huge),
      '/slow.png': tricklingRoute(100),
      '/to-metadata': redirectRoute('http://169.254.169.254/latest/meta-data/'),
      '/to-unlisted': redirectRoute('http://127.0.0.2/chelsea.png'),
      '/hop/0': redirectRoute('/chelsea.png'),
      '/hop/1': redirectRoute('/hop/0'),
      '/hop/2': redirectRoute('/hop/1'),
      '/hop/3': redirectRoute('/hop/2'),
    };
    images = await startImageServer(routes);
    unlisted = await startImageServer(routes, '127.0.0.2', images.port);
    app = await startApp(
      loadConfig({
        DATA_DIR: 'memory://',
        PORT: '0',
        FEATURE_WORKERS: '1',
        LOG_LEVEL: 'silent',
        MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES),
        IMAGE_FETCH_TIMEOUT_MS: String(FETCH_TIMEOUT_MS),
        IMAGE_URL_ALLOWED_HOSTS: '127.0.0.1',
      }),
    );
  });
  after(async () => {
    await app?.stop();
    await images?.close();
    await unlisted?.close();
  });

  test('a loopback address that is not listed is IMAGE_URL_FORBIDDEN, is never asked, and nothing is written', async () => {
    const before = await catalogSize();
    for (const url of [`${unlisted.origin}/chelsea.png`, `http://[::1]:${images.port}/chelsea.png`, `http://2130706434:${images.port}/chelsea.png`]) {
      const refused = await add('forbidden', url);
      assert.equal(refused.errors?.[0]?.extensions?.code, 'IMAGE_URL_FORBIDDEN', url);
      assert.equal(refused.errors?.[0]?.extensions?.addressClass, 'loopback', url);
    }
    assert.deepEqual(unlisted.requested, []);
    assert.equal(await catalogSize(), before);
  });

  test('a listed host is fetched: the product lands, and neighbours by link equal those of the same bytes in base64', async () => {
    const added = await add('cat-by-link', `${images.origin}/chelsea.png`);
    assert.equal(added.data?.addProduct.product.sku, 'cat-by-link', JSON.stringify(added.errors));
    await graphql(app.url, ADD, { input: { sku: 'coffee-by-base64', name: 'coffee', image: coffee.toString('base64') } });

    const byUrl = await graphql(app.url, BY_URL, { url: `${images.origin}/chelsea.png` });
    const byBase64 = await graphql(app.url, BY_BASE64, { image: chelsea.toString('base64') });
    assert.deepEqual(byUrl.data, byBase64.data);
    assert.equal(byBase64.data.similarToImage.neighbours[0].product.sku, 'cat-by-link');
    assert.ok(byBase64.data.similarToImage.neighbours[0].distance < 1e-3, 'the stored image is the bytes served');
  });

  test("updateProduct takes a new image by link, and the product's neighbours then follow it", async () => {
    const id = (await graphql(app.url, `{ productBySku(sku: "coffee-by-base64") { id } }`)).data.productBySku.id as string;
    const updated = await graphql(app.url, `mutation ($id: ID!, $url: String) { updateProduct(id: $id, input: { imageUrl: $url }) { product { sku } } }`, {
      id,
      url: `${images.origin}/chelsea.png`,
    });
    assert.equal(updated.data?.updateProduct.product.sku, 'coffee-by-base64', JSON.stringify(updated.errors));
    const byBase64 = await graphql(app.url, BY_BASE64, { image: chelsea.toString('base64') });
    assert.ok(byBase64.data.similarToImage.neighbours.every((n: { distance: number }) => n.distance < 1e-3), JSON.stringify(byBase64.data));
    await graphql(app.url, `mutation ($id: ID!, $image: String) { updateProduct(id: $id, input: { image: $image }) { product { sku } } }`, { id, image: coffee.toString('base64') });
  });

  test('a redirect from a listed host to a forbidden address is refused on that hop, which is never connected to', async () => {
    for (const [path, addressClass] of [['/to-metadata', 'cloud metadata'], ['/to-unlisted', 'loopback']] as const) {
      const refused = await graphql(app.url, BY_URL, { url: `${images.origin}${path}` });
      assert.equal(refused.errors?.[0]?.extensions?.code, 'IMAGE_URL_FORBIDDEN', path);
      assert.equal(refused.errors?.[0]?.extensions?.addressClass, addressClass, path);
    }
    assert.deepEqual(unlisted.requested, []);
  });

  test('3 redirects are followed; a 4th is IMAGE_FETCH_FAILED (too many redirects)', async () => {
    const followed = await graphql(app.url, BY_URL, { url: `${images.origin}/hop/2` });
    assert.equal(followed.data?.similarToImage.neighbours[0].product.sku, 'cat-by-link', JSON.stringify(followed.errors));
    const refused = await graphql(app.url, BY_URL, { url: `${images.origin}/hop/3` });
    assert.equal(refused.errors?.[0]?.extensions?.code, 'IMAGE_FETCH_FAILED');
    assert.equal(refused.errors?.[0]?.extensions?.reason, 'too many redirects');
  });

  test('a page that is not an image, a 404, an endless image and a trickling one are each IMAGE_FETCH_FAILED with the reason', async () => {
    const cases = [
      ['/page.html', { reason: 'not an image' }],
      ['/missing.png', { reason: 'status', status: 404 }],
      ['/huge.png', { reason: 'too large' }],
      ['/slow.png', { reason: 'timeout' }],
    ] as const;
    for (const [path, expected] of cases) {
      const started = performance.now();
      const failed = await graphql(app.url, BY_URL, { url: `${images.origin}${path}` });
      const error = failed.errors?.[0];
      assert.equal(error?.extensions?.code, 'IMAGE_FETCH_FAILED', `${path}: ${JSON.stringify(failed)}`);
      for (const [key, value] of Object.entries(expected)) assert.equal(error?.extensions?.[key], value, path);
      assert.ok(performance.now() - started < FETCH_TIMEOUT_MS + 2_000, `${path} answered in time`);
    }
    assert.ok(huge.closed, 'the endless image was cut');
    assert.ok(huge.bytes < 8 * MAX_IMAGE_BYTES, `the endless image was cut while streaming (${huge.bytes} bytes sent)`);
  });

  test('in a batch the failing link is named by its input index, and nothing of the batch is written', async () => {
    const before = await catalogSize();
    const failed = await graphql(app.url, ADD_MANY, {
      inputs: [
        { sku: 'batch-ok', name: 'ok', image: chelsea.toString('base64') },
        { sku: 'batch-missing', name: 'missing', imageUrl: `${images.origin}/gone.png` },
      ],
    });
    const error = failed.errors?.[0];
    assert.equal(error?.extensions?.code, 'IMAGE_FETCH_FAILED');
    assert.equal(error?.extensions?.index, 1);
    assert.match(error?.message ?? '', /^input 1: /);
    assert.equal(await catalogSize(), before);
  });

  test('an image given two ways, or a link that is not http(s), is refused before anything is fetched', async () => {
    const both = await graphql(app.url, `query ($url: String) { similarToImage(image: "AAAA", imageUrl: $url) { space } }`, { url: `${images.origin}/chelsea.png` });
    assert.equal(both.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const file = await graphql(app.url, BY_URL, { url: 'file:///etc/passwd' });
    assert.equal(file.errors?.[0]?.extensions?.code, 'IMAGE_URL_FORBIDDEN');
    assert.equal(file.errors?.[0]?.extensions?.reason, 'scheme');
  });
});
