import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { compiledAfterSources } from '../../harness/service-entry.js';

describe('whether the processes tests start can run the compiled service', () => {
  let root: string;
  let src: string;
  let dist: string;
  const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
  const write = async (path: string, seconds: number) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '');
    await utimes(path, at(seconds), at(seconds));
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lookalike-service-entry-'));
    src = join(root, 'src');
    dist = join(root, 'dist');
    await write(join(src, 'main.ts'), 0);
    await write(join(src, 'cli', 'main.ts'), 0);
    await write(join(dist, 'main.js'), 10);
    await write(join(dist, 'cli', 'main.js'), 10);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('every source compiled after it last changed: compiled', async () => {
    assert.equal(compiledAfterSources(src, dist), true);
  });

  test('a source changed after its compiled file, in a folder below: not compiled', async () => {
    await write(join(src, 'cli', 'main.ts'), 20);
    assert.equal(compiledAfterSources(src, dist), false);
  });

  test('a source without a compiled file: not compiled', async () => {
    await write(join(src, 'search', 'scan.ts'), 0);
    assert.equal(compiledAfterSources(src, dist), false);
  });

  test('the page (src/web, bundled by esbuild) and declaration files are not asked for', async () => {
    await write(join(src, 'web', 'main.ts'), 20);
    await write(join(src, 'types.d.ts'), 20);
    assert.equal(compiledAfterSources(src, dist), true);
  });
});
