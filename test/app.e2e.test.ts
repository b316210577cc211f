import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { startApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { SearchRepository } from '../src/db/search.repository.js';
import { graphql } from '../harness/graphql-client.js';
import { readPhoto } from '../harness/photos.js';
import { l2 } from '../harness/vectors.js';

const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

const ADD = `mutation ($input: AddProductInput!) {
  addProduct(input: $input) { product { id sku name category imageWidth imageHeight thumbnail createdAt } }
}`;
const ADD_MANY = `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id sku } } }`;
const SIMILAR = `query ($id: ID!, $k: Int!) {
  similarProducts(id: $id, k: $k) { space modelVersion metric neighbours { rank distance product { id sku category } } }
}`;
const SIMILAR_TO_IMAGE = `query ($image: String!) {
  similarToImage(image: $image) { space neighbours { rank distance product { sku } } }
}`;
const CATALOG_SIZE = `{ service { catalogSize } }`;

const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;

describe('the service over HTTP, with the real ResNet50', () => {
  let app: App;
  let url: string;
  const ids = new Map<string, string>();

  async function catalogSize(): Promise<number> {
    return (await graphql(url, CATALOG_SIZE)).data.service.catalogSize;
  }

  before(async () => {
    const config = loadConfig({ DATA_DIR: 'memory://', PORT: '0', FEATURE_WORKERS: '2', MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES), LOG_LEVEL: 'silent' });
    app = await startApp(config);
    url = app.url;

    const chelsea = await readPhoto('chelsea.png');
    const coffee = await readPhoto('coffee.png');
    const catalog: Record<string, { image: Buffer; category: string }> = {
      'cat-original': { image: chelsea, category: 'cats' },
      'cat-mirrored': { image: await sharp(chelsea).flop().png().toBuffer(), category: 'cats' },
      'cat-cropped': { image: await sharp(chelsea).extract({ left: 20, top: 15, width: 410, height: 270 }).png().toBuffer(), category: 'cats' },
      'coffee-original': { image: coffee, category: 'drinks' },
      'coffee-mirrored': { image: await sharp(coffee).flop().png().toBuffer(), category: 'drinks' },
      'coffee-cropped': { image: await sharp(coffee).extract({ left: 40, top: 30, width: 520, height: 350 }).png().toBuffer(), category: 'drinks' },
    };
    const { data, errors } = await graphql(url, ADD_MANY, {
      inputs: Object.entries(catalog).map(([sku, { image, category }]) => ({ sku, name: sku, category, image: dataUrl(image) })),
    });
    assert.equal(errors, undefined);
    for (const product of data.addProducts.products) ids.set(product.sku, product.id);
  });

  after(() => app?.stop());

  test('reports the feature engine, the TensorFlow.js backend, the workers, the database and the catalog size', async () => {
    const { data } = await graphql(url, `{ service { featureEngine tensorflowBackend backend featureWorkers database catalogSize modelVersion embeddingSpace } }`);
    assert.equal(data.service.featureEngine, 'ONNX_RUNTIME');
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes(data.service.tensorflowBackend));
    assert.equal(data.service.backend, 'onnx', 'the deprecated field keeps its old answer');
    assert.equal(data.service.database, 'pglite');
    assert.equal(data.service.catalogSize, 6);
    assert.equal(data.service.modelVersion, null);
    assert.equal(data.service.embeddingSpace, 'RESNET50_FEATURES');
  });

  test('adds a product and returns it with a thumbnail and the original size', async () => {
    const image = await sharp(await readPhoto('coffee.png')).resize(300, 200).png().toBuffer();
    const { data, errors } = await graphql(url, ADD, { input: { sku: 'small-coffee', name: 'Small coffee', image: image.toString('base64') } });
    assert.equal(errors, undefined);
    const product = data.addProduct.product;
    assert.equal(product.category, null);
    assert.deepEqual([product.imageWidth, product.imageHeight], [300, 200]);
    const thumbnail = Buffer.from(product.thumbnail.replace(/^data:image\/webp;base64,/, ''), 'base64');
    const meta = await sharp(thumbnail).metadata();
    assert.equal(meta.format, 'webp');
    assert.equal(Math.max(meta.width, meta.height), 256);
    assert.ok(!Number.isNaN(Date.parse(product.createdAt)));
    await graphql(url, `mutation ($id: ID!) { deleteProduct(id: $id) { id } }`, { id: product.id });
  });

  test('the same photo, mirrored or cropped, ranks nearest; the query product is excluded', async () => {
    for (const subject of ['cat', 'coffee']) {
      const { data, errors } = await graphql(url, SIMILAR, { id: ids.get(`${subject}-original`), k: 6 });
      assert.equal(errors, undefined);
      const result = data.similarProducts;
      assert.equal(result.space, 'RESNET50_FEATURES');
      assert.equal(result.modelVersion, null);
      assert.equal(result.metric, 'L2');
      assert.equal(result.neighbours.length, 5);
      assert.deepEqual(result.neighbours.map((n: any) => n.rank), [1, 2, 3, 4, 5]);
      assert.deepEqual(
        new Set(result.neighbours.slice(0, 2).map((n: any) => n.product.sku)),
        new Set([`${subject}-mirrored`, `${subject}-cropped`]),
      );
      assert.ok(result.neighbours.every((n: any) => n.product.sku !== `${subject}-original`));
    }
  });

  test('ranking and distances equal a brute-force L2 over the stored features', async () => {
    const search = new SearchRepository(app.services.database.db);
    const features = new Map<string, Float32Array>();
    for (const [sku, id] of ids) features.set(sku, (await search.vectorOf(null, Number(id)))!);
    const query = features.get('cat-cropped')!;
    const expected = [...features]
      .filter(([sku]) => sku !== 'cat-cropped')
      .map(([sku, f]) => ({ sku, distance: l2(query, f) }))
      .sort((a, b) => a.distance - b.distance);
    const { data } = await graphql(url, SIMILAR, { id: ids.get('cat-cropped'), k: 100 });
    assert.deepEqual(data.similarProducts.neighbours.map((n: any) => n.product.sku), expected.map((e) => e.sku));
    data.similarProducts.neighbours.forEach((n: any, i: number) => assert.ok(Math.abs(n.distance - expected[i]!.distance) < 1e-2));
  });

  test('an image outside the catalog finds its own subject first', async () => {
    const probe = await sharp(await readPhoto('chelsea.png')).resize(200).modulate({ brightness: 1.1 }).png().toBuffer();
    const { data, errors } = await graphql(url, SIMILAR_TO_IMAGE, { image: dataUrl(probe) });
    assert.equal(errors, undefined);
    assert.equal(data.similarToImage.neighbours.length, 6);
    assert.deepEqual(
      new Set(data.similarToImage.neighbours.slice(0, 3).map((n: any) => n.product.sku)),
      new Set(['cat-original', 'cat-mirrored', 'cat-cropped']),
    );
  });

  test('pages through the catalog by cursor, optionally one category', async () => {
    const PAGE = `query ($after: String, $category: String) {
      products(first: 2, after: $after, category: $category) { totalCount edges { cursor node { sku } } pageInfo { hasNextPage endCursor } }
    }`;
    const skus: string[] = [];
    let after: string | null = null;
    do {
      const { data }: { data?: any } = await graphql(url, PAGE, { after, category: 'cats' });
      skus.push(...data.products.edges.map((e: any) => e.node.sku));
      after = data.products.pageInfo.hasNextPage ? data.products.pageInfo.endCursor : null;
    } while (after);
    assert.deepEqual(skus, ['cat-original', 'cat-mirrored', 'cat-cropped']);
  });

  test('looks a product up by id, and answers null for an unknown one', async () => {
    const { data } = await graphql(url, `query ($a: ID!, $b: ID!) { a: product(id: $a) { sku } b: product(id: $b) { sku } }`, {
      a: ids.get('coffee-cropped'),
      b: '999999',
    });
    assert.deepEqual(data, { a: { sku: 'coffee-cropped' }, b: null });
  });

  describe('bad input gets a stable code and stores nothing', () => {
    const cases: [string, () => Promise<Record<string, unknown>>, string][] = [
      ['invalid base64', async () => ({ sku: 'bad-1', name: 'x', image: 'this is not base64!' }), 'INVALID_IMAGE'],
      ['bytes that are not an image', async () => ({ sku: 'bad-2', name: 'x', image: Buffer.from('hello, not an image').toString('base64') }), 'INVALID_IMAGE'],
      [
        'an image over the size limit',
        // One byte over: it still fits in a JSON body (one image in base64 and 1 MiB more), and is refused by its size.
        async () => ({ sku: 'bad-3', name: 'x', image: Buffer.alloc(MAX_IMAGE_BYTES + 1, 7).toString('base64') }),
        'IMAGE_TOO_LARGE',
      ],
      ['a duplicate sku', async () => ({ sku: 'cat-original', name: 'x', image: dataUrl(await readPhoto('chelsea.png')) }), 'DUPLICATE_SKU'],
      ['an empty name', async () => ({ sku: 'bad-5', name: '  ', image: dataUrl(await readPhoto('chelsea.png')) }), 'BAD_USER_INPUT'],
    ];
    for (const [what, input, code] of cases) {
      test(what, async () => {
        const before = await catalogSize();
        const { data, errors } = await graphql(url, ADD, { input: await input() });
        assert.equal(data, null);
        assert.equal(errors?.[0]?.extensions?.code, code);
        assert.ok(!/\bat \w+ \(|node_modules/.test(errors![0]!.message), 'no stack trace in the message');
        assert.equal(await catalogSize(), before);
      });
    }

    test('a batch with one bad image stores none of it and names the bad input', async () => {
      const before = await catalogSize();
      const good = { sku: 'batch-good', name: 'ok', image: dataUrl(await readPhoto('coffee.png')) };
      const bad = { sku: 'batch-bad', name: 'bad', image: Buffer.from('nope').toString('base64') };
      const { errors } = await graphql(url, ADD_MANY, { inputs: [good, bad] });
      assert.equal(errors?.[0]?.extensions?.code, 'INVALID_IMAGE');
      assert.equal(errors?.[0]?.extensions?.index, 1);
      assert.match(errors![0]!.message, /input 1/);
      assert.equal(await catalogSize(), before);
    });

    test('a batch that repeats a sku stores none of it', async () => {
      const image = dataUrl(await readPhoto('coffee.png'));
      const { errors } = await graphql(url, ADD_MANY, { inputs: [{ sku: 'twice', name: 'a', image }, { sku: 'twice', name: 'b', image }] });
      assert.equal(errors?.[0]?.extensions?.code, 'DUPLICATE_SKU');
    });

    test('k outside 1..100', async () => {
      for (const k of [0, 101, -3]) {
        const { errors } = await graphql(url, SIMILAR, { id: ids.get('cat-original'), k });
        assert.equal(errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `k=${k}`);
      }
    });

    test('an unknown id', async () => {
      for (const id of ['999999', 'not-an-id']) {
        const { errors } = await graphql(url, SIMILAR, { id, k: 6 });
        assert.equal(errors?.[0]?.extensions?.code, 'NOT_FOUND', id);
      }
      const { errors } = await graphql(url, `mutation { deleteProduct(id: "999999") { id } }`);
      assert.equal(errors?.[0]?.extensions?.code, 'NOT_FOUND');
    });
  });

  test('deletes a product, which then leaves the results', async () => {
    const { data } = await graphql(url, ADD, { input: { sku: 'to-delete', name: 'x', image: dataUrl(await readPhoto('chelsea.png')) } });
    const id = data.addProduct.product.id;
    const deleted = await graphql(url, `mutation ($id: ID!) { deleteProduct(id: $id) { id } }`, { id });
    assert.equal(deleted.data.deleteProduct.id, id);
    const { data: similar } = await graphql(url, SIMILAR, { id: ids.get('cat-original'), k: 100 });
    assert.ok(similar.similarProducts.neighbours.every((n: any) => n.product.id !== id));
    assert.equal((await graphql(url, `query ($id: ID!) { product(id: $id) { id } }`, { id })).data.product, null);
  });

  describe('training over GraphQL', () => {
    const RUN_FIELDS = `id status progress classes trainingSamples validationSamples modelVersion error
      hyperparameters { epochs batchSize learningRate dropout hiddenUnits midUnits validationSplit classWeight seed }
      epochs { epoch loss accuracy valLoss valAccuracy seconds } metrics { valAccuracy embeddedProducts }`;

    test('bad hyperparameters are BAD_USER_INPUT and start nothing', async () => {
      const { errors } = await graphql(url, `mutation { trainModel(input: { epochs: 0 }) { trainingRun { id } } }`);
      assert.equal(errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      assert.deepEqual((await graphql(url, `{ trainingRuns { id } }`)).data.trainingRuns, []);
    });

    test('trainModel returns a queued run at once; it trains, switches its version on, and queries follow', async () => {
      const { data, errors } = await graphql(url, `mutation { trainModel(input: { epochs: 4 }) { trainingRun { ${RUN_FIELDS} } } }`);
      assert.equal(errors, undefined);
      const queued = data.trainModel.trainingRun;
      assert.equal(queued.status, 'QUEUED');
      assert.equal(queued.progress, 0);
      assert.deepEqual(queued.hyperparameters, {
        epochs: 4, batchSize: 64, learningRate: 0.0004, dropout: 0.7, hiddenUnits: 1024, midUnits: 512, validationSplit: 0.2, classWeight: 'BALANCED', seed: 42,
      });
      const second = await graphql(url, `mutation { trainModel { trainingRun { id } } }`);
      assert.equal(second.errors?.[0]?.extensions?.code, 'TRAINING_IN_PROGRESS');

      let run: any;
      do {
        await new Promise((resolve) => setTimeout(resolve, 100));
        run = (await graphql(url, `query ($id: ID!) { trainingRun(id: $id) { ${RUN_FIELDS} } }`, { id: queued.id })).data.trainingRun;
      } while (run.status === 'QUEUED' || run.status === 'RUNNING');
      assert.equal(run.status, 'SUCCEEDED', run.error);
      assert.equal(run.progress, 1);
      assert.deepEqual(run.classes, ['cats', 'drinks']);
      assert.deepEqual(run.epochs.map((e: any) => e.epoch), [1, 2, 3, 4]);
      assert.equal(run.metrics.embeddedProducts, await catalogSize());

      const { data: service } = await graphql(url, `{ service { modelVersion embeddingSpace } }`);
      assert.deepEqual(service.service, { modelVersion: run.modelVersion, embeddingSpace: 'TRAINED_HEAD' });
      const { data: similar } = await graphql(url, `query ($id: ID!) {
        similarProducts(id: $id, k: 6) { space modelVersion neighbours { product { sku category predictedCategory } } } }`, { id: ids.get('cat-original') });
      assert.equal(similar.similarProducts.space, 'TRAINED_HEAD');
      assert.equal(similar.similarProducts.modelVersion, run.modelVersion);
      assert.ok(similar.similarProducts.neighbours.every((n: any) => ['cats', 'drinks'].includes(n.product.predictedCategory)));
      const { data: listed } = await graphql(url, `{ trainingRuns(first: 5) { id status } }`);
      assert.equal(listed.trainingRuns[0].id, run.id);
    });
  });
});
