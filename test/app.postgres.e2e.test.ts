import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import sharp from 'sharp';
import { startApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { graphql } from '../harness/graphql-client.js';
import { readPhoto } from '../harness/photos.js';
import { newPGlite } from './support/database.js';

// The `pg` path end to end: DATABASE_URL points at a Postgres wire-protocol
// server (PGlite behind pglite-socket on loopback), as it would at a real one.
let pglite: PGlite;
let server: PGLiteSocketServer;
let app: App;

before(async () => {
  pglite = await newPGlite();
  server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0 });
  await server.start();
  app = await startApp(
    loadConfig({ DATABASE_URL: `postgres://postgres@${server.getServerConn()}/postgres`, DATABASE_POOL_SIZE: '1', PORT: '0', FEATURE_WORKERS: '1', LOG_LEVEL: 'silent' }),
  );
});
after(async () => {
  await app?.stop();
  await server?.stop();
  await pglite?.close();
});

test('adds products and answers similarity queries through the pg driver', async () => {
  const chelsea = await readPhoto('chelsea.png');
  const images = [chelsea, await sharp(chelsea).flop().png().toBuffer(), await readPhoto('coffee.png')];
  const { data, errors } = await graphql(app.url, `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id sku } } }`, {
    inputs: images.map((image, i) => ({ sku: `p${i}`, name: `p${i}`, category: i < 2 ? 'cats' : 'drinks', image: image.toString('base64') })),
  });
  assert.equal(errors, undefined);
  const [cat, mirrored] = data.addProducts.products;

  const { data: similar } = await graphql(app.url, `query ($id: ID!) { similarProducts(id: $id) { neighbours { product { id } } } }`, { id: cat.id });
  assert.deepEqual(similar.similarProducts.neighbours.map((n: any) => n.product.id), [mirrored.id, data.addProducts.products[2].id]);
  const { data: service } = await graphql(app.url, `{ service { database catalogSize } }`);
  assert.deepEqual(service.service, { database: 'postgres', catalogSize: 3 });
});

test('a duplicate sku is refused with its code through the pg driver too', async () => {
  const { errors } = await graphql(app.url, `mutation ($input: AddProductInput!) { addProduct(input: $input) { product { id } } }`, {
    input: { sku: 'p0', name: 'again', image: (await readPhoto('coffee.png')).toString('base64') },
  });
  assert.equal(errors?.[0]?.extensions?.code, 'DUPLICATE_SKU');
});
