-- The cases whose row of the search index waits to be written (SQLite):
-- a new case, or one moved to another unit (indexed: its old row is to
-- be replaced). Writing FTS5 in the request's transaction flushed a new
-- segment of the index and merged segments at every report and dispatch,
-- a third of their time; problem.Store.IndexPending writes the waiting
-- cases a batch at a time in the background, one segment a batch, and
-- the search tests the waiting cases by substring meanwhile. PostgreSQL
-- indexes in the transaction (its GIN index keeps a pending list itself)
-- and leaves this table empty.
CREATE TABLE problem_search_pending (
--@sqlite
    problem_id INTEGER PRIMARY KEY,
--@end
--@postgres
    problem_id BIGINT PRIMARY KEY,
--@end
    indexed INTEGER NOT NULL DEFAULT 0
);
