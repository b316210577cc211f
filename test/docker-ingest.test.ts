import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Service {
  extends?: { file: string; service: string };
  ports?: string[];
  environment?: Record<string, string>;
  deploy?: { resources?: { limits?: { cpus?: string } } };
}

describe('a replica that only ingests (docker-compose.ingest.yml)', () => {
  let services: Record<string, Service>;
  before(async () => {
    // !override is compose's tag for replacing a list of the base file; plain YAML keeps it as a custom tag.
    const customTags = [{ tag: '!override', collection: 'seq' as const, resolve: (list: unknown) => list }];
    services = (parse(await readFile(join(ROOT, 'docker-compose.ingest.yml'), 'utf8'), { customTags }) as { services: Record<string, Service> }).services;
  });

  test('is the API service of docker-compose.yml under another name, so the load balancer (upstream "api") never sends it reads', async () => {
    assert.deepEqual(services.ingest!.extends, { file: 'docker-compose.yml', service: 'api' });
    const nginx = await readFile(join(ROOT, 'deploy/nginx-replicas.conf'), 'utf8');
    assert.match(nginx, /server api:4000 resolve;/);
    assert.doesNotMatch(nginx, /ingest/);
  });

  test('publishes its own port on loopback, beside the load balancer', () => {
    const ports = services.ingest!.ports as unknown as string[];
    assert.deepEqual([...ports], ['127.0.0.1:4001:4000']);
  });

  test('gives the import more cores than a serving replica, which keeps one ResNet50 thread', () => {
    assert.equal(services.api!.environment!.FEATURE_WORKERS, '1');
    assert.equal(services.ingest!.environment!.FEATURE_WORKERS, services.ingest!.deploy!.resources!.limits!.cpus);
    assert.ok(Number(services.ingest!.deploy!.resources!.limits!.cpus) > Number(services.api!.deploy!.resources!.limits!.cpus));
  });
});
