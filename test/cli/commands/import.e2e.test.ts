import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { lookalike } from '../../support/command-line.js';
import { closedUrl } from '../../support/free-port.js';

interface Ended {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command's code, stdout and stderr, whether it exited 0 or not. */
function run(args: string[], env: Record<string, string>): Promise<Ended> {
  return lookalike(args, env).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Ended) => error,
  );
}

/** What the command said on stderr, the progress bar's lines left out. */
function said(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('import ['));
}

const STACK = /\n\s+at /;

describe('import folder and idx, what they say and how they exit', () => {
  let dir: string;
  let folder: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-import-'));
    folder = join(dir, 'photos');
    const colours = { cats: [[200, 40, 40], [180, 60, 30]], dogs: [[30, 40, 200], [40, 90, 180]] };
    for (const [category, rgbs] of Object.entries(colours)) {
      await mkdir(join(folder, category), { recursive: true });
      for (const [i, [r, g, b]] of rgbs.entries()) {
        const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: r!, g: g!, b: b! } } }).png().toBuffer();
        await writeFile(join(folder, category, `${i}.png`), png);
      }
    }
    await writeFile(join(folder, 'cats', 'broken.png'), 'these bytes are no image');
    await writeFile(join(folder, 'cats', 'notes.txt'), 'not an image');
    await writeFile(join(folder, 'outside.png'), await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toBuffer());
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a damaged file is named with its code and skipped, the good ones imported, the rest counted as ignored, and the import exits 2', async () => {
    const data = join(dir, 'db');
    const first = await run(['import', 'folder', folder], { DATA_DIR: data });
    assert.equal(first.code, 2, first.stderr);
    assert.equal(first.stdout.trim().split('\n').at(-1), 'imported 4, skipped 0 already in the catalog, failed 1, ignored 2');
    const named = said(first.stderr).filter((line) => /^\S+\.png: /.test(line));
    assert.equal(named.length, 1, first.stderr);
    assert.match(named[0]!, /^cats\/broken\.png: INVALID_IMAGE: \S/);
    assert.doesNotMatch(first.stderr, STACK);

    const verbose = await run(['--verbose', 'import', 'folder', folder], { DATA_DIR: data });
    assert.equal(verbose.code, 2, verbose.stderr);
    assert.equal(verbose.stdout.trim().split('\n').at(-1), 'imported 0, skipped 4 already in the catalog, failed 1, ignored 2');
    assert.match(verbose.stderr, /^ignored cats\/notes\.txt: /m);
    assert.match(verbose.stderr, /^ignored outside\.png: /m);
  });

  test('a folder that is not there is one line and exit 1; --verbose adds the stack', async () => {
    const missing = join(dir, 'nowhere');
    const plain = await run(['import', 'folder', missing], { DATA_DIR: join(dir, 'unused') });
    assert.equal(plain.code, 1);
    assert.deepEqual(said(plain.stderr), [`cannot read the folder ${missing}: ENOENT`]);
    const verbose = await run(['import', 'folder', missing, '--verbose'], { DATA_DIR: join(dir, 'unused') });
    assert.equal(verbose.code, 1);
    assert.match(verbose.stderr, STACK);
  });

  test('a setting the configuration refuses is one line naming it, and exit 1', async () => {
    const refused = await run(['import', 'folder', folder], { DATA_DIR: join(dir, 'unused'), FEATURE_WORKERS: 'lots' });
    assert.equal(refused.code, 1);
    assert.deepEqual(said(refused.stderr).length, 1, refused.stderr);
    assert.match(refused.stderr, /^invalid configuration: FEATURE_WORKERS: /);
  });

  test('a service that cannot be reached is said at each retry, then given up in one line with exit 1', async () => {
    const closed = await closedUrl();
    const ended = await run(['import', 'folder', folder, '--url', closed, '--tries', '3'], { DATA_DIR: join(dir, 'unused') });
    assert.equal(ended.code, 1, ended.stderr);
    const lines = said(ended.stderr);
    const escaped = closed.replaceAll('.', '\\.');
    assert.equal(lines.length, 3, ended.stderr);
    assert.match(lines[0]!, new RegExp(`^${escaped}: cannot be reached \\(ECONNREFUSED\\); try 2 of 3 in \\d+\\.\\d s$`));
    assert.match(lines[1]!, new RegExp(`^${escaped}: cannot be reached \\(ECONNREFUSED\\); try 3 of 3 in \\d+\\.\\d s$`));
    assert.equal(lines[2], `${closed}: cannot be reached (ECONNREFUSED); gave up after 3 tries`);
    assert.equal(ended.stdout, '');
  });
});
