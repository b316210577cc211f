import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import * as documents from '../../src/web/generated/graphql.js';

// The page sends a hash in place of each document (Apollo's automatic
// persisted queries); the service accepts the document with it only when the
// two agree. codegen.ts computes the hashes from the parsed operation: each
// must be the SHA-256 of the very string the page would send.
test("each of the page's operations carries the SHA-256 of its own text", () => {
  const operations = Object.entries(documents).filter(([name]) => name.endsWith('Document'));
  assert.ok(operations.length >= 10);
  for (const [name, document] of operations) {
    const { __meta__ } = document as unknown as { __meta__?: { hash?: string } };
    assert.equal(__meta__?.hash, createHash('sha256').update(String(document)).digest('hex'), name);
  }
});
