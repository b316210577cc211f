-- Which database a process's search index snapshot (src/search/index-snapshot.ts)
-- was read from: a snapshot on local disk is used only against the database
-- it came from, whose change log then says what changed since. A copy made
-- with pg_dump or a file-level backup keeps the id: restoring one in place
-- of the database must give it a new id (`update search_generation set
-- database_id = gen_random_uuid()`), since its log may not continue the
-- snapshot's.
alter table search_generation add column database_id uuid not null default gen_random_uuid();
