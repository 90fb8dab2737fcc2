-- Bulletins (通报): issued bulletins are frozen (the figures as they were
-- stored as JSON), numbered per issuing office and year, and never changed;
-- re-issuing makes a new row with a new number.
CREATE TABLE bulletin (
    id {{serial}},
    region_code TEXT NOT NULL,                   -- jurisdiction of the issuing office; numbers count per region and year
    issuer_unit_id BIGINT REFERENCES unit (id),
    issuer_name TEXT NOT NULL DEFAULT '',        -- the office's name as it was at issue
    year INTEGER NOT NULL,                       -- 〔2026〕
    seq INTEGER NOT NULL,                        -- 第12期
    title TEXT NOT NULL DEFAULT '',              -- '' : the standard title
    scope_region TEXT NOT NULL DEFAULT '',       -- a region subtree, or '' for a group of units
    scope_units TEXT NOT NULL DEFAULT '',        -- comma-separated unit ids of a group scope
    scope_name TEXT NOT NULL DEFAULT '',         -- the region's or the units' names, for the archive
    period_kind TEXT NOT NULL,                   -- day, week, month, custom
    period_from TEXT NOT NULL,                   -- YYYY-MM-DD, Asia/Shanghai, inclusive
    period_to TEXT NOT NULL,
    body TEXT NOT NULL,                          -- JSON: every figure of the bulletin
    issued_at BIGINT NOT NULL,
    issued_by BIGINT REFERENCES app_user (id),   -- NULL: the schedule
    schedule_id BIGINT,
    reissue_of BIGINT REFERENCES bulletin (id),
    UNIQUE (region_code, year, seq)
);
CREATE INDEX bulletin_issued ON bulletin (issued_at);
CREATE INDEX bulletin_scope ON bulletin (scope_region);

-- The units a bulletin names: each of them sees it.
CREATE TABLE bulletin_unit (
    bulletin_id BIGINT NOT NULL REFERENCES bulletin (id),
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    PRIMARY KEY (bulletin_id, unit_id)
);
CREATE INDEX bulletin_unit_unit ON bulletin_unit (unit_id, bulletin_id);

-- The composite assessment of an office's jurisdiction (weights, penalties,
-- minimum sample, excluded units) as one JSON row.
CREATE TABLE bulletin_config (
    region_code TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_by BIGINT REFERENCES app_user (id),
    updated_at BIGINT NOT NULL
);

-- Scheduled issue: e.g. every Monday 09:00 for the past week. last_run_key
-- names the period last issued ("week:2026-W47"); a conditional update of it
-- claims a run, so several servers issue it once.
CREATE TABLE bulletin_schedule (
    id {{serial}},
    region_code TEXT NOT NULL,                   -- the issuing office's jurisdiction
    issuer_unit_id BIGINT REFERENCES unit (id),
    scope_region TEXT NOT NULL,
    period_kind TEXT NOT NULL,                   -- day, week, month
    weekday SMALLINT NOT NULL DEFAULT 1,         -- 1 Monday … 7 Sunday (week)
    monthday SMALLINT NOT NULL DEFAULT 1,        -- 1 … 28 (month)
    hour SMALLINT NOT NULL,
    minute SMALLINT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    last_run_key TEXT NOT NULL DEFAULT '',
    last_run_at BIGINT,
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX bulletin_schedule_region ON bulletin_schedule (region_code);

-- The office's judgements that the assessment penalises: a rectification
-- found to be falsified, and returns found unjustified.
ALTER TABLE problem ADD COLUMN falsified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE problem ADD COLUMN unjustified_returns INTEGER NOT NULL DEFAULT 0;

-- Who marked what, when (the marks change the assessment, so they are kept).
CREATE TABLE bulletin_mark (
    id {{serial}},
    problem_id BIGINT NOT NULL REFERENCES problem (id),
    kind TEXT NOT NULL,                          -- falsified, not_falsified, unjustified_return
    note TEXT NOT NULL DEFAULT '',
    actor_id BIGINT REFERENCES app_user (id),
    at BIGINT NOT NULL
);
CREATE INDEX bulletin_mark_problem ON bulletin_mark (problem_id, id);
