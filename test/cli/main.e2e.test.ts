import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { FASHION_MNIST_DIR } from '../../src/datasets/idx-dataset.js';
import { photoCatalog } from '../../harness/photo-catalog.js';
import { lookalike } from '../support/command-line.js';
import { closedUrl } from '../support/free-port.js';

/** The command line on its own database. */
function lookalikeOn(dataDir: string, ...args: string[]) {
  return lookalike(args, { DATA_DIR: dataDir });
}

function lookalikeWith(env: Record<string, string>, ...args: string[]) {
  return lookalike(args, env);
}

describe('the lookalike command line', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('--help lists the subcommands', async () => {
    const { stdout } = await lookalikeOn(join(dir, 'unused'), '--help');
    for (const command of ['import', 'train', 'evaluate']) assert.match(stdout, new RegExp(`\\b${command}\\b`));
  });

  test('imports a DIR/<category>/<file> folder, and a second import skips what is there', async () => {
    const folder = join(dir, 'photos');
    for (const product of await photoCatalog(2, 11)) {
      await mkdir(join(folder, product.category!), { recursive: true });
      const name = join(folder, product.category!, `${product.sku}.jpg`);
      await writeFile(name, await sharp(product.image as Uint8Array).jpeg().toBuffer());
    }
    await writeFile(join(folder, 'cats', 'notes.txt'), 'not an image');
    const data = join(dir, 'folder-db');
    assert.match((await lookalikeOn(data, 'import', 'folder', folder)).stdout, /imported 4, skipped 0/);
    assert.match((await lookalikeOn(data, 'import', 'folder', folder)).stdout, /imported 0, skipped 4/);
  });

  test(
    "evaluate runs the method's protocol on a small Fashion-MNIST slice and writes the report",
    { skip: !existsSync(FASHION_MNIST_DIR) && 'Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)' },
    async () => {
      const out = join(dir, 'report');
      const { stdout } = await lookalikeOn(
        join(dir, 'evaluation-db'),
        'evaluate', '--train-size', '80', '--catalog-size', '40', '--held-out', '20', '--query', '5033',
        '--epochs', '4', '--examples', '2', '--out', out,
      );
      assert.match(stdout, /query fashion-mnist\/test\/05033: true class [\w/ -]+, predicted [\w/ -]+/);
      const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
      assert.equal(report.showcase.sku, 'fashion-mnist/test/05033');
      assert.equal(report.showcase.trained.length, 6);
      assert.equal(report.epochs.length, 4);
      assert.equal(report.sizes.catalog, 40);
      // Test item 5033 lies outside items 40-59: it is shown, but the held-out figures are the 20 asked for.
      assert.equal(report.sizes.heldOut, 20);
      assert.equal(report.showcaseIsHeldOut, false);
      assert.match(stdout, /\b20 held-out queries\b/);
      for (const space of ['raw', 'trained']) {
        for (const { mean, low, high } of Object.values(report.precision[space]) as { mean: number; low: number; high: number }[]) {
          assert.ok(0 <= low && low <= mean && mean <= high && high <= 1, `${space}: ${low} ${mean} ${high}`);
        }
      }
      assert.ok(report.precision.raw.catalog.mean > 0.3, 'ResNet50 features already group Fashion-MNIST classes');
      const markdown = await readFile(join(out, 'report.md'), 'utf8');
      assert.match(markdown, /mean precision@6/);
      for (const picture of ['learning-curves.png', 'recommendations-trained.png', 'recommendations-raw.png']) {
        assert.equal((await sharp(join(out, picture)).metadata()).format, 'png');
        assert.match(markdown, new RegExp(picture));
      }
    },
  );

  test(
    'evaluate --compare-restore-best-weights trains the head both ways on features imported once, and writes the reports side by side',
    { skip: !existsSync(FASHION_MNIST_DIR) && 'Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)' },
    async () => {
      const out = join(dir, 'comparison');
      // The same slice as the test above, on its database: already imported when it ran.
      const { stdout } = await lookalikeOn(
        join(dir, 'evaluation-db'),
        'evaluate', '--train-size', '80', '--catalog-size', '40', '--held-out', '20', '--query', '5033',
        '--epochs', '6', '--examples', '2', '--compare-restore-best-weights', '--compare-early-stopping-patience', '2', '--out', out,
      );
      assert.equal(stdout.match(/^training the head: /gm)?.length, 2, stdout);
      assert.match(stdout, /^training the head: the method as-is$/m);
      assert.match(stdout, /^training the head: restoreBestWeights, earlyStoppingPatience 2$/m);
      const { variants } = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
      assert.deepEqual(variants.map((v: { folder: string }) => v.folder), ['method', 'restore-best-weights-early-stopping-2']);
      const [asIs, best] = variants.map((v: { result: { epochs: { epoch: number; valLoss: number }[]; head: { keptEpoch: number; stoppedEarly: boolean }; precision: unknown } }) => v.result);
      assert.equal(asIs.epochs.length, 6);
      assert.equal(asIs.head.keptEpoch, 6);
      const lowest = best.epochs.reduce((a: { valLoss: number }, b: { valLoss: number }) => (b.valLoss < a.valLoss ? b : a));
      assert.equal(best.head.keptEpoch, lowest.epoch);
      assert.equal(best.head.stoppedEarly, best.epochs.length < 6);
      // The same seed and split: the epochs both trained are the same epochs.
      const curve = (epochs: { epoch: number; valLoss: number }[]) => epochs.map((e) => [e.epoch, e.valLoss]);
      assert.deepEqual(curve(best.epochs), curve(asIs.epochs.slice(0, best.epochs.length)));
      assert.deepEqual(best.precision.raw, asIs.precision.raw, 'one import, one set of raw features');
      const markdown = await readFile(join(out, 'report.md'), 'utf8');
      assert.match(markdown, /\| mean precision@6, held-out test images as queries \| [\d.]+% \([\d.]+–[\d.]+\) \| [\d.]+% \([\d.]+–[\d.]+\) \|/);
      for (const folder of ['method', 'restore-best-weights-early-stopping-2']) {
        for (const picture of ['learning-curves.png', 'recommendations-trained.png', 'recommendations-raw.png']) {
          assert.equal((await sharp(join(out, folder, picture)).metadata()).format, 'png');
        }
        assert.match(await readFile(join(out, folder, 'report.md'), 'utf8'), /Kept epoch \d+ of \d+ trained/);
      }
    },
  );

  test(
    'evaluate --compare-embedding-normalization measures one trained head in both embedding spaces, side by side',
    { skip: !existsSync(FASHION_MNIST_DIR) && 'Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)' },
    async () => {
      const out = join(dir, 'spaces');
      const { stdout } = await lookalikeOn(
        join(dir, 'evaluation-db'),
        'evaluate', '--train-size', '80', '--catalog-size', '40', '--held-out', '20', '--query', '5033',
        '--epochs', '3', '--examples', '2', '--compare-embedding-normalization', 'unit-length', '--out', out,
      );
      assert.deepEqual(stdout.match(/^training the head: .*$/gm), ['training the head: the method as-is; measured as: embeddingNormalization UNIT_LENGTH']);
      type Result = { hyperparameters: { embeddingNormalization: string }; epochs: unknown[]; showcase: { trained: { distance: number }[] } };
      const { variants } = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { variants: { folder: string; result: Result }[] };
      assert.deepEqual(variants.map((v) => v.folder), ['method', 'unit-length']);
      const [standardized, unitLength] = variants.map((v) => v.result);
      assert.deepEqual(unitLength!.epochs, standardized!.epochs, 'one head, trained once');
      assert.equal(unitLength!.hyperparameters.embeddingNormalization, 'UNIT_LENGTH');
      // Unit vectors are at most 2 apart; standardized 512-d ones are not bound so.
      for (const { distance } of unitLength!.showcase.trained) assert.ok(distance <= 2 + 1e-6, String(distance));
      assert.ok(standardized!.showcase.trained.some(({ distance }) => distance > 2));
      assert.match(await readFile(join(out, 'report.md'), 'utf8'), /\| \| the method as-is \| embeddingNormalization UNIT_LENGTH \|/);
    },
  );
});

