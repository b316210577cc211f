import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, afterEach, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.js';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE, type LockOwner } from '../../src/db/data-dir-lock.js';
import { CLUSTER_CACHE } from '../support/database.js';

const HOLD = fileURLToPath(new URL('../support/hold-database.ts', import.meta.url));

/** A process that opens the folder and holds it; resolves once it has it. */
async function holder(dataDir: string, ...args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLD, dataDir, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  assert.equal(line, 'open');
  return child;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

function lockOf(owner: Partial<LockOwner>): string {
  return JSON.stringify({ pid: 1, hostname: hostname(), since: new Date().toISOString(), processStart: null, command: 'test', ...owner });
}

describe('one process per embedded database folder', () => {
  let root: string;
  /** One folder, made once (initdb takes seconds) and handed from test to test. */
  let dataDir: string;
  let database: Database | undefined;
  const children: ChildProcess[] = [];
  const lockFile = () => join(dataDir, LOCK_FILE);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'lookalike-lock-'));
    dataDir = join(root, 'pglite');
    await (await openDatabase({ pgliteDataDir: dataDir, pgliteCacheDir: CLUSTER_CACHE })).close();
  });
  afterEach(async () => {
    await database?.close();
    database = undefined;
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await rm(lockFile(), { force: true });
  });
  after(() => rm(root, { recursive: true, force: true }));
  const emptyDir = async (name: string) => {
    const dir = join(root, name);
    await mkdir(dir);
    return dir;
  };

  test('a second process is refused at once, with a message naming the owner and what to do', async () => {
    const owner = await holder(dataDir);
    children.push(owner);
    const refused = await promisify(execFile)(process.execPath, ['--import', 'tsx', HOLD, dataDir]).then(
      () => assert.fail('the second process opened a folder another one holds'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(refused.code, 1);
    const message = refused.stderr.trim();
    assert.equal(message.split('\n').length, 1, 'one line');
    assert.match(message, new RegExp(`in use by process ${owner.pid} `));
    assert.match(message, /stop that process/);
    assert.match(message, /--url http:/);

    await assert.rejects(openDatabase({ pgliteDataDir: dataDir, pgliteCacheDir: CLUSTER_CACHE }), (error: unknown) => {
      assert.ok(error instanceof DataDirLockedError);
      assert.equal(error.owner.pid, owner.pid);
      return true;
    });
  });

  test('a process killed with SIGKILL leaves its lock behind, and the next one takes it over', async () => {
    const owner = await holder(dataDir);
    children.push(owner);
    owner.kill('SIGKILL');
    await once(owner, 'exit');
    assert.equal(JSON.parse(await readFile(lockFile(), 'utf8')).pid, owner.pid, 'the dead owner left its lock');

    database = await openDatabase({ pgliteDataDir: dataDir, pgliteCacheDir: CLUSTER_CACHE });
    await sql`select 1`.execute(database.db);
    assert.equal(JSON.parse(await readFile(lockFile(), 'utf8')).pid, process.pid);
  });

  test('a clean close removes the lock, and the folder opens again with its data', async () => {
    database = await openDatabase({ pgliteDataDir: dataDir, pgliteCacheDir: CLUSTER_CACHE });
    await sql`create table kept (value int)`.execute(database.db);
    await sql`insert into kept values (7)`.execute(database.db);
    await database.close();
    database = undefined;
    assert.equal(existsSync(lockFile()), false);

    database = await openDatabase({ pgliteDataDir: dataDir, pgliteCacheDir: CLUSTER_CACHE });
    assert.deepEqual((await sql<{ value: number }>`select value from kept`.execute(database.db)).rows, [{ value: 7 }]);
  });

  test('a holder stopped normally releases the folder for the next process', async () => {
    const owner = await holder(dataDir);
    owner.kill('SIGTERM');
    assert.deepEqual(await once(owner, 'exit'), [0, null]);
    assert.equal(existsSync(lockFile()), false);
    database = await openDatabase({ pgliteDataDir: dataDir, pgliteCacheDir: CLUSTER_CACHE });
  });

  test('a holder that exits without closing the database still releases the folder', async () => {
    const owner = await holder(dataDir, 'exit');
    owner.kill('SIGTERM');
    assert.deepEqual(await once(owner, 'exit'), [0, null]);
    assert.equal(existsSync(lockFile()), false);
  });

  test('a lock whose process was killed but not yet collected by its parent is taken over', { skip: !existsSync('/proc/self/stat') && 'needs /proc' }, async () => {
    // The shell becomes `sleep`, which never collects its child: killed, the child stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 60 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(parent);
    const [line] = (await once(createInterface({ input: parent.stdout! }), 'line')) as [string];
    const pid = Number(line);
    await writeFile(lockFile(), lockOf({ pid, processStart: (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')[19]! }));
    process.kill(pid, 'SIGKILL');
    while (!/\) Z /.test(await readFile(`/proc/${pid}/stat`, 'utf8'))) await setTimeout(10);
    database = await openDatabase({ pgliteDataDir: dataDir, pgliteCacheDir: CLUSTER_CACHE });
  });

  for (const [what, content] of [
    ['garbage', '\u0000\u0001 not a lock {'],
    ['empty', ''],
    ['a lock without a pid', lockOf({ pid: 'twelve' as never })],
  ] as const) {
    test(`a lock file that is ${what} is taken over`, async () => {
      await writeFile(lockFile(), content);
      database = await openDatabase({ pgliteDataDir: dataDir, pgliteCacheDir: CLUSTER_CACHE });
      assert.equal(JSON.parse(await readFile(lockFile(), 'utf8')).pid, process.pid);
    });
  }

  test('a lock whose pid now belongs to a process that started later is taken over', { skip: !existsSync('/proc/self/stat') && 'needs /proc' }, async () => {
    // This process is alive, but it is not the one that wrote the lock: its start time differs.
    await writeFile(lockFile(), lockOf({ pid: process.pid, processStart: '1' }));
    database = await openDatabase({ pgliteDataDir: dataDir, pgliteCacheDir: CLUSTER_CACHE });
  });

  test('a lock from another host holds, since its process cannot be checked from here', async () => {
    await writeFile(lockFile(), lockOf({ pid: await deadPid(), hostname: `not-${hostname()}` }));
    await assert.rejects(openDatabase({ pgliteDataDir: dataDir, pgliteCacheDir: CLUSTER_CACHE }), DataDirLockedError);
  });

  test('of several processes racing to take over one stale lock, exactly one gets it', async () => {
    const dir = await emptyDir('race');
    await writeFile(join(dir, LOCK_FILE), lockOf({ pid: await deadPid() }));
    // Racers in one process share a pid, so each sees a winner as a live owner.
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => acquireDataDirLock(dir)));
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    assert.equal(won.length, 1, JSON.stringify(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'won'))));
    for (const lost of outcomes.filter((o) => o.status === 'rejected')) assert.ok(lost.reason instanceof DataDirLockedError);
    await won[0]!.value.release();
    assert.deepEqual(await readdir(dir), [], 'no lock and no leftovers');
  });

  test('memory:// takes no lock and writes nothing', async () => {
    const cwd = process.cwd();
    const dir = await emptyDir('memory');
    process.chdir(dir);
    try {
      const first = await openDatabase({ pgliteDataDir: 'memory://', pgliteCacheDir: CLUSTER_CACHE });
      const second = await openDatabase({ pgliteDataDir: 'memory://', pgliteCacheDir: CLUSTER_CACHE });
      await Promise.all([first.close(), second.close()]);
      assert.deepEqual(await readdir(dir), []);
    } finally {
      process.chdir(cwd);
    }
  });
});
