import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { openPGlite } from '../../src/db/pglite-cluster.js';

/** initdb gives every cluster an identifier of its own: equal ones were copied from one cluster. */
async function systemIdentifier(pglite: PGlite): Promise<string> {
  const { rows } = await pglite.query<{ id: string }>('select system_identifier::text as id from pg_control_system()');
  return rows[0]!.id;
}

async function identifierOf(dataDir: string, cacheDir: string | undefined): Promise<string> {
  const pglite = await openPGlite(dataDir, cacheDir);
  try {
    await pglite.exec('create extension if not exists vector');
    return await systemIdentifier(pglite);
  } finally {
    await pglite.close();
  }
}

describe('a new embedded database starts from the empty cluster kept in the cache folder', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-cluster-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('the first keeps a copy of its empty cluster; later ones, in memory or in a new folder, start from it', async () => {
    const cache = join(dir, 'cache');
    const first = await identifierOf('memory://', cache);
    assert.equal((await readdir(cache)).filter((name) => name.endsWith('-empty-cluster.tar')).length, 1);
    assert.equal(await identifierOf('memory://', cache), first);
    assert.equal(await identifierOf(join(dir, 'folder'), cache), first);
  });

  for (const [damage, bytes] of [
    ['not a tar at all', Buffer.from('garbage'.repeat(1000))],
    ['cut short, as a copy whose writer was killed', undefined],
  ] as const) {
    test(`a copy that is ${damage} is passed over: the database runs initdb and the copy is written whole again`, async () => {
      const cache = join(dir, `damaged-${damage.length}`);
      const whole = await identifierOf('memory://', cache);
      const [name] = (await readdir(cache)).filter((file) => file.endsWith('-empty-cluster.tar'));
      const copy = join(cache, name!);
      await writeFile(copy, bytes ?? (await readFile(copy)).subarray(0, 4 * 1024 * 1024));
      const fresh = await identifierOf('memory://', cache);
      assert.notEqual(fresh, whole, 'initdb made a cluster of its own');
      assert.equal(await identifierOf('memory://', cache), fresh, 'the copy was written again, from that cluster');
    });
  }

  test('a folder that holds a database opens as it is, with its own data', async () => {
    const folder = join(dir, 'own');
    const own = await identifierOf(folder, undefined);
    const pglite = await openPGlite(folder, join(dir, 'cache'));
    try {
      assert.equal(await systemIdentifier(pglite), own);
    } finally {
      await pglite.close();
    }
  });

  test('without a cache folder, or with one it cannot write, each database runs initdb', async () => {
    const notAFolder = join(dir, 'a-file');
    await writeFile(notAFolder, '');
    const identifiers = [await identifierOf('memory://', undefined), await identifierOf('memory://', notAFolder), await identifierOf('memory://', notAFolder)];
    assert.equal(new Set(identifiers).size, 3);
  });
});
