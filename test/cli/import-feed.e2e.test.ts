import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { lookalike } from '../support/command-line.js';

const DISTINCT_IMAGES = 24;
const ROWS = 1000;
const HEADER = 'sku,name,category,image,price,sizes,weight:number,note';

/** A 32x32 PNG of its own colour: the images rows share. */
function image(n: number): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 32, channels: 3, background: { r: (n * 37) % 256, g: (n * 91) % 256, b: (n * 53) % 256 } } })
    .png()
    .toBuffer();
}

function failure(promise: Promise<unknown>): Promise<{ code: number; stdout: string; stderr: string }> {
  return promise.then(
    () => assert.fail('the command succeeded'),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('import feed', () => {
  let dir: string;
  let server: Server;
  let images: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-feed-'));
    await mkdir(join(dir, 'images'));
    for (let n = 0; n < DISTINCT_IMAGES + 2; n++) await writeFile(join(dir, 'images', `${n}.png`), await image(n));
    await writeFile(join(dir, 'images', 'broken.png'), 'not an image at all');
    await writeFile(join(dir, 'outside.png'), await image(0));
    server = createServer((request, response) => {
      const n = /^\/img\/(\d+)\.png$/.exec(request.url ?? '')?.[1];
      if (n === undefined) return void response.writeHead(404).end();
      void image(Number(n)).then((bytes) => response.writeHead(200, { 'content-type': 'image/png' }).end(bytes));
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    images = `http://127.0.0.1:${(server.address() as AddressInfo).port}/img`;
  });
  after(async () => {
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Row i of the feed: every 50th image by link from the local server, the others files next to the feed. */
  function row(i: number, changes: { name?: string; price?: number; image?: number } = {}): string {
    const n = changes.image ?? i % DISTINCT_IMAGES;
    const picture = i % 50 === 0 ? `${images}/${n}.png` : `images/${n}.png`;
    return `P${i},${changes.name ?? `"Product ${i}, plain"`},cat${i % 5},${picture},${changes.price ?? i + 0.5},S|M,${i},`;
  }

  /** The feed's lines; the bad rows replace the good ones at these line numbers (line 1 is the header), with their codes. */
  const BAD: Record<number, [string, string]> = {
    11: [',No sku,cat0,images/1.png,1,,,', 'BAD_USER_INPUT'],
    102: ['B102,Missing file,cat0,images/nope.png,1,,,', 'IMAGE_NOT_FOUND'],
    203: ['B203,Broken file,cat0,images/broken.png,1,,,', 'INVALID_IMAGE'],
    304: ['B304,Forbidden link,cat0,http://169.254.169.254/latest/a.png,1,,,', 'IMAGE_URL_FORBIDDEN'],
    405: [`B405,Long note,cat0,images/1.png,1,,,${'x'.repeat(1100)}`, 'BAD_USER_INPUT'],
    506: ['B506,No image,cat0,,1,,,', 'IMAGE_MISSING'],
    607: ['B607,Outside,cat0,../outside.png,1,,,', 'IMAGE_PATH_FORBIDDEN'],
    708: ['P3,Repeated sku,cat0,images/1.png,1,,,', 'DUPLICATE_SKU'],
    809: ['B809,Bad weight,cat0,images/1.png,1,,"1,5",', 'BAD_ROW'],
    910: ['B910,,cat0,images/1.png,1,,,', 'BAD_USER_INPUT'],
  };
  const feed = (edit: (i: number) => string | undefined = () => undefined) =>
    [HEADER, ...Array.from({ length: ROWS }, (_, i) => BAD[i + 2]?.[0] ?? edit(i) ?? row(i))].join('\r\n') + '\r\n';
  const env = () => ({ DATA_DIR: join(dir, 'data'), IMAGE_URL_ALLOWED_HOSTS: '127.0.0.1' });
  const importFeed = (file: string, ...args: string[]) => lookalike(['import', 'feed', join(dir, file), ...args], env(), { timeout: 900_000 });

  test('a 1,000-row feed with 10 bad rows imports 990, lists exactly the 10 with their lines and codes, and exits 2', async () => {
    await writeFile(join(dir, 'feed.csv'), feed());
    const started = performance.now();
    const run = await failure(importFeed('feed.csv', '--errors', join(dir, 'errors.jsonl')));
    console.log(`1,000-row feed imported in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout.trim(), 'added 990, updated 0, unchanged 0, failed 10');
    const errors = (await readFile(join(dir, 'errors.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { line: number; code: string; sku: string | null });
    assert.deepEqual(
      errors.map(({ line, code }) => [line, code]).sort((a, b) => Number(a[0]) - Number(b[0])),
      Object.entries(BAD).map(([line, [, code]]) => [Number(line), code]),
    );
    assert.equal(errors.find((e) => e.line === 203)!.sku, 'B203');
  });

  test('run again, the same feed leaves all 990 unchanged', async () => {
    const run = await failure(importFeed('feed.csv', '--errors', join(dir, 'errors-again.jsonl')));
    assert.equal(run.stdout.trim(), 'added 0, updated 0, unchanged 990, failed 10');
  });

  test('changed attributes, a name and an image are exactly what updates', async () => {
    const changed: Record<number, Parameters<typeof row>[1]> = { 20: { price: 1 }, 21: { price: 2 }, 22: { price: 3 }, 23: { name: 'Renamed' }, 24: { image: DISTINCT_IMAGES + 1 } };
    await writeFile(join(dir, 'changed.csv'), feed((i) => (changed[i] ? row(i, changed[i]) : undefined)));
    const run = await failure(importFeed('changed.csv', '--errors', join(dir, 'errors-changed.jsonl')));
    assert.equal(run.stdout.trim(), 'added 0, updated 5, unchanged 985, failed 10');
    const again = await failure(importFeed('changed.csv', '--errors', join(dir, 'errors-changed.jsonl')));
    assert.equal(again.stdout.trim(), 'added 0, updated 0, unchanged 990, failed 10');
  });

  test('--delete-missing: --dry-run counts, rows failing keep every product, a clean feed deletes what it no longer lists', async () => {
    const listed = (i: number) => i < ROWS - 5 && BAD[i + 2] === undefined;
    await writeFile(join(dir, 'clean.csv'), [HEADER, ...Array.from({ length: ROWS }, (_, i) => (listed(i) ? [row(i)] : [])).flat()].join('\n'));
    await writeFile(join(dir, 'failing.csv'), [HEADER, ...Array.from({ length: ROWS - 5 }, (_, i) => BAD[i + 2]?.[0] ?? row(i))].join('\n'));

    const dry = await importFeed('clean.csv', '--delete-missing', '--dry-run');
    assert.equal(dry.stdout.trim(), 'dry run, nothing written: would add 0, update 5, leave 980 unchanged; 0 failed; would delete 5');
    const failing = await failure(importFeed('failing.csv', '--delete-missing', '--errors', join(dir, 'errors-failing.jsonl')));
    assert.equal(failing.code, 2);
    assert.equal(failing.stdout.trim(), 'added 0, updated 5, unchanged 980, failed 10, deleted 0');
    assert.match(failing.stderr, /not deleting the 5 products the feed no longer lists: 10 rows failed/);
    const clean = await importFeed('clean.csv', '--delete-missing');
    assert.equal(clean.stdout.trim(), 'added 0, updated 0, unchanged 985, failed 0, deleted 5');
    assert.match((await importFeed('clean.csv', '--delete-missing', '--dry-run')).stdout.trim(), /; would delete 0$/);
  });
});
