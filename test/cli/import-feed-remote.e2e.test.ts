import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { startApi, type ApiProcess } from '../../harness/api-process.js';
import { lookalike } from '../support/command-line.js';

const TOKEN = 'feed-remote-import-token';

function image(n: number): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 32, channels: 3, background: { r: n * 40, g: 255 - n * 30, b: 90 } } }).png().toBuffer();
}

describe('import feed --url, through a running service that fetches the links', () => {
  let dir: string;
  let server: Server;
  let api: ApiProcess;
  let url: string;
  let images: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-feed-remote-'));
    server = createServer((request, response) => {
      const n = /^\/img\/(\d+)\.png/.exec(request.url ?? '')?.[1];
      if (n === undefined) return void response.writeHead(404).end();
      void image(Number(n)).then((bytes) => response.writeHead(200, { 'content-type': 'image/png' }).end(bytes));
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    images = `http://127.0.0.1:${(server.address() as AddressInfo).port}/img`;
    await writeFile(join(dir, 'local.png'), await image(5));
    api = startApi({ DATA_DIR: 'memory://', ADMIN_TOKEN: TOKEN, IMAGE_URL_ALLOWED_HOSTS: '127.0.0.1' });
    url = await api.ready;
  });
  after(async () => {
    await api?.stop();
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const lines = (link3: string) =>
    [
      JSON.stringify({ sku: 'R1', name: 'One', image: `${images}/1.png`, price: 1 }),
      JSON.stringify({ sku: 'R2', name: 'Two', image: 'local.png', attributes: { sizes: ['S'] } }),
      JSON.stringify({ sku: 'R3', name: 'Three', category: 'bags', image: link3 }),
      JSON.stringify({ sku: 'R4', name: 'Missing', image: `${images}/missing.png` }),
      JSON.stringify({ sku: 'R5', name: 'Forbidden', image: 'http://169.254.169.254/a.png' }),
    ].join('\n');
  const importFeed = () =>
    lookalike(['import', 'feed', join(dir, 'feed.jsonl'), '--url', url, '--token', TOKEN], { DATA_DIR: join(dir, 'never-opened') }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  test('links the service fetches land, refused ones are reported by line; a rerun is unchanged and a new link updates', async () => {
    await writeFile(join(dir, 'feed.jsonl'), lines(`${images}/3.png`));
    const first = (await importFeed()) as { code?: number; stdout: string; stderr: string };
    assert.equal(first.code, 2, first.stderr);
    assert.equal(first.stdout.trim(), 'added 3, updated 0, unchanged 0, failed 2');
    assert.match(first.stderr, /^line 4 \(sku R4\): IMAGE_FETCH_FAILED: /m);
    assert.match(first.stderr, /^line 5 \(sku R5\): IMAGE_URL_FORBIDDEN: /m);
    assert.equal(((await importFeed()) as { stdout: string }).stdout.trim(), 'added 0, updated 0, unchanged 3, failed 2');
    await writeFile(join(dir, 'feed.jsonl'), lines(`${images}/3.png?v=2`));
    assert.equal(((await importFeed()) as { stdout: string }).stdout.trim(), 'added 0, updated 1, unchanged 2, failed 2');
  });
});
