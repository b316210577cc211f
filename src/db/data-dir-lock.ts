import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The file that says which process owns an embedded database folder. PGlite
 * cannot tell: the `postmaster.pid` Postgres writes inside its WebAssembly
 * file system always holds pid -42, and two processes on one folder each keep
 * their own pages in memory, so one silently loses the other's writes.
 */
export const LOCK_FILE = 'lookalike.lock';

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
    for (let attempt = 0; attempt < 10; attempt++) {
      if (await linkIfAbsent(draft, path)) return held(path, mine);
      const found = await readIfPresent(path);
      if (found === undefined) continue;
      const owner = parseOwner(found);
      if (owner && isAlive(owner)) throw new DataDirLockedError(dataDir, owner);
      await takeAway(path, found);
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
 * Moves a dead owner's lock out of the way. Locks are never rewritten in place,
 * so if the file moved aside is not the one judged dead, another process took
 * the folder over in the meantime and its lock goes back. Not covered: a third
 * process creating a lock in the instant between the two renames.
 */
async function takeAway(path: string, stale: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  if ((await readFile(aside, 'utf8')) !== stale) await linkIfAbsent(aside, path);
  await unlink(aside);
}

async function linkIfAbsent(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
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
