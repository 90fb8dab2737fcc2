-- A unit's open cases by deadline: a handler's "overdue" and "due today",
-- and a street's overdue cases of the communities below it, read from the
-- index alone (unit_id IN (…) AND state IN (…) AND deadline < now). It
-- replaces (unit_id, state), which it covers.
CREATE INDEX problem_unit_open ON problem (unit_id, state, deadline);
DROP INDEX problem_unit;
