import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

/**
 * npm hands its settings to child processes as npm_* variables, and the test
 * runner marks its children with NODE_TEST_CONTEXT (a marked `node --test`
 * reports to this runner instead of running): the clone's tier gets neither.
 */
function cleanEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name) && name !== 'NODE_TEST_CONTEXT'));
}

/**
 * What this working tree has that a clone of HEAD lacks, ignored files
 * aside: changes, and files git does not track. A tree without any is
 * itself the committed tree: CI's clean clone, whose whole suite is the run
 * of every tier that the clone below would repeat for the unit tier alone.
 */
const { stdout: uncommitted } = await run('git', ['status', '--porcelain'], { cwd: ROOT });

describe('a clone of the committed tree, in a folder with nothing beside it', () => {
  let folder: string;
  let clone: string;

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'lookalike-clone-'));
    clone = join(folder, 'lookalike');
    const { stdout: head } = await run('git', ['rev-parse', 'HEAD'], { cwd: ROOT });
    await run('git', ['clone', '--quiet', '--no-checkout', ROOT, clone]);
    await run('git', ['checkout', '--quiet', '--detach', head.trim()], { cwd: clone });
    // Installing needs the network; the packages are the same as this tree's.
    await symlink(await realpath(join(ROOT, 'node_modules')), join(clone, 'node_modules'), 'dir');
  });
  after(() => (folder ? rm(folder, { recursive: true, force: true }) : undefined));

  test('has no shared folder beside it', () => {
    assert.equal(existsSync(join(folder, 'shared')), false);
  });

  test('no source, test, harness or bench file names a folder outside the repository', async () => {
    // The folder named as one path, or as the segments of a join.
    const patterns = [String.raw`\.\./(\.\./)*shared\b`, String.raw`['"]\.\.['"],\s*['"]shared['"]`];
    const found = await run('git', ['grep', '-nE', ...patterns.flatMap((pattern) => ['-e', pattern]), '--', 'src', 'test', 'harness', 'bench', 'scripts', '.ci'], { cwd: clone }).then(
      ({ stdout }) => stdout,
      (error: { code?: number; stdout?: string }) => (error.code === 1 ? '' : Promise.reject(error)),
    );
    assert.equal(found, '');
  });

  const clean = uncommitted === '' && 'the working tree is the committed tree: this suite is already its run, and the test above finds no path out of it';
  test('passes the unit tier', { timeout: 600_000, skip: clean }, async () => {
    const options = { cwd: clone, env: cleanEnvironment(process.env), maxBuffer: 64 * 1024 * 1024, timeout: 590_000 };
    const { stdout, failure } = await run('npm', ['run', 'test:unit'], options).then(
      ({ stdout }) => ({ stdout, failure: undefined }),
      (error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', failure: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    // Only the failing tests' reports, not the whole tier's output.
    assert.equal(failure, undefined, failure?.split('\n').filter((line) => /^\s*not ok|error|Error/.test(line)).slice(0, 40).join('\n'));
    assert.match(stdout, /^# fail 0$/m);
    assert.ok(Number(/^# pass (\d+)$/m.exec(stdout)?.[1]) > 100, 'the tier ran its tests');
  });
});
