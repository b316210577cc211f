import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Service {
  image?: string;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: string | number };
}

describe('replicas behind a load balancer (docker-compose.replicas.yml)', () => {
  let services: Record<string, Service>;
  let nginx: string;
  before(async () => {
    // !reset is compose's tag for clearing a list of the base file; plain YAML keeps it as a custom tag.
    const customTags = [{ tag: '!reset', resolve: () => [] as string[] }];
    services = (parse(await readFile(join(ROOT, 'docker-compose.replicas.yml'), 'utf8'), { customTags }) as { services: Record<string, Service> }).services;
    nginx = await readFile(join(ROOT, 'deploy/nginx-replicas.conf'), 'utf8');
  });

  test('scales the API to REPLICAS, three unless set, publishing no port of its own', () => {
    assert.equal(services.api!.deploy!.replicas, '${REPLICAS:-3}');
    assert.deepEqual(services.api!.ports, []);
  });

  test('publishes only the load balancer, on the port the API had, once the replicas are healthy', () => {
    assert.match(services.lb!.image!, /^nginx:/);
    assert.deepEqual(services.lb!.ports, ['127.0.0.1:4000:4000']);
    assert.deepEqual(services.lb!.depends_on, { api: { condition: 'service_healthy' } });
  });

  test('mounts the nginx configuration that the repository holds', () => {
    const [source, target] = services.lb!.volumes![0]!.split(':');
    assert.equal(source, './deploy/nginx-replicas.conf');
    assert.equal(target, '/etc/nginx/conf.d/default.conf');
  });

  test('balances over every replica by name, resolved at run time, listening where the load balancer publishes', () => {
    assert.match(nginx, /resolver 127\.0\.0\.11/);
    assert.match(nginx, /upstream api \{[^}]*server api:4000 resolve;/);
    assert.match(nginx, /listen 4000;/);
    assert.match(nginx, /proxy_pass http:\/\/api;/);
  });

  test('retries another replica only on connection errors and timeouts, which nginx does not do for POSTs', () => {
    assert.match(nginx, /proxy_next_upstream error timeout;/);
    assert.doesNotMatch(nginx, /non_idempotent/);
  });
});
