-- The bulletin names the 200 longest-overdue cases of an area. The state
-- index holds them in three ranges (one per open state), so the 20,000
-- overdue cases of a million were read and sorted to keep 200; this
-- partial index holds the open cases in deadline order, and the first 200
-- past their deadline are read and no more.
CREATE INDEX problem_open_deadline ON problem (deadline, region_code) WHERE state IN ('filed', 'dispatched', 'in_progress');
