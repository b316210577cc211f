import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { SpaceOrigin } from '../../src/db/search.repository.js';
import { IndexSnapshots, type SnapshotKey } from '../../src/search/index-snapshot.js';
import { VectorTable } from '../../src/search/vector-table.js';
import { SNAPSHOT_ORIGIN, snapshotTableAt } from '../support/snapshot-tables.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';

const WRITER = fileURLToPath(new URL('../support/snapshot-writer-process.ts', import.meta.url));

const ORIGIN: SpaceOrigin = { database: '6f1c1f0e-2b7d-4c57-9a43-3a3c0f5f8d10', activatedAt: '2026-12-01 05:00:00.123456+00' };
const KEY: SnapshotKey = { space: 7, origin: ORIGIN, generation: 40 };
/** The category keys of codes 1 to 4; code 0 is none. */
const CATEGORY_KEYS = ['bag', 'coat', 'shirt', 'sneaker'];

function tableOf(count: number, seed: number): VectorTable {
  const random = seededRandom(seed);
  const table = new VectorTable();
  // Ids out of order, with a deletion that moved the last row: the layout a live table has.
  for (let i = 0; i < count; i++) table.set(1000 - 3 * i, randomVector(random, 512), i % (CATEGORY_KEYS.length + 1));
  table.delete(1000 - 3 * 5);
  return table;
}

async function assertSameTable(actual: VectorTable, expected: VectorTable): Promise<void> {
  assert.equal(actual.size, expected.size);
  const image = expected.image();
  const categories = (table: VectorTable) => {
    const { ids, categories: codes } = table.image();
    return new Map(Array.from(ids, (id, i) => [id, codes[i]]));
  };
  assert.deepEqual(categories(actual), categories(expected));
  for (const id of image.ids) {
    assert.deepEqual(actual.vectorOf(id), expected.vectorOf(id));
    assert.equal(actual.radiusOf(id), expected.radiusOf(id));
  }
  const query = randomVector(seededRandom(3), 512);
  const distances = async (table: VectorTable) => {
    const scan = await table.squaredDistances(query);
    return new Map(Array.from(scan.ids, (id, i) => [id, scan.distances[i]]));
  };
  assert.deepEqual(await distances(actual), await distances(expected));
}

