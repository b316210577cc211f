import assert from 'node:assert/strict';
import { test } from 'node:test';
import { turnBatch } from '../../src/catalog/turn-batch.js';

function recordingReads() {
  const reads: number[][] = [];
  const read = turnBatch(async (keys: number[]) => {
    reads.push(keys);
    return new Map(keys.filter((k) => k > 0).map((k) => [k, `value ${k}`]));
  });
  return { reads, read };
}

test('keys asked within one turn are read together, each asker getting its own value', async () => {
  const { reads, read } = recordingReads();
  const values = await Promise.all([read(1), read(2), read(1), read(-5)]);
  assert.deepEqual(values, ['value 1', 'value 2', 'value 1', undefined]);
  assert.deepEqual(reads, [[1, 2, -5]]);
});

test('keys asked in a later turn are read again, not served from the earlier read', async () => {
  const { reads, read } = recordingReads();
  assert.equal(await read(1), 'value 1');
  assert.equal(await read(1), 'value 1');
  assert.deepEqual(reads, [[1], [1]]);
});

test('a failed read fails every asker of its turn', async () => {
  const read = turnBatch<number, string>(async () => {
    throw new Error('database gone');
  });
  const results = await Promise.allSettled([read(1), read(2)]);
  assert.deepEqual(
    results.map((r) => r.status === 'rejected' && (r.reason as Error).message),
    ['database gone', 'database gone'],
  );
});