const TOKEN = 'an-admin-token-of-the-service';

describe('the command line beside a running service', { skip: !existsSync(FASHION_MNIST_DIR) && 'Fashion-MNIST is not installed' }, () => {
  let dir: string;
  let serviceData: string;
  let app: App;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-cli-remote-'));
    serviceData = join(dir, 'service');
    app = await startApp(loadConfig({ DATA_DIR: serviceData, PORT: '0', FEATURE_WORKERS: '2', LOG_LEVEL: 'silent', ADMIN_TOKEN: TOKEN }));
  });
  after(async () => {
    await app?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("an import on the service's own folder is refused in one line naming the service's pid, and writes nothing", async () => {
    const refused = await lookalikeOn(serviceData, 'import', 'idx', '--count', '3').then(
      () => assert.fail('the import opened the database the service holds'),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`in use by process ${process.pid} .*--url`));
    assert.equal(await app.services.catalog.countProducts(), 0);
  });

  test('import --url sends the batches through the service; a rerun skips them; a wider rerun adds only the new ones', async () => {
    const unused = join(dir, 'never-opened');
    const viaService = (count: number, ...args: string[]) =>
      lookalikeWith({ DATA_DIR: unused, ADMIN_TOKEN: TOKEN }, 'import', 'idx', '--count', String(count), '--url', app.url, ...args);

    assert.match((await viaService(5, '--batch-size', '2')).stdout, /imported 5, skipped 0/);
    assert.match((await viaService(5)).stdout, /imported 0, skipped 5/);
    // One batch of 8 with 5 already there: the service names them, and the other 3 go again.
    const flagOverEnvironment = await lookalikeWith(
      { DATA_DIR: unused, ADMIN_TOKEN: 'a-stale-token-in-the-environment' },
      'import', 'idx', '--count', '8', '--url', app.url, '--token', TOKEN,
    );
    assert.match(flagOverEnvironment.stdout, /imported 3, skipped 5/);

    const skus = Array.from({ length: 8 }, (_, i) => `fashion-mnist/train/${String(i).padStart(5, '0')}`);
    assert.deepEqual((await app.services.catalog.findBySkus(skus)).map((p) => p.sku).sort(), skus);
    assert.equal(await app.services.catalog.countProducts(), 8, 'each sku once');
    assert.equal(existsSync(unused), false, 'the command line did not open a database of its own');
  });

  test('a file the service refuses is named with its code and left out, the rest of its batch imported, and the import exits 2', async () => {
    const folder = join(dir, 'broken');
    await mkdir(join(folder, 'cats'), { recursive: true });
    await writeFile(join(folder, 'cats', 'not-really.png'), 'not an image');
    await writeFile(join(folder, 'cats', 'real.png'), await sharp({ create: { width: 16, height: 16, channels: 3, background: '#a33' } }).png().toBuffer());
    const before = await app.services.catalog.countProducts();
    const ended = await lookalikeWith({ DATA_DIR: join(dir, 'never-opened'), ADMIN_TOKEN: TOKEN }, 'import', 'folder', folder, '--url', app.url).then(
      () => assert.fail('the import exited 0 with a file refused'),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.equal(ended.code, 2, ended.stderr);
    assert.equal(ended.stdout.trim(), 'imported 1, skipped 0 already in the catalog, failed 1, ignored 0');
    assert.match(ended.stderr, /^cats\/not-really\.png: INVALID_IMAGE: \S/m);
    assert.doesNotMatch(ended.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual((await app.services.catalog.findBySkus(['cats/real.png', 'cats/not-really.png'])).map((p) => p.sku), ['cats/real.png']);
    assert.equal(await app.services.catalog.countProducts(), before + 1);
  });

  test('without the admin token the service refuses the import, in one line saying how to give it', async () => {
    const before = await app.services.catalog.countProducts();
    const refused = await lookalikeWith({ DATA_DIR: join(dir, 'never-opened') }, 'import', 'idx', '--from', '20', '--count', '2', '--url', app.url).then(
      () => assert.fail('an import without the token was accepted'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(refused.code, 1);
    const said = refused.stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('import ['));
    assert.equal(said.length, 1, refused.stderr);
    assert.match(said[0]!, /UNAUTHENTICATED.*--token or ADMIN_TOKEN/);
    assert.equal(await app.services.catalog.countProducts(), before);
  });

  test('a busy answer (HTTP 503, TOO_BUSY, Retry-After) is waited out and the batch sent again', async () => {
    // Overload played in front of the real service: its first answer is the one an overloaded service gives.
    let busyAnswers = 0;
    const busyOnce = createServer((request, response) => {
      if (busyAnswers++ === 0) {
        request.resume();
        response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        response.end(JSON.stringify({ errors: [{ message: 'too busy', extensions: { code: 'TOO_BUSY' } }] }));
        return;
      }
      request.pipe(httpRequest(app.url, { method: 'POST', headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(response);
      }));
    }).listen(0, '127.0.0.1');
    await once(busyOnce, 'listening');
    try {
      const before = await app.services.catalog.countProducts();
      const started = performance.now();
      const { stdout } = await lookalikeWith(
        { DATA_DIR: join(dir, 'never-opened'), ADMIN_TOKEN: TOKEN },
        'import', 'idx', '--split', 'test', '--count', '2', '--url', `http://127.0.0.1:${(busyOnce.address() as AddressInfo).port}/`,
      );
      assert.match(stdout, /imported 2, skipped 0/);
      assert.equal(busyAnswers, 2);
      assert.ok(performance.now() - started >= 1000, 'waited the second Retry-After asked for');
      assert.equal(await app.services.catalog.countProducts(), before + 2);
    } finally {
      busyOnce.close();
    }
  });

  test('a service that cannot be reached is tried again; a second --url takes the batches meanwhile', async () => {
    const closed = await closedUrl();
    const before = await app.services.catalog.countProducts();
    const { stdout } = await lookalikeWith(
      { DATA_DIR: join(dir, 'never-opened'), ADMIN_TOKEN: TOKEN },
      'import', 'idx', '--from', '8', '--count', '4', '--batch-size', '1', '--url', closed, '--url', app.url,
    );
    assert.match(stdout, /imported 4, skipped 0/);
    assert.equal(await app.services.catalog.countProducts(), before + 4);
  });
});
