-- A unit's open cases by deadline, now with their reporting time and
-- place: a handler's ledger reads each of its units' cases of a state, or
-- overdue, newest first from the index alone (the page is a few ids of
-- each unit, sorted), where it read every such case's row for its time;
-- and the office's overdue cases of one unit are tested for its area
-- there too.
DROP INDEX problem_unit_open;
CREATE INDEX problem_unit_open ON problem (unit_id, state, deadline, reported_at, region_code);
-- SQLite plans by the statistics of each index: one without them looked
-- cheapest, and the capped counts of a unit's category read their rows
-- through it. PostgreSQL's statistics are the columns', which stay.
--@sqlite
ANALYZE problem_unit_open;
--@end
