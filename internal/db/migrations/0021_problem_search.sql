-- The ledger's text search: every case's code, description and address as
-- bigrams (internal/problem/search.go). The index is filled from Go (Chinese
-- text is split there), at the first start after this migration and then
-- as each case is written.
--@sqlite
CREATE VIRTUAL TABLE problem_search USING fts5(grams, content='', contentless_delete=1);
--@end
--@postgres
CREATE TABLE problem_search (
    problem_id BIGINT PRIMARY KEY REFERENCES problem (id) ON DELETE CASCADE,
    grams TEXT[] NOT NULL
);
CREATE INDEX problem_search_grams ON problem_search USING GIN (grams);
--@end
