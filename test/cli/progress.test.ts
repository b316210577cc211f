import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatEta } from '../../src/cli/progress.js';

test('an ETA just under a whole minute rounds up into the minutes, never to 60 seconds', () => {
  assert.equal(formatEta(779.6), '13m00s');
  assert.equal(formatEta(59.7), '1m00s');
  assert.equal(formatEta(7170), '2h00m');
});

test('an ETA reads as seconds, minutes and seconds, or hours and minutes', () => {
  assert.equal(formatEta(9.2), '9s');
  assert.equal(formatEta(725), '12m05s');
  assert.equal(formatEta(3720), '1h02m');
});

test('an ETA that cannot be known yet prints as a question mark', () => {
  assert.equal(formatEta(Number.POSITIVE_INFINITY), '?');
  assert.equal(formatEta(Number.NaN), '?');
});
