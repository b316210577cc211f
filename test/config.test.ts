import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../src/config.js';

test('the search index snapshot lives under DATA_DIR unless set elsewhere or off, and not at all for an in-memory database', () => {
  assert.equal(loadConfig({}).searchSnapshotDir, join('data', 'search-index'));
  assert.equal(loadConfig({ DATA_DIR: '/var/lib/lookalike' }).searchSnapshotDir, join('/var/lib/lookalike', 'search-index'));
  assert.equal(loadConfig({ DATA_DIR: 'memory://' }).searchSnapshotDir, undefined);
  assert.equal(loadConfig({ DATA_DIR: 'memory://', SEARCH_SNAPSHOT_DIR: '/tmp/index' }).searchSnapshotDir, '/tmp/index');
  assert.equal(loadConfig({ SEARCH_SNAPSHOT_DIR: 'off' }).searchSnapshotDir, undefined);
});

test('a blank or trivially weak ADMIN_TOKEN is refused in one line naming the setting; a random one is taken', () => {
  for (const token of [' '.repeat(16), 'x'.repeat(32), 'abcdefghijklmnopqrstuvwxyz', `  ${'0f3a9c'.repeat(4)}`]) {
    assert.throws(() => loadConfig({ ADMIN_TOKEN: token }), (error: Error) => {
      assert.equal(error.name, 'ConfigError');
      assert.match(error.message, /^invalid configuration: ADMIN_TOKEN: [^\n]+$/);
      return true;
    }, JSON.stringify(token));
  }
  const random = randomBytes(24).toString('hex');
  assert.equal(loadConfig({ ADMIN_TOKEN: random }).adminToken, random);
});

test('IMAGE_CACHE_BYTES takes a whole number of bytes, 0 to keep none; anything else is refused in one line naming the setting', () => {
  assert.equal(loadConfig({}).imageCacheBytes, 32 * 1024 * 1024);
  assert.equal(loadConfig({ IMAGE_CACHE_BYTES: '0' }).imageCacheBytes, 0);
  for (const value of ['-1', '1.5', 'lots', '1e400']) {
    assert.throws(() => loadConfig({ IMAGE_CACHE_BYTES: value }), (error: Error) => {
      assert.equal(error.name, 'ConfigError');
      assert.match(error.message, /^invalid configuration: IMAGE_CACHE_BYTES: [^\n]+$/);
      return true;
    }, JSON.stringify(value));
  }
});
