import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CatalogState } from '../../src/catalog/catalog-state.js';

/** A catalog whose state is read from a counter of writes, counting the reads. */
function countedReads() {
  let generation = 0;
  let reads = 0;
  const state = new CatalogState(async () => {
    reads++;
    return { generation, activeSpace: null };
  });
  return { state, write: () => generation++, reads: () => reads };
}

test('the callers of one turn share one read', async () => {
  const { state, reads } = countedReads();
  const states = await Promise.all([state.current(), state.current(), state.current()]);
  assert.deepEqual(states.map((s) => s.generation), [0, 0, 0]);
  assert.equal(reads(), 1);
});

test('the read begins after its callers asked: it counts the writes committed before', async () => {
  const { state, write } = countedReads();
  const asked = state.current();
  write();
  assert.equal((await asked).generation, 1);
});

test('a caller of a later turn gets a read of its own, with the writes since', async () => {
  const { state, write, reads } = countedReads();
  assert.equal((await state.current()).generation, 0);
  write();
  await nextTurn();
  assert.equal((await state.current()).generation, 1);
  assert.equal(reads(), 2);
});

test('a failed read fails the callers of its turn only', async () => {
  let fail = true;
  const state = new CatalogState(async () => {
    if (fail) throw new Error('database gone');
    return { generation: 7, activeSpace: 3 };
  });
  await assert.rejects(Promise.all([state.current(), state.current()]), /database gone/);
  fail = false;
  assert.deepEqual(await state.current(), { generation: 7, activeSpace: 3 });
});

test('over a database no other process writes, the last read stands until a statement that may write starts', async () => {
  let generation = 0;
  let changes = 0;
  let reads = 0;
  const state = new CatalogState(
    async () => {
      reads++;
      return { generation, activeSpace: null };
    },
    () => changes,
  );
  assert.equal((await state.current()).generation, 0);
  await nextTurn();
  assert.equal((await state.current()).generation, 0);
  assert.equal(reads, 1, 'nothing wrote: no second read');
  changes++;
  generation++;
  await nextTurn();
  assert.equal((await state.current()).generation, 1);
  assert.equal(reads, 2);
});

test('a write that starts while the kept read runs sends the next caller to a read of its own', async () => {
  let changes = 0;
  const answers: ((state: { generation: number; activeSpace: null }) => void)[] = [];
  const state = new CatalogState(() => new Promise((resolve) => answers.push(resolve)), () => changes);
  const first = state.current();
  await nextTurn();
  assert.equal(answers.length, 1);
  changes++;
  const second = state.current();
  await nextTurn();
  assert.equal(answers.length, 2, 'the write may have committed before this caller asked');
  answers[0]!({ generation: 0, activeSpace: null });
  answers[1]!({ generation: 1, activeSpace: null });
  assert.deepEqual([(await first).generation, (await second).generation], [0, 1]);
});
