-- The version of problem_tally's rows: a fold or a rebuild writes a new
-- random one in its transaction. A server keeps the sums it read from
-- problem_tally under the version it read them at (problem.Store.Tally)
-- and adds the deltas not yet folded to them, so a board reloaded many
-- times between two folds sums the table once. Random, not counted up: a
-- database restored from a backup must not meet a version a server kept
-- for other rows.
CREATE TABLE problem_tally_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO problem_tally_version (id, version) VALUES (1, 0);
