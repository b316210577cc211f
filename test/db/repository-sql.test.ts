import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { repositorySql } from '../../scripts/repository-sql.js';

test('the repositories compile to the SQL committed beside them (npm run sql:snapshots after a deliberate change)', async () => {
  for (const [path, text] of await repositorySql()) {
    assert.equal(await readFile(path, 'utf8'), text, `${path} is out of date: run npm run sql:snapshots and review the diff`);
  }
});

test('every nearest-neighbour statement orders by distance, then product id', async () => {
  for (const [path, text] of await repositorySql()) {
    for (const statement of text.split(';\n').filter((s) => s.includes('<->'))) {
      assert.match(statement, /order by\s+"distance",\s+"products"\."id"\s+limit/, `${path}: ${statement.split('\n').find((l) => l.startsWith('--'))}`);
    }
  }
});
