import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captionLines } from '../../src/reports/caption-lines.js';

// 11 px text in 104 px: 15 characters a line.
const wrap = (text: string, maxLines = 3) => captionLines(text, 104, 11, maxLines);

test('a short caption stays on one line', () => {
  assert.deepEqual(wrap('Ankle boot'), ['Ankle boot']);
});

test('wraps at spaces and balances the lines', () => {
  assert.deepEqual(wrap('Ankle boot (pred. Sneaker)'), ['Ankle boot', '(pred. Sneaker)']);
  assert.deepEqual(wrap('Pullover (pred. Coat)'), ['Pullover', '(pred. Coat)']);
});

test('does not break at a no-break space', () => {
  assert.deepEqual(wrap('✓\u00a0womens sandals with straps', 2), ['✓\u00a0womens', 'sandals with…']);
});

test('cuts a word too long for the width, and lines past the limit, with an ellipsis', () => {
  assert.deepEqual(wrap('womens-running-shoes'), ['womens-running…']);
  assert.deepEqual(wrap('one two three four five six seven eight nine ten', 2), ['one two three', 'four five six…']);
});
