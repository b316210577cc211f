import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { FASHION_MNIST_DIR } from '../../src/datasets/idx-dataset.js';
import { photoCatalog } from '../support/photo-catalog.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const run = promisify(execFile);

/** The command line as a user runs it, in its own process, on its own database. */
function lookalike(dataDir: string, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...process.env, DATA_DIR: dataDir, FEATURE_WORKERS: '2' },
    maxBuffer: 16 * 1024 * 1024,
  });
}

describe('the lookalike command line', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('--help lists the subcommands', async () => {
    const { stdout } = await lookalike(join(dir, 'unused'), '--help');
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
    assert.match((await lookalike(data, 'import', 'folder', folder)).stdout, /imported 4, skipped 0/);
    assert.match((await lookalike(data, 'import', 'folder', folder)).stdout, /imported 0, skipped 4/);
  });

  test(
    "evaluate runs the method's protocol on a small Fashion-MNIST slice and writes the report",
    { skip: !existsSync(FASHION_MNIST_DIR) && 'Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)' },
    async () => {
      const out = join(dir, 'report');
      const { stdout } = await lookalike(
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
});
