import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { link, open, readFile, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The file that says which process owns an embedded database folder. PGlite
 * cannot tell: the `postmaster.pid` Postgres writes inside its WebAssembly
 * file system always holds pid -42, and two processes on one folder each keep
 * their own pages in memory, so one silently loses the other's writes.
 */
export const LOCK_FILE = 'lookalike.lock';
/** How long a process keeps trying while others take a dead lock away. */
const TAKEOVER_PATIENCE_MS = 5_000;
const TAKEOVER_PAUSE_MS = 10;

export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO 8601, when the lock was taken. */
  since: string;
  /** The process's start in clock ticks after boot (Linux), so a reused pid is not mistaken for the owner. */
  processStart: string | null;
  /** What the owner runs, as its command line. */
  command: string;
}

/** A second process wanted a folder that a live one owns. Its message is the one line to show. */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `the database in ${dataDir} is in use by process ${owner.pid} on ${owner.hostname} since ${owner.since} (${owner.command}): ` +
        'stop that process first, or, when it is the service, import through it with `lookalike import ... --url http://HOST:PORT/`',
    );
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * Takes the folder for this process, or throws DataDirLockedError naming the
 * live owner. A lock left on this host by a process that died (its pid gone,
 * a zombie, or reused by a process that started later), or a file that is not
 * a lock, is taken over.
 * Released by `release()`, or on a normal exit of the process.
 */
export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE);
  const mine = JSON.stringify(currentOwner());
  // The content is complete before the lock's name exists, so a reader never
  // takes a half-written lock for a broken one.
  const draft = `${path}.${process.pid}-${randomUUID()}`;
  await writeFile(draft, mine);
  try {
    for (const giveUp = performance.now() + TAKEOVER_PATIENCE_MS; performance.now() < giveUp; ) {
      if (await linkIfAbsent(draft, path)) return held(path, mine);
      const found = await readLock(path);
      if (found === undefined) continue;
      const owner = parseOwner(found.content);
      if (owner && isAlive(owner)) throw new DataDirLockedError(dataDir, owner);
      // Another process is taking the same dead lock away: let it finish.
      if (!(await takeAway(path, found.file))) await sleep(TAKEOVER_PAUSE_MS);
    }
    throw new Error(`could not take ${path}: other processes keep replacing it`);
  } finally {
    await unlink(draft).catch(() => {});
  }
}

function held(path: string, mine: string): DataDirLock {
  let released = false;
  const releaseOnExit = () => {
    try {
      if (readFileSync(path, 'utf8') === mine) unlinkSync(path);
    } catch {
      // Gone already: nothing to release.
    }
  };
  process.once('exit', releaseOnExit);
  return {
    async release() {
      if (released) return;
      released = true;
      process.off('exit', releaseOnExit);
      if ((await readIfPresent(path)) === mine) await unlink(path);
    },
  };
}

/**
 * Removes a dead owner's lock, unless another process is doing so. Only the
 * process that creates the marker named after the dead lock's file (inode
 * and modification time: a link changes neither) may remove it, and it does
 * so only if the marker is that very file; so of several processes that
 * judged the same lock dead, one removes it, and none can remove a lock
 * taken since. Returns whether this process did the removing.
 */
async function takeAway(path: string, stale: BigIntStats): Promise<boolean> {
  const marker = `${path}.taking-${stale.ino}-${stale.mtimeNs}`;
  if (!(await linkIfAbsent(path, marker))) return false;
  try {
    const marked = await stat(marker, { bigint: true });
    if (marked.ino === stale.ino && marked.mtimeNs === stale.mtimeNs) await unlink(path);
    return true;
  } finally {
    await unlink(marker).catch(() => {});
  }
}

/** Links `to` to `from`'s file unless `to` exists (or `from` is gone). */
async function linkIfAbsent(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST') || isCode(error, 'ENOENT')) return false;
    throw error;
  }
}

/** The lock's content and its file's identity, read from one open file so that they match. */
async function readLock(path: string): Promise<{ content: string; file: BigIntStats } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  try {
    return { content: await handle.readFile('utf8'), file: await handle.stat({ bigint: true }) };
  } finally {
    await handle.close();
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function currentOwner(): LockOwner {
  return {
    pid: process.pid,
    hostname: hostname(),
    since: new Date().toISOString(),
    processStart: processStart(process.pid),
    command: process.argv.slice(1).join(' ').slice(0, 200),
  };
}

/** The owner in a lock file, or undefined for anything that is not one. */
function parseOwner(content: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(content) as Partial<LockOwner>;
    if (!Number.isInteger(owner.pid) || owner.pid! <= 0 || typeof owner.hostname !== 'string') return undefined;
    return {
      pid: owner.pid!,
      hostname: owner.hostname,
      since: String(owner.since),
      processStart: typeof owner.processStart === 'string' ? owner.processStart : null,
      command: String(owner.command),
    };
  } catch {
    return undefined;
  }
}

/** A process on another host cannot be checked, so its lock holds until someone removes it. */
function isAlive(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if (isCode(error, 'ESRCH')) return false;
  }
  const stat = procStat(owner.pid);
  if (stat === null) return true;
  // A zombie has exited; its parent has not collected it yet.
  return stat.state !== 'Z' && (owner.processStart === null || stat.start === owner.processStart);
}

function processStart(pid: number): string | null {
  return procStat(pid)?.start ?? null;
}

/** Fields 3 and 22 of /proc/<pid>/stat, after the command name that may itself hold spaces and parentheses. */
function procStat(pid: number): { state: string; start: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields.length > 19 ? { state: fields[0]!, start: fields[19]! } : null;
  } catch {
    return null;
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException).code === code;
}
