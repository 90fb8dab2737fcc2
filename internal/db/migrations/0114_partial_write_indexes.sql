-- Four indexes of the ledger hold only the cases they are asked about.
-- Every question they answer names a unit, a filing time or a site, and
-- a new case has none of them: it used to enter all four under NULL,
-- then leave the two unit indexes again at its filing (their state
-- column) and its dispatch, each time a page written to the WAL. A
-- report now writes four index pages fewer, a filing and a dispatch two.
DROP INDEX problem_unit_open;
CREATE INDEX problem_unit_open ON problem (unit_id, state, deadline, reported_at, region_code) WHERE unit_id IS NOT NULL;
DROP INDEX problem_unit_scope;
CREATE INDEX problem_unit_scope ON problem (unit_id, reported_at, source, category_id, escalation_level, region_code, state)
    WHERE unit_id IS NOT NULL;
DROP INDEX problem_filed;
CREATE INDEX problem_filed ON problem (filed_at) WHERE filed_at IS NOT NULL;
DROP INDEX problem_site;
CREATE INDEX problem_site ON problem (site_id) WHERE site_id IS NOT NULL;
--@sqlite
ANALYZE problem_unit_open;
ANALYZE problem_unit_scope;
ANALYZE problem_filed;
ANALYZE problem_site;
--@end
