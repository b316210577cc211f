import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { Store } from '../src/db/store.js';
import { graphql } from '../harness/graphql-client.js';
import { photoCatalog } from '../harness/photo-catalog.js';
import { serviceEntry } from '../harness/service-entry.js';
import { freePort } from './support/free-port.js';

// The service as it is run: `main` in a child process (compiled when built, harness/service-entry.ts), signals and all.
const MAIN = serviceEntry('main');
const TOKEN = 'a-token-of-sixteen-or-more-characters';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function start(env: Record<string, string>): { child: ChildProcess; exit: Promise<Exit>; url: Promise<string>; saidSoFar: () => string } {
  const started = performance.now();
  const child = spawn(process.execPath, MAIN, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, FEATURE_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  // Every line is read to the end: a full pipe would block the service.
  const url = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      stdout += `${line}\n`;
      const served = /lookalike GraphQL API at (\S+)/.exec(JSON.parse(line).msg ?? '');
      if (served) resolve(served[1]!);
    });
    lines.on('close', () => reject(new Error('the service ended before saying where it listens')));
  });
  url.catch(() => {});
  const exit = once(child, 'exit').then(([code, signal]) => ({ code, signal, stdout, stderr, seconds: (performance.now() - started) / 1000 }) as Exit);
  return { child, exit, url, saidSoFar: () => stdout };
}

const base64 = (image: string | Uint8Array) => (typeof image === 'string' ? image : Buffer.from(image).toString('base64'));
const ADD_MANY = `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id } } }`;

async function until(check: () => Promise<boolean>, what: string, seconds = 180): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('a non-loopback HOST without ADMIN_TOKEN refuses to start, in one line, before loading the model', { timeout: 60_000 }, async () => {
  const { exit } = start({ HOST: '0.0.0.0', PORT: '0', DATA_DIR: 'memory://' });
  const { code, stdout, stderr, seconds } = await exit;
  assert.equal(code, 1);
  assert.match(stderr, /^refusing to listen on 0\.0\.0\.0 without ADMIN_TOKEN[^\n]*\n$/);
  assert.equal(stdout, '');
  assert.ok(seconds < 30, `took ${seconds} s`);
});

test('a blank or trivially weak ADMIN_TOKEN refuses to start, in one line, before listening', { timeout: 60_000 }, async () => {
  for (const token of [' '.repeat(16), 'abcdefghijklmnopqrstuvwxyz']) {
    const { exit } = start({ HOST: '0.0.0.0', PORT: '0', DATA_DIR: 'memory://', ADMIN_TOKEN: token });
    const { code, stdout, stderr } = await exit;
    assert.equal(code, 1);
    assert.match(stderr, /^invalid configuration: ADMIN_TOKEN: [^\n]+\n$/);
    assert.equal(stdout, '');
  }
});

test('a taken port fails in one line with exit code 1, before loading the model', { timeout: 60_000 }, async () => {
  const taken = createServer();
  taken.listen(0, '127.0.0.1');
  await once(taken, 'listening');
  const port = (taken.address() as { port: number }).port;
  try {
    const { exit } = start({ PORT: String(port), DATA_DIR: 'memory://', ADMIN_TOKEN: TOKEN });
    const { code, stdout, stderr, seconds } = await exit;
    assert.equal(code, 1);
    assert.equal(stderr, `port ${port} on 127.0.0.1 is already in use\n`);
    assert.doesNotMatch(stdout, /ResNet50/);
    assert.ok(seconds < 30, `took ${seconds} s`);
  } finally {
    taken.close();
  }
});

describe('stopping', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lookalike-main-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  test('SIGTERM during a training run and a request: the request finishes, the run ends failed saying why, the process exits 0', { timeout: 300_000 }, async () => {
    const service = start({ PORT: '0', DATA_DIR: dataDir, ADMIN_TOKEN: TOKEN, SHUTDOWN_TIMEOUT_MS: '60000' });
    const { child, exit } = service;
    const url = await service.url;
    const inputs = (await photoCatalog(6)).map(({ sku, name, category, image }) => ({ sku, name, category, image: base64(image) }));
    const added = await graphql(url, ADD_MANY, { inputs: inputs.slice(0, 8) }, TOKEN);
    assert.equal(added.errors, undefined);
    const started = await graphql(url, `mutation { trainModel(input: { epochs: 1000, batchSize: 4 }) { trainingRun { id } } }`, {}, TOKEN);
    assert.equal(started.errors, undefined);
    const runId = started.data.trainModel.trainingRun.id;
    await until(async () => {
      const { data } = await graphql(url, `query ($id: ID!) { trainingRun(id: $id) { status epochs { epoch } } }`, { id: runId });
      return data.trainingRun.status === 'RUNNING' && data.trainingRun.epochs.length > 0;
    }, 'the run to train an epoch');

    // A request in flight: its images are in ResNet50 when the signal lands.
    const imagesSoFar = async () => Number(/lookalike_resnet50_images_total (\d+)/.exec(await (await fetch(new URL('/metrics', url))).text())![1]);
    const before = await imagesSoFar();
    const inFlight = graphql(url, ADD_MANY, { inputs: inputs.slice(8) }, TOKEN);
    await until(async () => (await imagesSoFar()) > before, 'the request to reach ResNet50', 60);

    const signalled = performance.now();
    child.kill('SIGTERM');
    const { code, signal, stderr } = await exit;
    assert.equal(signal, null);
    assert.equal(code, 0, stderr);
    // The request's keep-alive connection must not hold the stop to SHUTDOWN_TIMEOUT_MS.
    assert.ok(performance.now() - signalled < 30_000, `stopped ${((performance.now() - signalled) / 1000).toFixed(1)} s after SIGTERM`);
    const finished = await inFlight;
    assert.equal(finished.errors, undefined);
    assert.equal(finished.data.addProducts.products.length, 4);

    const database = await openDatabase(loadConfig({ DATA_DIR: dataDir }));
    try {
      const run = (await new Store(database.db).trainingRuns.findById(Number(runId)))!;
      assert.equal(run.status, 'failed');
      assert.equal(run.error, 'the service is stopping');
      assert.ok(run.epochs.length < 1000);
      assert.equal(await new Store(database.db).products.count(), 12);
    } finally {
      await database.close();
    }
  });

  test('a second signal while stopping exits at once', { timeout: 120_000 }, async () => {
    // A database that has not come yet: the first signal's stop waits for the services, which wait for it.
    const databaseUrl = `postgres://postgres@127.0.0.1:${await freePort()}/lookalike`;
    const { child, exit, saidSoFar } = start({ PORT: '0', DATABASE_URL: databaseUrl, DATABASE_STARTUP_WAIT_MS: '600000', ADMIN_TOKEN: TOKEN });
    await until(async () => saidSoFar().includes('waiting for the database'), 'the service to wait for its database', 60);
    child.kill('SIGTERM');
    await sleep(200);
    child.kill('SIGINT');
    const { code, stdout } = await exit;
    assert.equal(code, 1);
    assert.match(stdout, /SIGINT again: exiting without waiting/);
    assert.doesNotMatch(stdout, /"msg":"stopped"/);
  });
});
