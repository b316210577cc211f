import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cellValue, CellTypeError, columnOf } from '../../src/datasets/feed-values.js';

const auto = (cell: string, separator = '|') => cellValue(cell, 'auto', separator);

describe('the CSV typing rule', () => {
  test('true and false are booleans, in lower case only', () => {
    assert.equal(auto('true'), true);
    assert.equal(auto('false'), false);
    assert.equal(auto('TRUE'), 'TRUE');
    assert.equal(auto('yes'), 'yes');
  });

  test('plain decimals are numbers; leading zeros, thousands or decimal commas, exponents, a plus sign and inexact whole numbers stay strings', () => {
    assert.equal(auto('42'), 42);
    assert.equal(auto('-3.25'), -3.25);
    assert.equal(auto('0.5'), 0.5);
    assert.equal(auto('0'), 0);
    for (const text of ['007', '1,5', '1,000', '1e3', '+1', '.5', '5.', ' 5', '12345678901234567890', 'NaN', 'Infinity']) {
      assert.equal(auto(text), text, text);
    }
  });

  test('a cell holding the separator is a list of its trimmed, non-empty items', () => {
    assert.deepEqual(auto('S | M|L|'), ['S', 'M', 'L']);
    assert.deepEqual(auto('red;blue', ';'), ['red', 'blue']);
    assert.equal(auto('red;blue'), 'red;blue');
  });

  test('an empty cell is no value: its key is left out', () => {
    assert.equal(auto(''), undefined);
    assert.equal(cellValue('', 'string', '|'), undefined);
  });

  test('a :type suffix on the column forces its type, and a cell it cannot read is refused', () => {
    assert.deepEqual(columnOf('zip:string'), { key: 'zip', type: 'string' });
    assert.deepEqual(columnOf('ns:key'), { key: 'ns:key', type: 'auto' });
    assert.equal(cellValue('007', 'string', '|'), '007');
    assert.equal(cellValue('true', 'string', '|'), 'true');
    assert.equal(cellValue('1.5', 'number', '|'), 1.5);
    assert.deepEqual(cellValue('S', 'list', '|'), ['S']);
    assert.equal(cellValue('false', 'boolean', '|'), false);
    assert.throws(() => cellValue('1,5', 'number', '|'), CellTypeError);
    assert.throws(() => cellValue('yes', 'boolean', '|'), CellTypeError);
  });
});
