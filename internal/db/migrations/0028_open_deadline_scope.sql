-- The ledger's 逾期 page sorts the overdue cases' ids by reporting time
-- and reads only the page's rows; with the scope's columns (unit and
-- reporter beside the region) in the partial index of the open cases, the
-- sort reads the index alone.
DROP INDEX problem_open_deadline;
CREATE INDEX problem_open_deadline ON problem (deadline, region_code, reported_at, unit_id, reporter_id) WHERE state IN ('filed', 'dispatched', 'in_progress');
