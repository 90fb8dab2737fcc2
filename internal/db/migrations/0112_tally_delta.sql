-- The changes of the tally as the moves made them, folded into
-- problem_tally in the background (problem.Store.FoldTally). A move used
-- to add its dozen or two deltas to problem_tally's rows in place: an
-- upsert of rows spread over its primary key and its unit index, a
-- quarter of the pages a report, filing or dispatch wrote, and on
-- PostgreSQL a row lock on the day's totals that every writer queued for.
-- Appended here they fill one or two pages at the end of the table. A read
-- of the tally sums both tables, so it is exact before and after a fold.
CREATE TABLE problem_tally_delta (
    id {{serial}},
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
    other_dispatched INTEGER NOT NULL DEFAULT 0
);
