import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';

const SCRIPT = fileURLToPath(new URL('../../scripts/check-toolchain.sh', import.meta.url));
const run = promisify(execFile);

/** The script, with `node` and `npm` on the PATH answering these versions (no other Node can be installed here). */
async function checkWith(nodeVersion: string, npmVersion: string) {
  const bin = await mkdtemp(join(tmpdir(), 'lookalike-toolchain-'));
  try {
    for (const [name, version] of [['node', `v${nodeVersion}`], ['npm', npmVersion]]) {
      await writeFile(join(bin, name!), `#!/bin/sh\necho ${version}\n`);
      await chmod(join(bin, name!), 0o755);
    }
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    return await run(SCRIPT, { env }).then(
      ({ stderr }) => ({ code: 0, stderr }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
}

test('Node 20 with its own npm 10 is told in one line what to install', async () => {
  assert.deepEqual(await checkWith('20.10.0', '10.2.4'), {
    code: 1,
    stderr: 'lookalike needs Node 20.19 or later and npm 11.16 or later (found node 20.10.0, npm 10.2.4): install Node 20.19+ and run `npm install -g npm@11`\n',
  });
});

test('either one too old is enough to stop', async () => {
  assert.equal((await checkWith('20.18.3', '11.16.0')).code, 1);
  assert.equal((await checkWith('22.1.0', '11.15.9')).code, 1);
});

test('the versions the project needs, and later ones, pass silently', async () => {
  for (const [node, npm] of [['20.19.0', '11.16.0'], ['22.12.0', '11.21.3'], ['24.0.0', '12.0.0']]) {
    assert.deepEqual(await checkWith(node!, npm!), { code: 0, stderr: '' }, `${node} ${npm}`);
  }
});
