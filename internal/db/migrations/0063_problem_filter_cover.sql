-- The ledger's capped count ("1 万+") of a filter on a column no index
-- leads with (source, escalation, category, unit) had to read up to
-- 10,001 matches' rows within the scope: 0.2–0.4 s at a million cases for
-- the district's hotline or red cases. The scope's indexes now carry the
-- filter columns, so that count reads index entries alone (a few ms):
-- the region index (the office's scope) and a new one leading with the
-- unit (a handler's scope: their unit and the units below); the category
-- index carries the scope columns for the category filter.
DROP INDEX problem_region;
CREATE INDEX problem_region ON problem (region_code, reported_at, source, category_id, escalation_level, unit_id);
CREATE INDEX problem_unit_scope ON problem (unit_id, reported_at, source, category_id, escalation_level, region_code, state);
DROP INDEX problem_category;
CREATE INDEX problem_category ON problem (category_id, reported_at, unit_id, region_code);
-- The red cases (督办) by reporting time, for the ledger's 红色督办 filter:
-- they are old cases, and walking every case newest first passed 50,000
-- before a page of them.
CREATE INDEX problem_red_reported ON problem (reported_at, region_code, unit_id) WHERE escalation_level >= 2;
-- The new indexes' statistics: without them the planners guess, and SQLite
-- took the region index for a state filter (1 s instead of 3 ms).
ANALYZE problem;
