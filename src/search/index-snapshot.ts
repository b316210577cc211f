import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { SpaceOrigin } from '../db/search.repository.js';
import { VectorTable } from './vector-table.js';
import type { EmbeddingSpace } from '../domain/embedding-space.js';

const MAGIC = Buffer.from('LKINDEX\x02', 'latin1');
/** Magic, then four uint32: key bytes, dimensions, row bytes, rows; then the checksum. After it: the key (JSON), radii, ids, category codes, rows. */
const HEADER_BYTES = 28;
/** Reads of at most this many bytes, so that a large file never needs a second copy in memory. */
const READ_CHUNK = 16 * 2 ** 20;

/** Which index a snapshot holds: the space, where it came from, and the change-log generation it had reached. */
export interface SnapshotKey {
  space: EmbeddingSpace;
  origin: SpaceOrigin;
  generation: number;
}

export interface RestoredIndex {
  table: VectorTable;
  generation: number;
  /** The category keys of the codes the rows hold: code i + 1 is categoryKeys[i], 0 none. */
  categoryKeys: string[];
}

/**
 * A copy of a space's index on local disk, one file per database, so that a
 * process starting against a large catalog reads it instead of every vector
 * from the database, then applies the changes the log lists since its
 * generation (space-index.ts).
 *
 * The file is written under a temporary name, synced, then renamed over the
 * old one, and the folder synced: a process killed at any instant leaves the
 * old file or the new one, whole. A CRC-32 over everything after the header's
 * own fields, and the exact length the header implies, catch a damaged or
 * truncated file; a file of another database, space, activation or layout,
 * or from a generation the database has not reached (it went back), is
 * stale. Any of these is ignored, and the index loads from the database.
 */
