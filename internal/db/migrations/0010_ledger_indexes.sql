-- Everyone sees the cases they reported: the ledger's scope is "reported by
-- me OR in my area OR my unit's", and an OR can only use indexes when each
-- side has one.
CREATE INDEX problem_reporter ON problem (reporter_id);
-- Rates count the cases filed in a period.
CREATE INDEX problem_filed ON problem (filed_at);
