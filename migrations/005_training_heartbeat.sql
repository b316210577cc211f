-- A process beats on the run it trains. A run whose beats stopped was left by
-- a process that died; one still beating belongs to a live process, perhaps
-- another one on the same database, and must not be failed by a process that
-- merely starts.
alter table training_runs add column heartbeat_at timestamptz not null default now();
