-- The problem ledger (问题台账): one row per case, its timeline of events
-- (append-only), the photos attached to events, and in-app notifications.
CREATE TABLE problem (
    id {{serial}},
    code TEXT NOT NULL UNIQUE,               -- 编号, e.g. 410411-20261122-0007
    source TEXT NOT NULL,                    -- citizen, snapshot, inspection, hotline, media, superior, api, camera, other
    category_id BIGINT,                      -- sub-category; NULL until filed for citizen reports without one
    description TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    lng DOUBLE PRECISION,                    -- WGS-84
    lat DOUBLE PRECISION,
    region_code TEXT REFERENCES region (code), -- smallest region containing the place
    state TEXT NOT NULL,
    unit_id BIGINT REFERENCES unit (id),     -- responsible unit once dispatched
    route_note TEXT NOT NULL DEFAULT '',     -- which rule chose the unit
    reporter_id BIGINT REFERENCES app_user (id),
    reporter_name TEXT NOT NULL DEFAULT '',
    reporter_phone TEXT NOT NULL DEFAULT '',
    duplicate_of BIGINT REFERENCES problem (id),
    limit_amount INTEGER NOT NULL DEFAULT 0,
    limit_unit TEXT NOT NULL DEFAULT '',     -- hour or day
    deadline BIGINT,                         -- unix ms; NULL until dispatched
    reported_at BIGINT NOT NULL,
    filed_at BIGINT,
    dispatched_at BIGINT,
    accepted_at BIGINT,
    rectified_at BIGINT,
    closed_at BIGINT,
    parked_until BIGINT,                     -- target date of a parked case
    park_plan TEXT NOT NULL DEFAULT '',
    ext_requested_deadline BIGINT,           -- pending extension request
    ext_reason TEXT NOT NULL DEFAULT '',
    rework_count INTEGER NOT NULL DEFAULT 0,
    return_count INTEGER NOT NULL DEFAULT 0,
    extension_count INTEGER NOT NULL DEFAULT 0,
    escalation_level SMALLINT NOT NULL DEFAULT 0, -- 0 none, 1 yellow, 2 red
    escalated_at BIGINT,
    notified_on TEXT,                        -- Shanghai day of the last overdue notice (yyyymmdd)
    rectified_by BIGINT REFERENCES app_user (id),
    version INTEGER NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);
CREATE INDEX problem_state ON problem (state, deadline);
CREATE INDEX problem_unit ON problem (unit_id, state);
CREATE INDEX problem_region ON problem (region_code, reported_at);
CREATE INDEX problem_reported ON problem (reported_at);
CREATE INDEX problem_category ON problem (category_id, reported_at);

CREATE TABLE problem_event (
    id {{serial}},
    problem_id BIGINT NOT NULL REFERENCES problem (id),
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES app_user (id),  -- NULL: the system (escalation job, public form)
    action TEXT NOT NULL,
    from_state TEXT NOT NULL DEFAULT '',
    to_state TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT ''                -- JSON details: unit, deadline, reason …
);
CREATE INDEX problem_event_problem ON problem_event (problem_id, id);

CREATE TABLE problem_photo (
    problem_id BIGINT NOT NULL REFERENCES problem (id),
    event_id BIGINT NOT NULL REFERENCES problem_event (id),
    hash TEXT NOT NULL,
    role TEXT NOT NULL,                          -- before, after, evidence
    PRIMARY KEY (event_id, hash)
);
CREATE INDEX problem_photo_problem ON problem_photo (problem_id);

CREATE TABLE notification (
    id {{serial}},
    user_id BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    problem_id BIGINT REFERENCES problem (id),
    kind TEXT NOT NULL,                          -- dispatched, returned, escalated_yellow, escalated_red, verify, …
    args TEXT NOT NULL DEFAULT '',               -- JSON array of message arguments
    dedupe_key TEXT UNIQUE,                      -- stops two servers sending the same notice twice
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notification_user ON notification (user_id, read_at, id);

-- Ordered routing rules (属地管理、条块结合): the first enabled rule whose
-- category and region subtree match a case chooses its unit.
CREATE TABLE routing_rule (
    id {{serial}},
    position INTEGER NOT NULL,
    category_id BIGINT,                          -- NULL: any category
    region_code TEXT REFERENCES region (code),   -- NULL: anywhere
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    note TEXT NOT NULL DEFAULT '',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX routing_rule_position ON routing_rule (position);

-- Daily serial numbers for case codes.
CREATE TABLE problem_seq (
    day TEXT PRIMARY KEY,
    n INTEGER NOT NULL
);

-- Messages to people outside the platform (the unit head's and liaison's
-- phones), for an SMS gateway to send; dedupe_key makes them once-only.
CREATE TABLE outbox_message (
    id {{serial}},
    channel TEXT NOT NULL,
    to_name TEXT NOT NULL,
    to_phone TEXT NOT NULL,
    kind TEXT NOT NULL,
    args TEXT NOT NULL DEFAULT '',
    dedupe_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
