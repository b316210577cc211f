import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type LogEvent,
} from 'kysely';
import { format } from 'sql-formatter';
import type { NeighbourFilter } from '../src/domain/neighbour-filter.js';
import type { DB } from '../src/db/schema.js';
import { SearchRepository } from '../src/db/search.repository.js';

/**
 * The statements whose exact form the search's exactness rests on: every
 * nearest-neighbour answer is `ORDER BY <vector> <-> q, id` under the same
 * filter, whether pgvector searches the whole space or ranks the in-process
 * index's candidates, and the index reads the vectors and the change log
 * these statements read. Each repository's are committed beside it as
 * `<repository>.sql` (npm run sql:snapshots), and test/db/repository-sql.test.ts
 * fails when the code compiles to anything else, so a change shows as an
 * SQL diff in review.
 */
const QUERY = new Float32Array([0.5, -1, 2]);
const FILTER: NeighbourFilter = {
  categoryKeys: ['shirt', 'sneaker'],
  excludedCategoryKeys: ['bag'],
  excludedIds: [7, 9],
  maxDistance: 1.5,
  where: [
    { key: 'inStock', eq: true },
    { key: 'brand', in: ['Acme', 'Globex'] },
    { key: 'price', gte: 10, lte: 99.5 },
    { key: 'discontinued', exists: false },
  ],
};

type Statement = [call: string, run: (db: Kysely<DB>) => Promise<unknown>];

const SNAPSHOTS: Record<string, Statement[]> = {
  'src/db/search.repository.sql': [
    ['nearest(raw features, query, k = 6, no filter, excludeProductId = 3)', (db) => new SearchRepository(db).nearest(null, QUERY, 6, undefined, 3)],
    ['nearest(raw features, query, k = 6, filter, excludeProductId = 3)', (db) => new SearchRepository(db).nearest(null, QUERY, 6, FILTER, 3)],
    ['nearest(model version 2, query, k = 6, no filter, excludeProductId = 3)', (db) => new SearchRepository(db).nearest(2, QUERY, 6, undefined, 3)],
    ['nearest(model version 2, query, k = 6, filter, excludeProductId = 3)', (db) => new SearchRepository(db).nearest(2, QUERY, 6, FILTER, 3)],
    ['vectorOf(raw features, product 3)', (db) => new SearchRepository(db).vectorOf(null, 3)],
    ['vectorOf(model version 2, product 3)', (db) => new SearchRepository(db).vectorOf(2, 3)],
    ['state()', (db) => new SearchRepository(db).state().catch(() => undefined)],
    ['changedSince(generation = 41)', (db) => new SearchRepository(db).changedSince(41).catch(() => undefined)],
    ['vectorsAfter(raw features, afterId = 0, limit = 2000)', (db) => new SearchRepository(db).vectorsAfter(null, 0, 2000)],
    ['vectorsAfter(model version 2, afterId = 0, limit = 2000)', (db) => new SearchRepository(db).vectorsAfter(2, 0, 2000)],
    ['vectorsOf(raw features, [3, 4])', (db) => new SearchRepository(db).vectorsOf(null, [3, 4])],
    ['vectorsOf(model version 2, [3, 4])', (db) => new SearchRepository(db).vectorsOf(2, [3, 4])],
    ['nearestAmong(raw features, query, k = 6, candidates)', (db) => new SearchRepository(db).nearestAmong(null, QUERY, 6, [3, 4, 5])],
    ['nearestAmong(raw features, product 3, k = 6, candidates, filter)', (db) => new SearchRepository(db).nearestAmong(null, { ofProduct: 3 }, 6, [4, 5], FILTER)],
    ['nearestAmong(model version 2, query, k = 6, candidates)', (db) => new SearchRepository(db).nearestAmong(2, QUERY, 6, [3, 4, 5])],
    ['nearestAmong(model version 2, product 3, k = 6, candidates, filter)', (db) => new SearchRepository(db).nearestAmong(2, { ofProduct: 3 }, 6, [4, 5], FILTER)],
  ],
};

/** Each snapshot file's path and the text the code compiles to now. */
export async function repositorySql(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [path, statements] of Object.entries(SNAPSHOTS)) {
    const sections: string[] = [`-- Compiled by scripts/repository-sql.ts (npm run sql:snapshots); do not edit.\n`];
    for (const [call, run] of statements) sections.push(`-- ${call}\n${(await compiled(run)).join(';\n\n')};\n`);
    files.set(path, sections.join('\n'));
  }
  return files;
}

/** What a repository call sends, run against a driver that answers every statement with no rows. */
async function compiled(run: Statement[1]): Promise<string[]> {
  const statements: string[] = [];
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event: LogEvent) => {
      statements.push(format(event.query.sql, { language: 'postgresql', keywordCase: 'preserve' }));
    },
  });
  await run(db);
  await db.destroy();
  return statements;
}
