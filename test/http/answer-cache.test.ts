import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnswerCache, type Answer } from '../../src/http/answer-cache.js';

const answer = (text: string): Answer => ({ data: { text } });

test('an answer handed over is found by its key, and only by it', () => {
  const cache = new AnswerCache(1024);
  cache.compute('a')(answer('A'));
  assert.deepEqual(cache.find('a'), { source: 'kept', answer: answer('A') });
  assert.equal(cache.find('b'), undefined);
});

test('reads of a key being computed share its answer', async () => {
  const cache = new AnswerCache(1024);
  const settle = cache.compute('a');
  const waiting = cache.find('a');
  assert.equal(waiting?.source, 'shared');
  // A second computation of the key is not registered: what it hands over goes nowhere.
  cache.compute('a')(answer('B'));
  settle(answer('A'));
  assert.deepEqual(await waiting!.answer, answer('A'));
  assert.deepEqual(cache.find('a')?.answer, answer('A'));
});

test('no answer (an error) is neither kept nor shared: the waiting reads compute their own', async () => {
  const cache = new AnswerCache(1024);
  const settle = cache.compute('a');
  const waiting = cache.find('a');
  settle(undefined);
  assert.equal(await waiting!.answer, undefined);
  assert.equal(cache.find('a'), undefined);
});

test('the answers kept stay within the bytes given, the least recently used dropped first', () => {
  const size = JSON.stringify(answer('x'.repeat(100))).length + 1;
  const cache = new AnswerCache(size * 3);
  for (const key of ['a', 'b', 'c']) cache.compute(key)(answer('x'.repeat(100)));
  cache.find('a');
  cache.compute('d')(answer('x'.repeat(100)));
  assert.equal(cache.find('b'), undefined);
  assert.ok(cache.find('a') && cache.find('c') && cache.find('d'));
  assert.deepEqual(cache.stats(), { bytes: size * 3, answers: 3 });
});

test('with 0 bytes nothing is kept or shared', () => {
  const cache = new AnswerCache(0);
  cache.compute('a')(answer('A'));
  cache.compute('b');
  assert.equal(cache.find('a'), undefined);
  assert.equal(cache.find('b'), undefined);
  assert.deepEqual(cache.stats(), { bytes: 0, answers: 0 });
});
