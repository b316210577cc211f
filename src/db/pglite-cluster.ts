import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { writeWholeFile } from '../util/whole-file.js';

/**
 * Opens an embedded Postgres with pgvector on a folder, or `memory://`.
 *
 * A new database needs a cluster, and PGlite's initdb (a WebAssembly program
 * of its own) takes ~2 s of CPU, where loading a copy of an empty cluster
 * takes ~0.3 s. With `cacheDir`, the first new database of a PGlite version
 * keeps such a copy there (~40 MB) and every later one starts from it: the
 * first start of a service, the demo, each test's database. A cache that
 * cannot be written only loses the saving.
 */
export async function openPGlite(dataDir: string, cacheDir: string | undefined): Promise<PGlite> {
  const folder = dataDir === 'memory://' ? undefined : dataDir;
  const options = { extensions: { vector } };
  const isNew = folder === undefined || !existsSync(join(folder, 'PG_VERSION'));
  if (!isNew || cacheDir === undefined) return PGlite.create(folder, options);
  const copy = join(cacheDir, `pglite-${packageVersion('@electric-sql/pglite')}-pgvector-${packageVersion('@electric-sql/pglite-pgvector')}-empty-cluster.tar`);
  const kept = await readFile(copy).catch(() => undefined);
  if (kept && isWholeTar(kept)) return PGlite.create(folder, { ...options, loadDataDir: new Blob([kept]) });
  const pglite = await PGlite.create(folder, options);
  await keep(pglite, copy).catch(() => {});
  return pglite;
}

/**
 * A tar ends with two empty 512-byte blocks, and PGlite's loader fails on
 * anything else in ways a caller cannot catch (a zlib error thrown outside
 * its promise): a damaged or cut copy is passed over, and replaced.
 */
function isWholeTar(file: Uint8Array): boolean {
  return file.byteLength >= 1024 && file.byteLength % 512 === 0 && file.subarray(file.byteLength - 1024).every((byte) => byte === 0);
}

/** Writes the cluster as it is now. */
async function keep(pglite: PGlite, copy: string): Promise<void> {
  await writeWholeFile(copy, new Uint8Array(await (await pglite.dumpDataDir('none')).arrayBuffer()));
}

const require = createRequire(import.meta.url);

/** A package's version, from its package.json beside its entry (the packages export no package.json). */
function packageVersion(name: string): string {
  let folder = dirname(require.resolve(name));
  while (!existsSync(join(folder, 'package.json'))) folder = dirname(folder);
  return (require(join(folder, 'package.json')) as { version: string }).version;
}
