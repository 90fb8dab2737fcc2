-- The weekly bulletin counts from the tally instead of reading every case
-- of the period again (issue 9). It ranks units by weighted figures, so
-- the tally keeps each unit's cases by source (dim 'u' rows),
-- and it counts a return against the unit that made it, so the case row
-- names those units and the tally keeps their returns (dim 'r' rows,
-- keyed by source, under the returning unit).

-- The units that returned the case, oldest first, as comma-separated ids.
-- NULL where not yet read from the timeline (cases from before this
-- column, bulk loads): the tally's build fills it before it counts.
ALTER TABLE problem ADD COLUMN returners TEXT;

-- The tally is laid out again, and built again from the cases at the next
-- start (the setting problem.tally_built.4). Every read names one
-- dimension, so the dimension leads the key: a month of one dimension is
-- one range, not every dimension's rows of the month. On SQLite the rows
-- are stored in key order (WITHOUT ROWID), so the range is read in place.
--
-- Every count is also kept rolled up by district (dimensions prefixed
-- 'D', the street column holding the district's six digits), which a read
-- of a district or of units sums instead of the district's streets.
--
-- New cohort counter: cases marked falsified (虚假整改), kept under the
-- unit the case is with. Returner rows (dim 'r'): the cases the unit
-- returned (once a case), the returns judged unjustified, and of the cases
-- it returned those now elsewhere (another unit, or none yet), which the
-- bulletin counts among the unit's cases and dispatches.
DROP TABLE problem_tally;
CREATE TABLE problem_tally (
    dim TEXT NOT NULL,
    day INTEGER NOT NULL,
    street TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
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
    falsified INTEGER NOT NULL DEFAULT 0,
    returns_made INTEGER NOT NULL DEFAULT 0,
    unjust_returns INTEGER NOT NULL DEFAULT 0,
    other_cases INTEGER NOT NULL DEFAULT 0,
    other_dispatched INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, day, street, unit_id, dim_key)
)
--@sqlite
WITHOUT ROWID
--@end
;
-- A unit's own rows (its figures, the workbench's day against yesterday).
CREATE INDEX problem_tally_unit ON problem_tally (unit_id, dim, day);
