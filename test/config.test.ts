import assert from 'node:assert/strict';
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
