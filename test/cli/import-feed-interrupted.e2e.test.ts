import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import sharp from 'sharp';
import { lookalike, startLookalike, type CommandEnvironment } from '../support/command-line.js';
import { bytesRoute, startImageServer, type ImageServer, type Route } from '../support/image-server.js';

const ROWS = 48;
const BATCH = 8;
/** The feed's images are links to a store's image server of the test's, which sees when each is asked for. */
const ENV: CommandEnvironment = { IMAGE_URL_ALLOWED_HOSTS: '127.0.0.1' };

/**
 * Starts a feed import, two batches at once, and signals it once it asks
 * for an image of the third batch: it starts a batch when one of those in
 * flight is written, so products are written by then, and most rows are
 * not, however fast the machine.
 */
async function interrupted(feed: string, dataDir: string, signal: NodeJS.Signals, thirdBatchAsked: Promise<void>) {
  const child = startLookalike(['import', 'feed', feed, '--batch-size', String(BATCH), '--concurrency', '2'], { ...ENV, DATA_DIR: dataDir });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    void thirdBatchAsked.then(resolve);
    void exited.then(() => reject(new Error(`the import ended before it was signalled:\n${stderr}`)));
  });
  child.kill(signal);
  const [code, killedBy] = await exited;
  return { code, killedBy, stderr };
}

/** The last line of a feed import: its counts. */
function summary(stdout: string) {
  const [, added, updated, unchanged, failed] = /added (\d+), updated (\d+), unchanged (\d+), failed (\d+)/.exec(stdout) ?? [];
  return { added: Number(added), updated: Number(updated), unchanged: Number(unchanged), failed: Number(failed) };
}

describe('a feed import stopped part way', () => {
  let dir: string;
  let feed: string;
  let images: ImageServer;
  let thirdBatchAsked: Promise<void>;
  let askedForThirdBatch: () => void;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-feed-stopped-'));
    const routes: Record<string, Route> = {};
    for (let n = 0; n < ROWS; n++) {
      // Each row its own image: one seen before would skip ResNet50.
      const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: n * 2, g: 255 - n * 2, b: (n * 37) % 256 } } }).png().toBuffer();
      routes[`/${n}.png`] = (request, response, server) => {
        if (n >= 2 * BATCH) askedForThirdBatch();
        bytesRoute(png)(request, response, server);
      };
    }
    images = await startImageServer(routes);
    feed = join(dir, 'feed.csv');
    await writeFile(feed, ['sku,name,image,price', ...Array.from({ length: ROWS }, (_, i) => `S${i},Product ${i},${images.origin}/${i}.png,${i}`)].join('\n'));
  });
  beforeEach(() => {
    thirdBatchAsked = new Promise((resolve) => (askedForThirdBatch = resolve));
  });
  after(async () => {
    await images?.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGKILL', 'SIGINT'] as const) {
    test(`by ${signal}: run again, it adds exactly what is missing, and a third run finds every product unchanged`, async () => {
      const dataDir = join(dir, signal);
      const stopped = await interrupted(feed, dataDir, signal, thirdBatchAsked);
      if (signal === 'SIGKILL') assert.equal(stopped.killedBy, 'SIGKILL');
      else assert.equal(stopped.code, 130, stopped.stderr);

      const again = summary((await lookalike(['import', 'feed', feed], { ...ENV, DATA_DIR: dataDir }, { timeout: 600_000 })).stdout);
      assert.equal(again.failed, 0);
      assert.equal(again.updated, 0);
      assert.ok(again.unchanged > 0, 'the first run had written some products before it stopped');
      assert.ok(again.added > 0, 'the first run stopped before the end');
      assert.equal(again.added + again.unchanged, ROWS);

      const third = summary((await lookalike(['import', 'feed', feed], { ...ENV, DATA_DIR: dataDir }, { timeout: 600_000 })).stdout);
      assert.deepEqual(third, { added: 0, updated: 0, unchanged: ROWS, failed: 0 });
    });
  }
});
