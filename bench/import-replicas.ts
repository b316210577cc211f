import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startApi } from '../harness/api-process.js';
import { startDatabaseServer } from '../harness/database-server.js';

// `lookalike import idx --url ...` into one running service, then into two on
// the same database (the `pg` path, PGlite served over the wire), in the same
// run: images/s of each and the ratio two / one. Each
// service has one feature worker; both imports keep two batches in flight.
// Usage: node --import tsx bench/import-replicas.ts [images per import, default 500]
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TOKEN = 'import-replicas-bench-token';
const images = Number(process.argv[2] ?? 500);
const run = promisify(execFile);

const dir = await mkdtemp(join(tmpdir(), 'lookalike-bench-import-'));
const database = await startDatabaseServer(join(dir, 'db'));
const env = { DATABASE_URL: database.url, ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info' };
const first = startApi(env);
const a = await first.ready;
const second = startApi(env);
const b = await second.ready;
try {
  const importInto = async (from: number, urls: string[]) => {
    const started = performance.now();
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', CLI, 'import', 'idx', '--from', String(from), '--count', String(images), '--concurrency', '2', ...urls.flatMap((url) => ['--url', url])],
      { env: { ...process.env, ADMIN_TOKEN: TOKEN, DATA_DIR: join(dir, 'unused') } },
    );
    if (!stdout.includes(`imported ${images}, skipped 0`)) throw new Error(`unexpected import result: ${stdout}`);
    return images / ((performance.now() - started) / 1000);
  };
  console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const one = await importInto(0, [a]);
  console.log(`one service:  ${one.toFixed(2)} images/s (load ${loadavg()[0]!.toFixed(2)})`);
  const two = await importInto(images, [a, b]);
  console.log(`two services: ${two.toFixed(2)} images/s (load ${loadavg()[0]!.toFixed(2)})`);
  console.log(`ratio two / one: ${(two / one).toFixed(2)}`);
} finally {
  await Promise.all([first.stop(), second.stop()]);
  await database.kill();
  await rm(dir, { recursive: true, force: true });
}
