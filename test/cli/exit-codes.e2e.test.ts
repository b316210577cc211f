import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FASHION_MNIST_DIR } from '../../src/datasets/idx-dataset.js';
import { lookalike, startLookalike } from '../support/command-line.js';

function lookalikeOn(dataDir: string, ...args: string[]) {
  return lookalike(args, { DATA_DIR: dataDir });
}

function failure(promise: Promise<unknown>): Promise<{ code: number; stdout: string; stderr: string }> {
  return promise.then(
    () => assert.fail('the command succeeded'),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('the command line, what it says and how it exits', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-exit-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('help names every command, exits 0, and shows no 2^53 default', async () => {
    const { stdout } = await lookalikeOn(join(dir, 'unused'), '--help');
    for (const command of ['demo', 'import', 'train', 'evaluate', 'fetch-weights']) assert.match(stdout, new RegExp(`^\\s+${command}\\b`, 'm'));
    const idx = (await lookalikeOn(join(dir, 'unused'), 'import', 'idx', '--help')).stdout;
    assert.match(idx, /--count <n>\s+number of items \(default: all\)/);
    assert.doesNotMatch(idx, /9007199254740991/);
    assert.match((await lookalikeOn(join(dir, 'unused'), 'demo', '--help')).stdout, /--size <size>.*choices: "small", "medium".*default: "medium"/s);
    assert.equal(existsSync(join(dir, 'unused')), false, 'help opened no database');
  });

  test('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal((await lookalikeOn(join(dir, 'unused'), '--version')).stdout, `${version}\n`);
  });

  test('a bad argument exits 1 with one line', async () => {
    for (const args of [['import', 'idx', '--count', 'many'], ['import', 'folder', dir, '--tries', '0'], ['demo', '--size', 'huge'], ['no-such-command']]) {
      const refused = await failure(lookalikeOn(join(dir, 'unused'), ...args));
      assert.equal(refused.code, 1, args.join(' '));
      assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    }
  });

  test('the demo without Fashion-MNIST says in one line where it looked and how to install it', async () => {
    const refused = await failure(lookalikeOn(join(dir, 'no-dataset'), 'demo', '--size', 'small', '--dir', join(dir, 'nowhere')));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /nowhere.*install-debian-packages\.sh/);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  });

  test(
    'Ctrl-C during an import stops it after the batches in flight, in one line without a stack, with exit 130',
    { skip: !existsSync(FASHION_MNIST_DIR) && 'Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)' },
    async () => {
      const child = startLookalike(['import', 'idx', '--count', '2000', '--batch-size', '8'], { DATA_DIR: join(dir, 'interrupted') });
      let stderr = '';
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
      const exited = once(child, 'exit');
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk;
          // The progress bar is drawn once the services are up and the import has begun.
          if (/^import \[/m.test(stderr)) resolve();
        });
      });
      child.kill('SIGINT');
      const [code, signal] = await exited;
      assert.equal(signal, null, stderr);
      assert.equal(code, 130, stderr);
      const lines = stderr.trim().split('\n');
      assert.match(lines.at(-1)!, /^interrupted: \d+ imported, 0 skipped; run the same command again to continue$/);
      assert.equal(lines.filter((line) => line.startsWith('interrupted')).length, 1);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
      assert.equal(stdout, '');
    },
  );
});
