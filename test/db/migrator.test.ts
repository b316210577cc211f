import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readdir } from 'node:fs/promises';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { MIGRATIONS_DIR, migrate } from '../../src/db/migrator.js';

test('applies every migration once, in order, and records it', async () => {
  const database = await openDatabase({ pgliteDataDir: 'memory://' });
  try {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    const first = await migrate(database.db);
    assert.deepEqual(first, files.map((f) => f.replace(/\.sql$/, '')));
    assert.deepEqual(await migrate(database.db), []);
    const recorded = await database.db.selectFrom('schema_migrations').select('version').orderBy('version').execute();
    assert.deepEqual(recorded.map((r) => r.version), first);
    const { rows } = await sql<{ extname: string }>`select extname from pg_extension where extname = 'vector'`.execute(database.db);
    assert.equal(rows.length, 1);
  } finally {
    await database.close();
  }
});
