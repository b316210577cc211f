import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { exposureRefusal, isLoopback, writeAccess } from '../../src/http/admin-token.js';

const TOKEN = 'sixteen-characters-at-least';

test('only the exact token, as a Bearer credential, may write', () => {
  const access = writeAccess(loadConfig({ ADMIN_TOKEN: TOKEN }));
  assert.equal(access.warning, undefined);
  assert.equal(access.tokenRequired, true);
  assert.ok(access.allows(`Bearer ${TOKEN}`));
  assert.ok(access.allows(`bearer ${TOKEN}`));
  for (const header of [undefined, '', 'Bearer', 'Bearer ', TOKEN, `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}!`, `Basic ${TOKEN}`, `Bearer ${TOKEN.toUpperCase()}`]) {
    assert.equal(access.allows(header), false, String(header));
  }
});

test('without a token, writes are open on loopback with a warning, and a non-loopback host is refused', () => {
  const local = loadConfig({ HOST: '127.0.0.1' });
  assert.equal(exposureRefusal(local), undefined);
  assert.ok(writeAccess(local).allows(undefined));
  assert.equal(writeAccess(local).tokenRequired, false);
  assert.match(writeAccess(local).warning!, /ADMIN_TOKEN is not set/);
  for (const host of ['0.0.0.0', '::', '192.168.1.20', 'example.com']) {
    assert.match(exposureRefusal(loadConfig({ HOST: host }))!, /without ADMIN_TOKEN/, host);
    assert.equal(exposureRefusal(loadConfig({ HOST: host, ADMIN_TOKEN: TOKEN })), undefined, host);
  }
});

test('loopback means 127.0.0.0/8, ::1 and localhost', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.ok(isLoopback(host), host);
  for (const host of ['0.0.0.0', '::', '10.0.0.1', '127.example.com', 'localhost.evil.com']) assert.equal(isLoopback(host), false, host);
});
