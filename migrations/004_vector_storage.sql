-- Keep each 512-d embedding in its row. A vector(512) is 2,056 bytes, which
-- with the row header passes the 2 kB TOAST threshold: by default (the vector
-- type's EXTERNAL storage) every embedding went to the TOAST table, so an
-- exact scan probed the TOAST index once per row, and the heap looked ~30
-- times smaller than the data, which kept the planner from parallel scans
-- (min_parallel_table_scan_size and the worker count go by heap pages).
-- PLAIN also rules out compression, which float data does not repay.
alter table embeddings alter column embedding set storage plain;
-- The setting applies to rows written from now on; rewriting the table (in
-- the key's order, the order the in-process index loads it in) brings
-- existing rows back inline.
cluster embeddings using embeddings_pkey;

-- A vector(2048) (8,200 bytes) cannot fit in an 8 kB page, so the ResNet50
-- features stay out of line. Their heap is small, so the planner would size
-- a parallel scan by the heap alone; ask for workers explicitly (the
-- server's max_parallel_workers_per_gather still caps them).
alter table products set (parallel_workers = 4);
