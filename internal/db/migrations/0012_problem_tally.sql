-- Pre-aggregated counts of the ledger (problem_tally), kept up to date in
-- the same transaction as every change of a case, so that the dashboard
-- reads a few thousand counter rows instead of every case of a district.
--
-- Two columns on the case make its counts a function of its row alone:
-- verify_passes (the verify_fail count is rework_count) and handling_hours
-- (working hours from dispatch to rectification, computed on the working
-- calendar when the case is rectified).
ALTER TABLE problem ADD COLUMN verify_passes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE problem ADD COLUMN handling_hours DOUBLE PRECISION;
UPDATE problem SET verify_passes = (SELECT COUNT(*) FROM problem_event e WHERE e.problem_id = problem.id AND e.action = 'verify_pass');

-- One row per local day (Asia/Shanghai, days since 1970-01-01), street
-- (the first 9 digits of the case's region), responsible unit and
-- dimension. unit_id 0 rows roll up every unit of the street; unit rows
-- exist for the totals only (dim ''). dim 'c' is by category (dim_key the
-- category id), 's' by source. Which day a counter is kept under depends
-- on the counter: the filing day for the cohort counts (filed … handled),
-- the reporting day for reported, the closing day for closures; day 0
-- holds the cases open now.
CREATE TABLE problem_tally (
    day INTEGER NOT NULL,
    street TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    dim TEXT NOT NULL,
    dim_key TEXT NOT NULL,
    reported INTEGER NOT NULL DEFAULT 0,
    filed INTEGER NOT NULL DEFAULT 0,
    closed INTEGER NOT NULL DEFAULT 0,
    closed_on_time INTEGER NOT NULL DEFAULT 0,
    parked INTEGER NOT NULL DEFAULT 0,
    dispatched INTEGER NOT NULL DEFAULT 0,
    extended INTEGER NOT NULL DEFAULT 0,
    returned INTEGER NOT NULL DEFAULT 0,
    verifications INTEGER NOT NULL DEFAULT 0,
    verify_failed INTEGER NOT NULL DEFAULT 0,
    handled INTEGER NOT NULL DEFAULT 0,
    handling_hours DOUBLE PRECISION NOT NULL DEFAULT 0,
    closures INTEGER NOT NULL DEFAULT 0,
    open_now INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, street, unit_id, dim, dim_key)
);
CREATE INDEX problem_tally_unit ON problem_tally (unit_id, day);

-- The bulletin names the cases that failed verification twice or more:
-- few, and found through this index instead of reading the whole area.
CREATE INDEX problem_reworked ON problem (rework_count) WHERE rework_count >= 2;

-- The overdue cases of an area (open, past the deadline, in the region)
-- are counted from this index alone, without reading the cases: the
-- region is in the index (PostgreSQL read a district's every case instead).
DROP INDEX problem_state;
CREATE INDEX problem_state ON problem (state, deadline, region_code);

-- The cases an office user entered outside the office's area (the rates of
-- the whole jurisdiction add them to the tally's): the region beside the
-- reporter keeps that look-up inside the index.
DROP INDEX problem_reporter;
CREATE INDEX problem_reporter ON problem (reporter_id, region_code);