export class IndexSnapshots {
  constructor(
    private readonly dir: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /**
   * Writes the table under the key. The table goes to the file in one
   * synchronous pass, so that no catch-up changes it half way (rows move on
   * a deletion); the event loop waits for that pass (515 MiB at a million
   * 512-d products), not for the sync and rename after it. The table may be
   * newer than the key's generation, never older: see space-index.ts.
   */
  async save(key: SnapshotKey, table: VectorTable, categoryKeys: readonly string[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.#removeAbandoned();
    const path = this.#path(key.origin.database);
    const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
    const file = await open(temporary, 'wx', 0o600);
    try {
      const image = table.image();
      const json = Buffer.from(JSON.stringify({ ...key, categoryKeys }));
      const keyBytes = Buffer.alloc(Math.ceil(json.length / 8) * 8, ' ');
      json.copy(keyBytes);
      const parts = [keyBytes, bytesOf(image.radii), bytesOf(image.ids), bytesOf(image.categories), image.rows];
      let checksum = 0;
      for (const part of parts) checksum = crc32(part, checksum);
      const header = Buffer.alloc(HEADER_BYTES);
      MAGIC.copy(header);
      header.writeUInt32LE(keyBytes.length, 8);
      header.writeUInt32LE(image.dimensions, 12);
      header.writeUInt32LE(image.rowBytes, 16);
      header.writeUInt32LE(image.ids.length, 20);
      header.writeUInt32LE(checksum, 24);
      for (const part of [header, ...parts]) writeFully(file.fd, part);
      await file.sync();
    } catch (error) {
      await file.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await file.close();
    await rename(temporary, path);
    await syncFolder(this.dir);
  }

  /**
   * The snapshot of this space and origin, if one is whole and at most at
   * `generation`, the database's now; undefined otherwise, saying why.
   */
  async restore(space: EmbeddingSpace, origin: SpaceOrigin, generation: number, maxBytes?: number): Promise<RestoredIndex | undefined> {
    let file: FileHandle;
    try {
      file = await open(this.#path(origin.database), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const restored = await this.#read(file, { space, origin, generation }, maxBytes).catch((error: unknown) => `unreadable (${(error as Error).message})`);
      if (typeof restored === 'string') {
        this.log(`search index snapshot ignored: ${restored}`);
        return undefined;
      }
      this.log(`search index read from its snapshot at generation ${restored.generation} (the database's: ${generation}): ${restored.table.size} products`);
      return restored;
    } finally {
      await file.close();
    }
  }

  /** The index, or why the file cannot stand for it. */
  async #read(file: FileHandle, wanted: SnapshotKey, maxBytes: number | undefined): Promise<RestoredIndex | string> {
    const { size } = await file.stat();
    const header = await readExactly(file, Buffer.alloc(HEADER_BYTES), 0);
    if (!header || !header.subarray(0, MAGIC.length).equals(MAGIC)) return 'not a snapshot of this format';
    const keyLength = header.readUInt32LE(8);
    const dimensions = header.readUInt32LE(12);
    const rowBytes = header.readUInt32LE(16);
    const count = header.readUInt32LE(20);
    const expected = header.readUInt32LE(24);
    if (size !== HEADER_BYTES + keyLength + count * (8 + 4 + 4 + rowBytes)) return `${size} bytes, its header implies another length: truncated or damaged`;
    const keyBytes = await readExactly(file, Buffer.alloc(keyLength), HEADER_BYTES);
    let key: SnapshotKey & { categoryKeys: string[] };
    try {
      key = JSON.parse(keyBytes!.toString()) as SnapshotKey & { categoryKeys: string[] };
    } catch {
      return 'its key does not parse: damaged';
    }
    if (!Array.isArray(key.categoryKeys) || !key.categoryKeys.every((k) => typeof k === 'string')) return 'its category keys are not a list of strings: damaged';
    if (key.origin?.database !== wanted.origin.database) return 'of another database';
    if (key.space !== wanted.space || key.origin.activatedAt !== wanted.origin.activatedAt) return 'of another space or activation';
    if (!(key.generation <= wanted.generation)) return `at generation ${key.generation}, past the database's ${wanted.generation}`;

    let position = HEADER_BYTES + keyLength;
    const radii = new Float64Array(count);
    const ids = new Int32Array(count);
    const categories = new Int32Array(count);
    let checksum = crc32(keyBytes!);
    for (const part of [radii, ids, categories]) {
      await readExactly(file, bytesOf(part), position);
      position += part.byteLength;
      checksum = crc32(bytesOf(part), checksum);
    }
    if (categories.some((code) => code < 0 || code > key.categoryKeys.length)) return 'a row has a category code the key does not list: damaged';
    let table: VectorTable;
    try {
      let rows: Uint8Array | undefined;
      table = VectorTable.restore({ dimensions, rowBytes, ids, categories, radii }, (into) => (rows = into), maxBytes);
      // The table's own memory, filled in place: no second copy of a large index.
      for (let at = 0; rows && at < rows.length; at += READ_CHUNK) {
        const chunk = rows.subarray(at, Math.min(rows.length, at + READ_CHUNK));
        await readExactly(file, chunk, position + at);
        checksum = crc32(chunk, checksum);
      }
    } catch (error) {
      return `its rows do not fit this index (${(error as Error).message})`;
    }
    if (checksum !== expected) return 'its checksum does not match: damaged';
    return { table, generation: key.generation, categoryKeys: key.categoryKeys };
  }

  #path(database: string): string {
    return join(this.dir, `${database}.index`);
  }

  /** Temporary files of processes that died while writing (kill -9); a live process's own are left alone. */
  async #removeAbandoned(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const pid = Number(/\.(\d+)\.\d+\.tmp$/.exec(name)?.[1]);
      if (pid && !isAlive(pid)) await rm(join(this.dir, name), { force: true });
    }
  }
}

function bytesOf(array: Float64Array | Int32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function writeFully(fd: number, bytes: Uint8Array): void {
  for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
}

/** Fills `into` from `position`; undefined if the file ends first. */
async function readExactly<T extends Uint8Array>(file: FileHandle, into: T, position: number): Promise<T | undefined> {
  for (let read = 0; read < into.length; ) {
    const { bytesRead } = await file.read(into, read, into.length - read, position + read);
    if (bytesRead === 0) return undefined;
    read += bytesRead;
  }
  return into;
}

/** Makes the rename itself durable. */
async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
