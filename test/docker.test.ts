import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { resources?: { reservations?: { devices?: { driver: string; capabilities: string[] }[] } } };
}

interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

async function compose(file: string): Promise<ComposeFile> {
  return parse(await readFile(join(ROOT, file), 'utf8')) as ComposeFile;
}

async function baseImages(dockerfile: string): Promise<string[]> {
  const text = await readFile(join(ROOT, dockerfile), 'utf8');
  return [...text.matchAll(/^FROM\s+(?:--\S+\s+)?(\S+)/gm)].map((match) => match[1]!);
}

function gpuDevices(service: Service) {
  return service.deploy?.resources?.reservations?.devices ?? [];
}

describe('docker compose up (docker-compose.yml)', () => {
  let file: ComposeFile;
  before(async () => {
    file = await compose('docker-compose.yml');
  });

  test('runs Postgres with pgvector and the API, the API once the database is healthy', () => {
    assert.deepEqual(Object.keys(file.services).sort(), ['api', 'db']);
    assert.match(file.services.db!.image!, /^pgvector\/pgvector:/);
    assert.deepEqual(file.services.api!.depends_on, { db: { condition: 'service_healthy' } });
    assert.equal(file.services.api!.build?.dockerfile, 'Dockerfile');
  });

  test('runs the API on the CPU with ONNX Runtime and reserves no GPU', () => {
    for (const service of Object.values(file.services)) assert.deepEqual(gpuDevices(service), []);
    assert.equal(file.services.api!.environment!.FEATURE_ENGINE, 'onnx');
  });

  test('runs the API in production, on the database service, with an admin token compose insists on', () => {
    const env = file.services.api!.environment!;
    assert.equal(env.NODE_ENV, 'production');
    assert.match(env.DATABASE_URL!, /^postgres:\/\/[^@]+@db:5432\//);
    assert.equal(env.HOST, '0.0.0.0');
    assert.equal(env.PORT, '4000');
    // ${VAR:?message} stops `docker compose up` when the variable is unset or empty.
    assert.match(env.ADMIN_TOKEN!, /^\$\{ADMIN_TOKEN:\?[^}]+\}$/);
  });

  test("publishes the API's port on loopback", () => {
    assert.deepEqual(file.services.api!.ports, ['127.0.0.1:4000:4000']);
  });

  test('checks the health of both services, the API on /readyz with node (slim images have no curl)', () => {
    assert.match(file.services.db!.healthcheck!.test.join(' '), /pg_isready/);
    const [kind, program, ...args] = file.services.api!.healthcheck!.test;
    assert.equal(kind, 'CMD');
    assert.equal(program, 'node');
    assert.match(args.join(' '), /http:\/\/127\.0\.0\.1:4000\/readyz/);
  });

  describe("the API's healthcheck command", () => {
    let status = 200;
    let server: Server;
    let port: number;
    before(async () => {
      server = createServer((request, response) => {
        response.statusCode = request.url === '/readyz' ? status : 404;
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    /** The command as compose runs it, pointed at this test's server instead of port 4000. */
    async function healthcheck(): Promise<number> {
      const [, program, ...args] = file.services.api!.healthcheck!.test;
      const pointed = args.map((arg) => arg.replace('127.0.0.1:4000', `127.0.0.1:${port}`));
      assert.equal(program, 'node');
      return run(process.execPath, pointed, { timeout: 30_000 }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    }

    test('passes while /readyz answers 200', async () => {
      status = 200;
      assert.equal(await healthcheck(), 0);
    });

    test('fails while /readyz answers 503', async () => {
      status = 503;
      assert.equal(await healthcheck(), 1);
    });

    test('fails when nothing listens', async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      assert.equal(await healthcheck(), 1);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    });
  });
});

describe('the GPU override (docker-compose.gpu.yml)', () => {
  test('builds the CUDA image and reserves an NVIDIA GPU for the API, on tfjs-node-gpu', async () => {
    const api = (await compose('docker-compose.gpu.yml')).services.api!;
    assert.equal(api.build?.dockerfile, 'Dockerfile.gpu');
    assert.deepEqual(
      gpuDevices(api).map(({ driver, capabilities }) => ({ driver, capabilities })),
      [{ driver: 'nvidia', capabilities: ['gpu'] }],
    );
    assert.equal(api.environment?.TF_BACKEND, 'tensorflow');
  });
});

describe('the images', () => {
  test('the CPU image builds on a current Node 20 Debian image', async () => {
    assert.deepEqual([...new Set(await baseImages('Dockerfile'))], ['node:20-bookworm-slim']);
  });

  test('no image builds on the deleted CUDA 11.2 / Ubuntu 20.04 images', async () => {
    for (const dockerfile of ['Dockerfile', 'Dockerfile.gpu']) {
      for (const image of await baseImages(dockerfile)) {
        assert.doesNotMatch(image, /^nvidia\/cuda:11\.2|ubuntu20\.04/, `${dockerfile}: ${image}`);
      }
    }
  });

  test('both images fetch and convert the weights at build and run in production', async () => {
    for (const dockerfile of ['Dockerfile', 'Dockerfile.gpu']) {
      const text = await readFile(join(ROOT, dockerfile), 'utf8');
      assert.match(text, /^RUN node dist\/cli\/main\.js fetch-weights$/m, dockerfile);
      assert.match(text, /^ENV NODE_ENV=production /m, dockerfile);
    }
  });

  test('.dockerignore keeps the repository, installs, builds, data and reports out of the build context', async () => {
    const ignored = (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n').map((line) => line.trim());
    for (const path of ['.git', 'node_modules', 'dist', 'data', 'reports']) assert.ok(ignored.includes(path), path);
  });

  test('both images give the node user its data folder, as a volume, before they switch to it', async () => {
    for (const dockerfile of ['Dockerfile', 'Dockerfile.gpu']) {
      const final = (await readFile(join(ROOT, dockerfile), 'utf8')).split(/^FROM /m).at(-1)!;
      assert.match(final, /^ENV .*\bDATA_DIR=\/app\/data\b/m, dockerfile);
      const owned = final.search(/^RUN mkdir -p \/app\/data && chown node:node \/app\/data$/m);
      const volume = final.search(/^VOLUME \/app\/data$/m);
      const user = final.search(/^USER node$/m);
      assert.ok(owned >= 0 && owned < volume && volume < user, `${dockerfile}: chown, then VOLUME, then USER node`);
    }
  });
});

describe("the API's data (docker-compose.yml)", () => {
  test('DATA_DIR is a named volume, so the index snapshot outlives the container', async () => {
    const file = await compose('docker-compose.yml');
    assert.ok(file.services.api!.volumes?.includes('api-data:/app/data'));
    assert.ok(file.volumes && 'api-data' in file.volumes);
  });
});