describe('IndexSnapshots', () => {
  let dir: string;
  let lines: string[];
  let snapshots: IndexSnapshots;
  const table = tableOf(300, 1);
  const file = () => join(dir, `${ORIGIN.database}.index`);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-snapshot-'));
    lines = [];
    snapshots = new IndexSnapshots(dir, (line) => lines.push(line));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('restores the table it saved, rows, radii and distances alike, at the saved generation', async () => {
    await snapshots.save(KEY, table, CATEGORY_KEYS);
    const restored = await snapshots.restore(KEY.space, ORIGIN, 45);
    assert.equal(restored?.generation, 40);
    assert.deepEqual(restored.categoryKeys, CATEGORY_KEYS);
    await assertSameTable(restored.table, table);
    assert.deepEqual(await readdir(dir), [`${ORIGIN.database}.index`]);
  });

  test('restores a partitioned table whose deletions left holes between its blocks, each row with its category', async () => {
    const partitioned = tableOf(300, 4);
    await partitioned.partition(16);
    assert.ok(partitioned.blocks > 4);
    for (const id of [1000, 997, 994, 700, 403]) partitioned.delete(id);
    await snapshots.save(KEY, partitioned, CATEGORY_KEYS);
    const restored = await snapshots.restore(KEY.space, ORIGIN, 45);
    await assertSameTable(restored!.table, partitioned);
  });

  test('ignores a snapshot past the database’s generation, or of another database, space or activation', async () => {
    await snapshots.save(KEY, table, CATEGORY_KEYS);
    lines.length = 0;
    assert.equal(await snapshots.restore(KEY.space, ORIGIN, 39), undefined);
    assert.equal(await snapshots.restore(8, ORIGIN, 45), undefined);
    assert.equal(await snapshots.restore(null, ORIGIN, 45), undefined);
    assert.equal(await snapshots.restore(KEY.space, { ...ORIGIN, activatedAt: '2026-12-01 05:00:00.123457+00' }, 45), undefined);
    // Another database's file name: nothing there.
    assert.equal(await snapshots.restore(KEY.space, { ...ORIGIN, database: '00000000-0000-0000-0000-000000000000' }, 45), undefined);
    assert.equal(lines.filter((line) => line.startsWith('search index snapshot ignored')).length, 4, lines.join('\n'));
  });

  test('ignores a snapshot cut short anywhere, from its header to its last row', async () => {
    await snapshots.save(KEY, table, CATEGORY_KEYS);
    const whole = await readFile(file());
    for (const length of [0, 10, 30, 200, 3000, whole.length - 600, whole.length - 1]) {
      await writeFile(file(), whole);
      await truncate(file(), length);
      assert.equal(await snapshots.restore(KEY.space, ORIGIN, 45), undefined, `cut to ${length} bytes`);
    }
  });

  test('ignores a snapshot with any one byte changed, in its key, radii, ids or rows', async () => {
    await snapshots.save(KEY, table, CATEGORY_KEYS);
    const whole = await readFile(file());
    const random = seededRandom(9);
    const positions = [12, 40, 100, 28 + 200 + 8 * 17, whole.length - 4 * 300 - 512 * 100, whole.length - 1];
    for (let i = 0; i < 6; i++) positions.push(28 + Math.floor(random() * (whole.length - 28)));
    for (const position of positions) {
      const damaged = Buffer.from(whole);
      damaged[position] = damaged[position]! ^ 0x10;
      await writeFile(file(), damaged);
      assert.equal(await snapshots.restore(KEY.space, ORIGIN, 45), undefined, `byte ${position} changed`);
    }
    await writeFile(file(), whole);
    assert.ok(await snapshots.restore(KEY.space, ORIGIN, 45), 'the undamaged file is read');
  });

  test('a hostile file of the right name and length never becomes an index', async () => {
    const hostile = Buffer.alloc(28 + 8);
    hostile.write('LKINDEX\x02', 'latin1');
    hostile.writeUInt32LE(8, 8);
    hostile.writeUInt32LE(0xffffffff, 12);
    hostile.writeUInt32LE(0, 16);
    hostile.writeUInt32LE(0, 20);
    hostile.write('{"a":1} ', 28);
    await writeFile(file(), hostile);
    assert.equal(await snapshots.restore(KEY.space, ORIGIN, 45), undefined);
    // Billions of rows claimed, the file short of them.
    hostile.writeUInt32LE(0x7fffffff, 20);
    await writeFile(file(), hostile);
    assert.equal(await snapshots.restore(KEY.space, ORIGIN, 45), undefined);
  });

  test('replaces an older snapshot, and removes the temporary file of a writer that died', async () => {
    await writeFile(`${file()}.999999999.1.tmp`, 'half a snapshot');
    await snapshots.save(KEY, table, CATEGORY_KEYS);
    const newer = tableOf(120, 2);
    await snapshots.save({ ...KEY, generation: 44 }, newer, CATEGORY_KEYS);
    const restored = await snapshots.restore(KEY.space, ORIGIN, 45);
    assert.equal(restored?.generation, 44);
    await assertSameTable(restored.table, newer);
    assert.deepEqual(await readdir(dir), [`${ORIGIN.database}.index`]);
  });
});

describe('IndexSnapshots under kill -9', () => {
  test('a writer killed at any instant leaves a whole snapshot, the last it saved or the one it was saving', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lookalike-snapshot-kill-'));
    try {
      const reader = new IndexSnapshots(dir);
      const random = seededRandom(17);
      let first = 1;
      for (let kill = 0; kill < 3; kill++) {
        const writer = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(first)], { stdio: ['ignore', 'pipe', 'inherit'] });
        const saved: number[] = [];
        createInterface({ input: writer.stdout! }).on('line', (line) => saved.push(Number(line.split(' ')[1])));
        const exited = once(writer, 'exit');
        while (saved.length === 0 && writer.exitCode === null) await sleep(20);
        await sleep(random() * 300);
        writer.kill('SIGKILL');
        await exited;
        const restored = await reader.restore(1, SNAPSHOT_ORIGIN, Number.MAX_SAFE_INTEGER);
        const last = saved.at(-1)!;
        assert.ok(restored && [last, last + 1].includes(restored.generation), `after saving ${last}: ${restored?.generation}`);
        assert.deepEqual(restored.table.image().rows, snapshotTableAt(restored.generation).image().rows);
        first = restored.generation + 1;
      }
      await reader.save({ space: 1, origin: SNAPSHOT_ORIGIN, generation: first }, snapshotTableAt(first), []);
      assert.deepEqual(await readdir(dir), [`${SNAPSHOT_ORIGIN.database}.index`], 'the killed writers’ temporary files are gone');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
