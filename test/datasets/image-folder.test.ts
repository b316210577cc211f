import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listImageFolder } from '../../src/datasets/image-folder.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

test('lists DIR/<category>/<file> images with a stable sku, skipping other files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'folder-'));
  dirs.push(dir);
  for (const [category, files] of Object.entries({ shoes: ['b.JPG', 'a.png', 'notes.txt'], bags: ['x.webp', 'y.jpeg'] })) {
    await mkdir(join(dir, category));
    for (const file of files) await writeFile(join(dir, category, file), 'x');
  }
  await writeFile(join(dir, 'README.md'), 'not a category');
  const images = await listImageFolder(dir);
  assert.deepEqual(
    images.map((i) => [i.sku, i.name, i.category]),
    [
      ['bags/x.webp', 'x', 'bags'],
      ['bags/y.jpeg', 'y', 'bags'],
      ['shoes/a.png', 'a', 'shoes'],
      ['shoes/b.JPG', 'b', 'shoes'],
    ],
  );
  assert.equal(images[0]!.path, join(dir, 'bags', 'x.webp'));
});
