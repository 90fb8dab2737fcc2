-- Inspections (督导检查、模拟测评): plans with their sites and inspectors,
-- one inspection per site and plan, and one result per criterion.
CREATE TABLE inspection_plan (
    id {{serial}},
    name TEXT NOT NULL,
    version_id BIGINT NOT NULL REFERENCES framework_version (id),
    region_code TEXT NOT NULL REFERENCES region (code), -- the plan's area
    covert BOOLEAN NOT NULL DEFAULT FALSE,             -- 暗访: results hidden from units until published
    published_at BIGINT,
    starts_on TEXT NOT NULL,                           -- YYYY-MM-DD, Asia/Shanghai
    ends_on TEXT NOT NULL,
    sampling TEXT NOT NULL DEFAULT '',                 -- JSON: per-type counts and seed, to redraw
    followup_of BIGINT REFERENCES inspection_plan (id), -- 回头看
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE inspection_plan_site (
    plan_id BIGINT NOT NULL REFERENCES inspection_plan (id) ON DELETE CASCADE,
    site_id BIGINT NOT NULL REFERENCES site (id),
    PRIMARY KEY (plan_id, site_id)
);

CREATE TABLE inspection_plan_inspector (
    plan_id BIGINT NOT NULL REFERENCES inspection_plan (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    PRIMARY KEY (plan_id, user_id)
);

CREATE TABLE inspection (
    id {{serial}},
    plan_id BIGINT NOT NULL REFERENCES inspection_plan (id),
    site_id BIGINT NOT NULL REFERENCES site (id),
    inspector_id BIGINT NOT NULL REFERENCES app_user (id),
    client_id TEXT NOT NULL UNIQUE,                    -- made by the phone: a resent form is the same inspection
    submitted_at BIGINT NOT NULL,
    lng DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    distance_m DOUBLE PRECISION,                       -- inspector to site, when both are known
    passed DOUBLE PRECISION NOT NULL,
    applicable DOUBLE PRECISION NOT NULL,
    score_rate DOUBLE PRECISION,                       -- passed / applicable; NULL when nothing applied
    fails INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (plan_id, site_id)
);
CREATE INDEX inspection_site ON inspection (site_id, submitted_at);

CREATE TABLE inspection_result (
    inspection_id BIGINT NOT NULL REFERENCES inspection (id),
    node_id BIGINT NOT NULL REFERENCES framework_node (id),
    outcome TEXT NOT NULL,                             -- pass, fail, na
    weight DOUBLE PRECISION NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    photo_hash TEXT NOT NULL DEFAULT '',
    problem_id BIGINT REFERENCES problem (id),         -- the case a failure filed
    PRIMARY KEY (inspection_id, node_id)
);
CREATE INDEX inspection_result_node ON inspection_result (node_id, outcome);

-- A problem found at a site keeps the link, for the site's history.
ALTER TABLE problem ADD COLUMN site_id BIGINT REFERENCES site (id);
CREATE INDEX problem_site ON problem (site_id);
