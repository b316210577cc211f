import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertProductText } from '../../src/domain/product-text.js';

test('refuses control characters, lone surrogates and noncharacters, naming the field and the character', () => {
  const cases: [string, string][] = [
    ['a\u0000', 'U+0000'],
    ['a\tb', 'U+0009'],
    ['\u007f', 'U+007F'],
    ['\u0085', 'U+0085'],
    ['x\ud83d', 'U+D83D'],
    ['\ude00x', 'U+DE00'],
    ['\ufdef', 'U+FDEF'],
    ['\uffff', 'U+FFFF'],
    ['\u{1fffe}', 'U+1FFFE'],
  ];
  for (const [text, named] of cases) {
    assert.throws(() => assertProductText('name', text), (error: any) => {
      assert.equal(error.code, 'BAD_USER_INPUT');
      assert.deepEqual(error.details, { field: 'name' });
      assert.ok(error.message.includes(named), `${error.message} names ${named}`);
      return true;
    });
  }
});

test('accepts any other text, characters beyond the basic plane included', () => {
  for (const text of ['Chelsea', 'café au lait', '😀 ☕ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'a b', '\ufffd', 'ﬀ']) {
    assert.doesNotThrow(() => assertProductText('sku', text), JSON.stringify(text));
  }
});

test('refuses bidirectional embeddings, overrides, isolates and marks, which make a label read as another', () => {
  const controls = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];
  for (const control of controls) {
    const named = `U+${control.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    assert.throws(() => assertProductText('category', `abc${control}def`), (error: any) => {
      assert.equal(error.code, 'BAD_USER_INPUT');
      assert.deepEqual(error.details, { field: 'category' });
      assert.ok(error.message.includes(named), `${error.message} names ${named}`);
      return true;
    });
  }
});
