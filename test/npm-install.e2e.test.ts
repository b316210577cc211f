import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import semver from 'semver';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

interface PackageJson {
  engines: { node: string };
  allowScripts?: Record<string, boolean>;
}

interface Lockfile {
  packages: Record<string, { version?: string; hasInstallScript?: boolean; engines?: { node?: string } }>;
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(join(ROOT, file), 'utf8')) as T;
}

/**
 * `npm test` runs under npm, which hands its settings to child processes as
 * npm_* variables; an npm started with them would judge the parent's
 * settings, not the project's.
 */
function withoutNpmSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name)));
}

describe('installing the project', () => {
  test('npm ci prints no warning', async () => {
    // A copy of the project's npm files: the dry run then cannot touch this
    // tree's node_modules, and reads the project .npmrc when there is one.
    const dir = await mkdtemp(join(tmpdir(), 'lookalike-npm-ci-'));
    try {
      for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
        if (existsSync(join(ROOT, file))) await copyFile(join(ROOT, file), join(dir, file));
      }
      const { stdout, stderr } = await run('npm', ['ci', '--dry-run'], {
        cwd: dir,
        // Nor the machine user's ~/.npmrc (this one's sets nodedir, which npm 11 warns of): the project's files alone.
        env: { ...withoutNpmSettings(process.env), npm_config_userconfig: join(dir, 'no-user.npmrc') },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 120_000,
      });
      const warnings = `${stdout}\n${stderr}`.split('\n').filter((line) => /^npm warn/i.test(line));
      assert.deepEqual(warnings, []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('every locked package runs on the lowest Node the project declares', async () => {
    const { engines } = await readJson<PackageJson>('package.json');
    const { packages } = await readJson<Lockfile>('package-lock.json');
    const lowest = semver.minVersion(engines.node)!;
    const refusing = Object.entries(packages)
      .filter(([, entry]) => entry.engines?.node && !semver.satisfies(lowest, entry.engines.node))
      .map(([path, entry]) => `${path}@${entry.version} needs Node ${entry.engines!.node}`);
    assert.deepEqual(refusing, [], `engines.node is ${engines.node}`);
  });

  test('allowScripts decides every install script in the lockfile, whatever npm version installs', async () => {
    const { allowScripts = {} } = await readJson<PackageJson>('package.json');
    const { packages } = await readJson<Lockfile>('package-lock.json');
    const withScripts = Object.entries(packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    assert.ok(withScripts.length > 0);
    assert.deepEqual(
      withScripts.filter((name) => typeof allowScripts[name] !== 'boolean'),
      [],
      'packages with an install script that allowScripts neither allows nor denies',
    );
  });

  test("onnxruntime-node's install script, which downloads CUDA files from outside the registry, is denied", async () => {
    const { allowScripts = {} } = await readJson<PackageJson>('package.json');
    assert.equal(allowScripts['onnxruntime-node'], false);
  });
});
