import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { lookalike, startLookalike } from '../support/command-line.js';

// Each row its own image: a file seen again would skip ResNet50 and end the import before its signal.
const ROWS = 64;

/** Starts a feed import and signals it once its progress shows products written, not before. */
async function interrupted(feed: string, dataDir: string, signal: NodeJS.Signals) {
  const child = startLookalike(['import', 'feed', feed, '--batch-size', '8'], { DATA_DIR: dataDir });
  let stderr = '';
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (new RegExp(`\\b[1-9]\\d*/${ROWS}\\b`).test(stderr)) resolve();
    });
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

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-feed-stopped-'));
    await mkdir(join(dir, 'images'));
    for (let n = 0; n < ROWS; n++) {
      const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: n * 2, g: 255 - n * 2, b: (n * 37) % 256 } } }).png().toBuffer();
      await writeFile(join(dir, 'images', `${n}.png`), png);
    }
    feed = join(dir, 'feed.csv');
    await writeFile(feed, ['sku,name,image,price', ...Array.from({ length: ROWS }, (_, i) => `S${i},Product ${i},images/${i}.png,${i}`)].join('\n'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const signal of ['SIGKILL', 'SIGINT'] as const) {
    test(`by ${signal}: run again, it adds exactly what is missing, and a third run finds every product unchanged`, async () => {
      const dataDir = join(dir, signal);
      const stopped = await interrupted(feed, dataDir, signal);
      if (signal === 'SIGKILL') assert.equal(stopped.killedBy, 'SIGKILL');
      else assert.equal(stopped.code, 130, stopped.stderr);

      const again = summary((await lookalike(['import', 'feed', feed], { DATA_DIR: dataDir }, { timeout: 600_000 })).stdout);
      assert.equal(again.failed, 0);
      assert.equal(again.updated, 0);
      assert.ok(again.unchanged > 0, 'the first run had written some products before it stopped');
      assert.equal(again.added + again.unchanged, ROWS);

      const third = summary((await lookalike(['import', 'feed', feed], { DATA_DIR: dataDir }, { timeout: 600_000 })).stdout);
      assert.deepEqual(third, { added: 0, updated: 0, unchanged: ROWS, failed: 0 });
    });
  }
});
