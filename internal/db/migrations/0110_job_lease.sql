-- Leases of the periodic jobs (escalation, scheduled bulletins, session
-- purge, robots …): several servers on one database tick on their own, and
-- the server holding a job's lease runs it for that period; the others
-- skip. runs counts the periods run, holder names the last server.
-- internal/lease owns it.
CREATE TABLE job_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL,      -- unix ms; past it any server may take the lease
    started_at BIGINT NOT NULL,      -- unix ms of the last run's start
    runs BIGINT NOT NULL DEFAULT 0
);
