import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DatabaseHealth } from '../../src/db/database-health.js';

test('a query asked before the database went away does not bring it back by finishing late', () => {
  const lines: string[] = [];
  const health = new DatabaseHealth((line) => lines.push(line));
  const askedBefore = performance.now();
  health.failed('unreachable', 'read ECONNRESET');
  health.answered(askedBefore);
  assert.equal(health.status().up, false);
  health.answered(performance.now());
  assert.equal(health.status().up, true);
  assert.deepEqual(lines.map((line) => line.split(':')[0]!.replace(/ after .*/, '')), ['database unavailable', 'database available again']);
});

test('a slow statement does not mark the database away', () => {
  const health = new DatabaseHealth();
  health.failed('timeout', 'did not answer in time');
  assert.equal(health.status().up, true);
});
