import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildStorefront } from '../../src/http/storefront-build.js';

/** The files index.html names, each present in `dir`. */
async function assertWhole(dir: string): Promise<string[]> {
  const html = await readFile(join(dir, 'index.html'), 'utf8');
  const named = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map(([, path]) => path!);
  assert.ok(named.some((path) => path.endsWith('.js')), 'index.html names the script');
  for (const path of named) assert.ok(existsSync(join(dir, path)), `${path} is there`);
  return named;
}

describe('building the storefront page', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'lookalike-storefront-build-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('a second build of the same sources leaves the page in place, its files untouched', async () => {
    const out = join(root, 'again');
    await buildStorefront(out);
    const [script] = await assertWhole(out);
    const before = await stat(join(out, script!));
    await buildStorefront(out);
    assert.equal((await stat(join(out, script!))).ino, before.ino, 'the same file, not a copy moved in');
    assert.deepEqual(await readdir(root), ['again'], 'no staging folder is left');
  });

  test('a page that lost a file it names is built again', async () => {
    const out = join(root, 'damaged');
    await buildStorefront(out);
    const [script] = await assertWhole(out);
    await rm(join(out, script!));
    await buildStorefront(out);
    await assertWhole(out);
  });

  test('a page from other sources is replaced whole', async () => {
    const out = join(root, 'stale');
    await buildStorefront(out);
    await writeFile(join(out, 'index.html'), '<!doctype html><title>an older page</title>');
    await buildStorefront(out);
    await assertWhole(out);
  });

  test('two builds at once over an older page end with one whole page in place and no staging folder', async () => {
    const out = join(root, 'together');
    // Both find the older page, so both move theirs in: the second rename meets the first's page.
    // Whether the two checks both come before either move is up to the scheduler: three rounds.
    for (let round = 0; round < 3; round++) {
      await mkdir(out, { recursive: true });
      await writeFile(join(out, 'index.html'), '<!doctype html><title>an older page</title>');
      await Promise.all([buildStorefront(out), buildStorefront(out)]);
      await assertWhole(out);
      assert.deepEqual((await readdir(root)).filter((name) => name.startsWith('together')), ['together']);
    }
  });
});
