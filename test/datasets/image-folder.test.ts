import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ImageFolderError, listImageFolder } from '../../src/datasets/image-folder.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

test('lists DIR/<category>/<file> images with a stable sku, and everything else as ignored', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'folder-'));
  dirs.push(dir);
  for (const [category, files] of Object.entries({ shoes: ['b.JPG', 'a.png', 'notes.txt'], bags: ['x.webp', 'y.jpeg'] })) {
    await mkdir(join(dir, category));
    for (const file of files) await writeFile(join(dir, category, file), 'x');
  }
  await writeFile(join(dir, 'README.md'), 'not a category');
  await writeFile(join(dir, 'top.png'), 'outside a category');
  await mkdir(join(dir, 'bags', 'nested'));
  const { images, ignored } = await listImageFolder(dir);
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
  assert.deepEqual(ignored, ['bags/nested', 'README.md', 'shoes/notes.txt', 'top.png']);
});

test('a folder that is not there is one ImageFolderError naming it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'folder-'));
  dirs.push(dir);
  const missing = join(dir, 'not-there');
  await assert.rejects(listImageFolder(missing), (error: unknown) => {
    assert.ok(error instanceof ImageFolderError);
    assert.equal(error.message, `cannot read the folder ${missing}: ENOENT`);
    return true;
  });
});
