import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { graphql } from '../../harness/graphql-client.js';
import { photoCatalog } from '../../harness/photo-catalog.js';
import type { ProductInput } from '../../src/catalog/catalog.service.js';

const MAX_IMAGE_BYTES = 4_000_000;
const ADD_MANY = `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id sku } } }`;
const SIMILAR_TO_FILE = `query ($file: Upload) { similarToImage(imageFile: $file, k: 3) { neighbours { distance product { sku } } } }`;
const SIMILAR_TO_BASE64 = `query ($image: String) { similarToImage(image: $image, k: 3) { neighbours { distance product { sku } } } }`;
const CATALOG_SIZE = `{ service { catalogSize } }`;
const PREFLIGHT = { 'apollo-require-preflight': 'true' };

/** A GraphQL multipart request as the spec's clients send one: operations, map, then the files. */
function multipart(query: string, variables: Record<string, unknown>, files: Record<string, { path: string; bytes: Uint8Array }>): FormData {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  form.append('map', JSON.stringify(Object.fromEntries(Object.entries(files).map(([name, file]) => [name, [file.path]]))));
  for (const [name, file] of Object.entries(files)) form.append(name, new Blob([Buffer.from(file.bytes)], { type: 'image/png' }), `${name}.png`);
  return form;
}

describe('images as file parts of a multipart request (the GraphQL multipart request spec)', () => {
  let app: App;
  let products: ProductInput[];

  const send = async (form: FormData, headers: Record<string, string> = PREFLIGHT) => {
    const response = await fetch(app.url, { method: 'POST', headers, body: form });
    return { status: response.status, body: (await response.json()) as any };
  };
  const catalogSize = async () => (await graphql(app.url, CATALOG_SIZE)).data.service.catalogSize as number;

  before(async () => {
    app = await startApp(loadConfig({ DATA_DIR: 'memory://', PORT: '0', FEATURE_WORKERS: '1', LOG_LEVEL: 'silent', MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES), MAX_IMAGES_PER_REQUEST: '4' }));
    products = await photoCatalog(2);
  });
  after(() => app?.stop());

  test('addProducts takes its images as file parts, and similarToImage ranks a file part as it ranks the same bytes in base64', async () => {
    const inputs = products.slice(0, 3).map(({ sku, name, category }) => ({ sku, name, category, imageFile: null }));
    const files = Object.fromEntries(products.slice(0, 3).map((product, i) => [String(i), { path: `variables.inputs.${i}.imageFile`, bytes: product.image as Uint8Array }]));
    const added = await send(multipart(ADD_MANY, { inputs }, files));
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(added.body.data.addProducts.products.map((p: { sku: string }) => p.sku), products.slice(0, 3).map((p) => p.sku));

    const query = products[3]!.image as Uint8Array;
    const byFile = await send(multipart(SIMILAR_TO_FILE, { file: null }, { q: { path: 'variables.file', bytes: query } }));
    const byBase64 = await graphql(app.url, SIMILAR_TO_BASE64, { image: Buffer.from(query).toString('base64') });
    assert.equal(byFile.body.data?.similarToImage.neighbours.length, 3, JSON.stringify(byFile.body));
    assert.deepEqual(byFile.body.data.similarToImage, byBase64.data.similarToImage);
  });

  test('without the preflight header a multipart request is refused (CSRF prevention) and nothing is written', async () => {
    const before = await catalogSize();
    const input = { sku: 'csrf', name: 'csrf', imageFile: null };
    const refused = await send(multipart(ADD_MANY, { inputs: [input] }, { 0: { path: 'variables.inputs.0.imageFile', bytes: products[3]!.image as Uint8Array } }), {});
    assert.equal(refused.status, 400);
    assert.match(refused.body.errors[0].message, /CSRF|preflight/i);
    assert.equal(await catalogSize(), before);
  });

  test('a file part over MAX_IMAGE_BYTES answers 413 PAYLOAD_TOO_LARGE and nothing is written', async () => {
    const before = await catalogSize();
    const big = new Uint8Array(MAX_IMAGE_BYTES + 1);
    const refused = await send(multipart(ADD_MANY, { inputs: [{ sku: 'big', name: 'big', imageFile: null }] }, { 0: { path: 'variables.inputs.0.imageFile', bytes: big } }));
    assert.equal(refused.status, 413);
    assert.equal(refused.body.errors[0].extensions.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(await catalogSize(), before);
  });

  test('more file parts than MAX_IMAGES_PER_REQUEST answer 413', async () => {
    const files = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [String(i), { path: `variables.inputs.${i}.imageFile`, bytes: products[0]!.image as Uint8Array }]));
    const inputs = Array.from({ length: 5 }, (_, i) => ({ sku: `many-${i}`, name: 'many', imageFile: null }));
    const refused = await send(multipart(ADD_MANY, { inputs }, files));
    assert.equal(refused.status, 413);
    assert.equal(refused.body.errors[0].extensions.code, 'PAYLOAD_TOO_LARGE');
  });

  test('a map that points outside variables, at a value that is not null, or at a part never sent is refused with BAD_REQUEST', async () => {
    const bytes = products[0]!.image as Uint8Array;
    for (const [path, why] of [
      ['query', /not under variables/],
      ['variables.file.deeper', /names no place/],
      ['variables.k', /must point at a null/],
    ] as const) {
      const form = multipart(`query ($file: Upload, $k: Int) { similarToImage(imageFile: $file, k: 2) { space } }`, { file: null, k: 2 }, { 0: { path, bytes } });
      const refused = await send(form);
      assert.equal(refused.status, 400, path);
      assert.equal(refused.body.errors[0].extensions.code, 'BAD_REQUEST');
      assert.match(refused.body.errors[0].message, why);
    }
    const missing = new FormData();
    missing.append('operations', JSON.stringify({ query: SIMILAR_TO_FILE, variables: { file: null } }));
    missing.append('map', JSON.stringify({ 0: ['variables.file'] }));
    const refused = await send(missing);
    assert.equal(refused.status, 400);
    assert.match(refused.body.errors[0].message, /does not carry/);
  });

  test('an image given both ways, or not at all, is BAD_USER_INPUT; an Upload cannot come from JSON', async () => {
    const bytes = products[0]!.image as Uint8Array;
    const both = await send(multipart(`query ($file: Upload) { similarToImage(image: "AAAA", imageFile: $file) { space } }`, { file: null }, { 0: { path: 'variables.file', bytes } }));
    assert.equal(both.body.errors[0].extensions.code, 'BAD_USER_INPUT');
    const neither = await graphql(app.url, `{ similarToImage { space } }`);
    assert.equal(neither.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const fromJson = await graphql(app.url, SIMILAR_TO_FILE, { file: 'AAAA' });
    assert.equal(fromJson.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(fromJson.errors?.[0]?.message ?? '', /multipart/);
  });
});
