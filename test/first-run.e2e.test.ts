import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm, stat, symlink } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { FASHION_MNIST_CATEGORIES, FASHION_MNIST_DIR } from '../src/datasets/idx-dataset.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const TOKEN = 'the-first-run-admin-token';

/** The sh code block of the README that follows `lead`, cut into its commands: each begins with a `# ` comment. */
async function readmeCommands(clone: string, lead: string): Promise<Map<string, string>> {
  const readme = await readFile(join(clone, 'README.md'), 'utf8');
  const at = readme.indexOf(lead);
  assert.ok(at >= 0, `README has no "${lead}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  return new Map(block.split(/\n(?=# )/).map((command) => [command.slice(0, command.indexOf('\n')), command]));
}

function withoutDataDir(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(environment).filter(([name]) => name !== 'DATA_DIR'));
}

/** What a newcomer does after cloning: build, the demo, the service, the README's examples. */
describe('a first run from a fresh clone', { skip: !existsSync(FASHION_MNIST_DIR) && 'Fashion-MNIST is not installed' }, () => {
  let dir: string;
  let clone: string;
  let service: ChildProcess | undefined;
  let url: string;
  // The defaults a newcomer has: data/ in the clone; a port of its own, so as not to meet another service.
  const env = { ...withoutDataDir(process.env), ADMIN_TOKEN: TOKEN, PORT: '0', LOG_LEVEL: 'info' };

  const npm = (...args: string[]) => run('npm', args, { cwd: clone, env, maxBuffer: 16 * 1024 * 1024 });
  const sh = async (command: string) => {
    const { stdout } = await run('bash', ['-c', command.replaceAll('http://127.0.0.1:4000/', url)], { cwd: clone, env, maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout) as { data?: Record<string, any>; errors?: unknown[] };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-first-run-'));
    clone = join(dir, 'lookalike');
    await run('git', ['clone', '--quiet', ROOT, clone]);
    await symlink(await realpath(join(ROOT, 'node_modules')), join(clone, 'node_modules'));
  });
  after(async () => {
    if (service?.exitCode === null) {
      process.kill(-service.pid!, 'SIGTERM');
      await once(service, 'exit');
    }
    // npm may exit before the service under it has written its last search index snapshot.
    await rm(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
  });

  test('npm run build leaves an executable command line, runnable as npx lookalike', async () => {
    await npm('run', 'build');
    assert.ok(((await stat(join(clone, 'dist', 'cli', 'main.js'))).mode & 0o111) !== 0, 'dist/cli/main.js is executable');
    const { stdout } = await run('npx', ['--offline', 'lookalike', '--help'], { cwd: clone, env });
    assert.match(stdout, /^Usage: lookalike /);
    assert.match(stdout, /^\s+demo\b/m);
  });

  test('npm run demo -- --size small fills data/ with a trained catalog and says what to try; a rerun has nothing left to do', async () => {
    const first = await npm('run', 'demo', '--', '--size', 'small');
    assert.match(first.stdout, /imported 300, skipped 0/);
    assert.match(first.stdout, /training run 1 succeeded: model version 1 active, val_acc [\d.]+ \(epoch 2 of 2\), 300 products embedded/);
    assert.match(first.stdout, /Start the service with `npm start` and open http:\/\/127\.0\.0\.1:0\//);
    assert.equal(first.stdout.match(/^ {2}curl -s /gm)?.length, 3);
    assert.match(first.stderr, /import \[#+\] 100% \| 300\/300 images/, 'progress');

    const again = await npm('run', 'demo', '--', '--size', 'small');
    assert.match(again.stdout, /imported 0, skipped 300/);
    assert.match(again.stdout, /training run 1 already covers the 300 products/);
  });

  test("the README's examples run verbatim against npm start on the demo catalog", async () => {
    service = spawn('npm', ['start'], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    let log = '';
    url = await new Promise<string>((resolve, reject) => {
      service!.stdout!.on('data', (chunk: Buffer) => {
        log += chunk;
        const started = /GraphQL API at (http:\/\/[^"]+)/.exec(log);
        if (started) resolve(started[1]!);
      });
      service!.once('exit', (code) => reject(new Error(`npm start exited ${code}: ${log}`)));
    });

    const examples = await readmeCommands(clone, 'Then, with the service running');
    assert.deepEqual([...examples.keys()], [
      '# Add a product (the image as base64 or a data URL).',
      "# The six products most similar to product 1, the demo catalog's first.",
      '# The six products most similar to an image that is not in the catalog.',
      '# What the service runs on.',
      '# Neighbours of product 1 among two categories (ignoring case), within a distance, not product 7.',
      '# More like products 1 and 2, less like 3: mean(p) + (mean(p) - mean(n)) in the active space.',
      '# Pairs of products at distance 6 or less (the same photo under two skus is at 0), 50 a page; pass endCursor as after.',
      '# Rename the product added above, found by its sku (a category or a new image would change the same way).',
    ]);
    const [add, similar, toImage, info, filtered, recommend, nearDuplicates, update] = [...examples.values()];

    const added = await sh(add!);
    assert.deepEqual(added.errors, undefined);
    assert.deepEqual({ ...added.data!.addProduct.product, id: undefined }, { id: undefined, sku: 'sample/ankle-boot', category: 'Ankle boot' });

    const neighbours = (await sh(similar!)).data!.similarProducts;
    assert.equal(neighbours.space, 'TRAINED_HEAD');
    assert.equal(neighbours.neighbours.length, 6);
    const product1 = (await sh(`curl -s http://127.0.0.1:4000/ -H 'content-type: application/json' -d '{"query": "{ product(id: \\"1\\") { category } }"}'`)).data!;
    assert.ok(FASHION_MNIST_CATEGORIES.includes(product1.product.category), 'product 1 is a demo product');

    const lookalikes = (await sh(toImage!)).data!.similarToImage.neighbours as { product: { category: string } }[];
    assert.equal(lookalikes.length, 6);
    assert.ok(lookalikes.filter((n) => n.product.category === 'Bag').length >= 3, JSON.stringify(lookalikes));

    assert.equal((await sh(info!)).data!.service.catalogSize, 301);

    const within = await sh(filtered!);
    assert.deepEqual(within.errors, undefined);
    for (const n of within.data!.similarProducts.neighbours as { distance: number; product: { category: string } }[]) {
      assert.ok(['Ankle boot', 'Sneaker'].includes(n.product.category) && n.distance <= 25, JSON.stringify(n));
    }
    const recommended = await sh(recommend!);
    assert.deepEqual(recommended.errors, undefined);
    assert.equal(recommended.data!.recommend.neighbours.length, 6);
    const pairs = await sh(nearDuplicates!);
    assert.deepEqual(pairs.errors, undefined);
    assert.equal(pairs.data!.nearDuplicates.space, 'TRAINED_HEAD');
    const updated = await sh(update!);
    assert.deepEqual(updated.errors, undefined);
    assert.deepEqual(updated.data!.updateProduct.product, { id: added.data!.addProduct.product.id, name: 'Ankle boot, black', category: 'Ankle boot' });

    const training = await readmeCommands(clone, '## Training the head');
    const [train, newest] = [...training.values()];
    const started = (await sh(train!)).data!.trainModel.trainingRun;
    assert.match(started.status, /QUEUED|RUNNING/);
    assert.equal((await sh(newest!)).data!.trainingRuns[0].id, started.id);
  });
});
