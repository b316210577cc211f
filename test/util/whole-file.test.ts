import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { writeWholeFile } from '../../src/util/whole-file.js';

const MODULE = fileURLToPath(new URL('../../src/util/whole-file.ts', import.meta.url));

describe('a file written whole', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-whole-file-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('is the bytes given, in a folder made for it, with nothing left beside it', async () => {
    const path = join(dir, 'made', 'file.bin');
    await writeWholeFile(path, Buffer.from('lookalike'));
    assert.equal(await readFile(path, 'utf8'), 'lookalike');
    assert.deepEqual(await readdir(join(dir, 'made')), ['file.bin']);
  });

  test('written by two at once, is one of the two whole', async () => {
    const path = join(dir, 'twice.bin');
    const [a, b] = [Buffer.alloc(8 << 20, 1), Buffer.alloc(8 << 20, 2)];
    await Promise.all([writeWholeFile(path, a), writeWholeFile(path, b)]);
    const written = await readFile(path);
    assert.ok(written.equals(a) || written.equals(b));
  });

  test('is absent, never cut, when its writer is killed with SIGKILL part way', async () => {
    const folder = join(dir, 'killed');
    const path = join(folder, 'file.bin');
    const script = `const { writeWholeFile } = await import(${JSON.stringify(MODULE)}); process.stdout.write('go\\n'); for (;;) await writeWholeFile(${JSON.stringify(path)}.concat(String(Math.random())), Buffer.alloc(64 << 20, 7)); `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(child.stdout, 'data');
    // Killed while it writes beside some final name.
    for (let waited = 0; !(await readdir(folder).catch(() => [])).some((name) => name.startsWith('.')); waited += 5) {
      assert.ok(waited < 30_000, 'the writer never began a file');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGKILL');
    await once(child, 'exit');
    for (const name of await readdir(folder)) {
      if (name.startsWith('.')) continue;
      assert.equal((await readFile(join(folder, name))).length, 64 << 20, `${name} is cut`);
    }
  });
});
