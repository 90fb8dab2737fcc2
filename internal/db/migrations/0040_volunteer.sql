-- Volunteers (志愿服务, internal/volunteer): civilization-practice
-- stations, teams and their members, volunteers (ID numbers sealed with
-- the data key, a keyed hash to find duplicates, a masked copy to show),
-- activities with sign-ups and check-ins, the append-only hours ledger,
-- star levels, certificates and the publicity (公示) with its objections.
CREATE TABLE volunteer_station (
    id {{serial}},
    name TEXT NOT NULL UNIQUE,
    level TEXT NOT NULL,                          -- district (中心), street (所), community (站)
    region_code TEXT NOT NULL REFERENCES region (code),
    unit_id BIGINT REFERENCES unit (id),          -- the unit that runs it; its staff manage it
    address TEXT NOT NULL DEFAULT '',
    lng DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    created_at BIGINT NOT NULL
);
CREATE INDEX volunteer_station_region ON volunteer_station (region_code);

CREATE TABLE volunteer_team (
    id {{serial}},
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,                           -- 党员先锋, 文明交通 … (data)
    station_id BIGINT REFERENCES volunteer_station (id),
    unit_id BIGINT REFERENCES unit (id),          -- the unit it belongs to
    region_code TEXT NOT NULL REFERENCES region (code),
    leader_id BIGINT REFERENCES app_user (id),    -- 队长: approves sign-ups, runs activities
    created_at BIGINT NOT NULL
);
CREATE INDEX volunteer_team_region ON volunteer_team (region_code);
CREATE INDEX volunteer_team_leader ON volunteer_team (leader_id);
CREATE INDEX volunteer_team_station ON volunteer_team (station_id);

CREATE TABLE volunteer (
    id {{serial}},
    name TEXT NOT NULL,
    id_sealed TEXT NOT NULL,                      -- AES-256-GCM under the data key (internal/pii)
    id_hash TEXT NOT NULL UNIQUE,                 -- HMAC-SHA256 under a key derived from the data key
    id_masked TEXT NOT NULL,                      -- 410***********002X
    gender TEXT NOT NULL,                         -- m, f (from the ID number)
    birth_date TEXT NOT NULL,                     -- YYYY-MM-DD (from the ID number)
    phone TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL REFERENCES region (code), -- home community (or street, district)
    skills TEXT NOT NULL DEFAULT '',
    political TEXT NOT NULL DEFAULT '',           -- 政治面貌, optional
    joined_on TEXT NOT NULL,                      -- YYYY-MM-DD
    user_id BIGINT UNIQUE REFERENCES app_user (id), -- when the volunteer signs in
    state TEXT NOT NULL,                          -- active, pending (public sign-up), rejected
    total_minutes BIGINT NOT NULL DEFAULT 0,      -- the ledger's sum, kept in the same transaction
    last_served_on TEXT NOT NULL DEFAULT '',      -- the latest credited day, for "active in 12 months"
    created_at BIGINT NOT NULL
);
CREATE INDEX volunteer_region ON volunteer (region_code, state, last_served_on);
CREATE INDEX volunteer_state ON volunteer (state, created_at);
CREATE INDEX volunteer_minutes ON volunteer (total_minutes);

CREATE TABLE volunteer_member (
    team_id BIGINT NOT NULL REFERENCES volunteer_team (id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteer (id),
    state TEXT NOT NULL,                          -- active, pending (asked to join), rejected
    since BIGINT NOT NULL,
    PRIMARY KEY (team_id, volunteer_id)
);
CREATE INDEX volunteer_member_volunteer ON volunteer_member (volunteer_id);
CREATE INDEX volunteer_member_pending ON volunteer_member (state, team_id);

CREATE TABLE volunteer_activity_type (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    reports BOOLEAN NOT NULL DEFAULT FALSE        -- 文明劝导: volunteers report problems while on it
);
INSERT INTO volunteer_activity_type (code, name, position, reports) VALUES
    ('clean', '清洁家园', 1, FALSE),
    ('traffic', '文明交通', 2, FALSE),
    ('persuade', '文明劝导', 3, TRUE),
    ('elderly', '敬老助残', 4, FALSE),
    ('lecture', '理论宣讲', 5, FALSE),
    ('culture', '文化惠民', 6, FALSE),
    ('other', '其他服务', 99, FALSE);

CREATE TABLE volunteer_activity (
    id {{serial}},
    title TEXT NOT NULL,
    kind TEXT NOT NULL REFERENCES volunteer_activity_type (code),
    team_id BIGINT REFERENCES volunteer_team (id),
    station_id BIGINT REFERENCES volunteer_station (id),
    region_code TEXT NOT NULL REFERENCES region (code),
    address TEXT NOT NULL DEFAULT '',
    lng DOUBLE PRECISION NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    radius_m INTEGER NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    quota INTEGER NOT NULL,
    open_to TEXT NOT NULL,                        -- anyone, members (of the team)
    series BIGINT,                                -- the first activity of a repeating series
    token_key TEXT NOT NULL,                      -- signs the rotating check-in codes
    state TEXT NOT NULL,                          -- open, confirmed (hours credited), cancelled
    created_by BIGINT REFERENCES app_user (id),
    confirmed_by BIGINT REFERENCES app_user (id),
    confirmed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX volunteer_activity_region ON volunteer_activity (region_code, starts_at);
CREATE INDEX volunteer_activity_team ON volunteer_activity (team_id, starts_at);
CREATE INDEX volunteer_activity_station ON volunteer_activity (station_id, starts_at);
CREATE INDEX volunteer_activity_starts ON volunteer_activity (starts_at);
CREATE INDEX volunteer_activity_state ON volunteer_activity (state, ends_at);

CREATE TABLE volunteer_signup (
    id {{serial}},
    activity_id BIGINT NOT NULL REFERENCES volunteer_activity (id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteer (id),
    state TEXT NOT NULL,                          -- signed, waiting (past the quota), cancelled
    signed_at BIGINT NOT NULL,
    attendance TEXT NOT NULL DEFAULT '',          -- '', attended, no_show, walk_in
    source TEXT NOT NULL DEFAULT '',              -- checkin, organiser, import: where the attendance came from
    checkin_at BIGINT,
    checkin_lng DOUBLE PRECISION,
    checkin_lat DOUBLE PRECISION,
    checkin_m DOUBLE PRECISION,
    checkout_at BIGINT,
    checkout_lng DOUBLE PRECISION,
    checkout_lat DOUBLE PRECISION,
    minutes INTEGER,                              -- set by hand by the organiser; else from check-in and out
    UNIQUE (activity_id, volunteer_id)
);
CREATE INDEX volunteer_signup_volunteer ON volunteer_signup (volunteer_id, state);

-- The hours ledger: append-only. A correction is a new entry (negative or
-- positive minutes, a reason, the entry it corrects); nothing is updated.
-- The activity's kind, team, station and region are copied so that the
-- figures count without joins.
CREATE TABLE volunteer_hours (
    id {{serial}},
    volunteer_id BIGINT NOT NULL REFERENCES volunteer (id),
    activity_id BIGINT REFERENCES volunteer_activity (id),
    minutes INTEGER NOT NULL,
    source TEXT NOT NULL,                         -- checkin, organiser, import, correction
    reason TEXT NOT NULL DEFAULT '',
    served_on TEXT NOT NULL,                      -- YYYY-MM-DD (Asia/Shanghai)
    kind TEXT NOT NULL DEFAULT '',
    team_id BIGINT,
    station_id BIGINT,
    region_code TEXT NOT NULL,
    corrects BIGINT REFERENCES volunteer_hours (id),
    recorded_by BIGINT REFERENCES app_user (id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX volunteer_hours_volunteer ON volunteer_hours (volunteer_id, served_on, minutes);
CREATE INDEX volunteer_hours_activity ON volunteer_hours (activity_id);
CREATE INDEX volunteer_hours_served ON volunteer_hours (region_code, served_on, volunteer_id, minutes); -- the publicity's top volunteers

-- The ledger's minutes per day, region, type, team and station, changed in
-- the same transaction as each entry (volunteer.Store.credit), so that the
-- figures of a district's year read thousands of rows, not millions.
-- Store.Recompute builds it again from the ledger.
CREATE TABLE volunteer_tally (
    served_on TEXT NOT NULL,
    region_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    team_id BIGINT NOT NULL,                      -- 0: none
    station_id BIGINT NOT NULL,                   -- 0: none
    minutes BIGINT NOT NULL,
    PRIMARY KEY (served_on, region_code, kind, team_id, station_id)
);

-- The same by month ('YYYY-MM'): a year's figures read its whole months
-- here and only the days at the period's ends from volunteer_tally.
CREATE TABLE volunteer_tally_month (
    month TEXT NOT NULL,
    region_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    team_id BIGINT NOT NULL,
    station_id BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    PRIMARY KEY (month, region_code, kind, team_id, station_id)
);

-- Problems a volunteer reported (随手拍) while checked in on an activity
-- whose type reports (文明劝导): the activity's record of them.
CREATE TABLE volunteer_report (
    activity_id BIGINT NOT NULL REFERENCES volunteer_activity (id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteer (id),
    problem_id BIGINT NOT NULL UNIQUE REFERENCES problem (id),
    reported_at BIGINT NOT NULL,
    PRIMARY KEY (activity_id, problem_id)
);

CREATE TABLE volunteer_star (
    volunteer_id BIGINT NOT NULL REFERENCES volunteer (id),
    level INTEGER NOT NULL,                       -- 1 … 5
    reached_at BIGINT NOT NULL,
    state TEXT NOT NULL,                          -- proposed, confirmed, withdrawn (hours fell below)
    certified_as TEXT NOT NULL DEFAULT '',        -- district, city
    decided_by BIGINT REFERENCES app_user (id),
    decided_at BIGINT,
    PRIMARY KEY (volunteer_id, level)
);
CREATE INDEX volunteer_star_state ON volunteer_star (state, level);

CREATE TABLE volunteer_certificate (
    id {{serial}},
    number TEXT NOT NULL UNIQUE,                  -- 志证〔2026〕000012
    verify_code TEXT NOT NULL UNIQUE,             -- in the public verification URL
    volunteer_id BIGINT NOT NULL REFERENCES volunteer (id),
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    minutes BIGINT NOT NULL DEFAULT 0,            -- frozen at issue
    activities INTEGER NOT NULL DEFAULT 0,
    issuer TEXT NOT NULL,                         -- the recording organisation
    region_code TEXT NOT NULL,
    state TEXT NOT NULL,                          -- applied, accepted, issued, rejected
    applied_by BIGINT REFERENCES app_user (id),
    applied_at BIGINT NOT NULL,
    accepted_by BIGINT REFERENCES app_user (id),
    accepted_at BIGINT,
    issued_by BIGINT REFERENCES app_user (id),
    issued_at BIGINT
);
CREATE INDEX volunteer_certificate_volunteer ON volunteer_certificate (volunteer_id);
CREATE INDEX volunteer_certificate_state ON volunteer_certificate (state, region_code);

CREATE TABLE volunteer_publicity (
    id {{serial}},
    title TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES region (code),
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    objections_until BIGINT NOT NULL,
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE volunteer_publicity_entry (
    publicity_id BIGINT NOT NULL REFERENCES volunteer_publicity (id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteer (id),
    kind TEXT NOT NULL,                           -- star, outstanding
    level INTEGER NOT NULL DEFAULT 0,
    minutes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (publicity_id, volunteer_id, kind)
);

CREATE TABLE volunteer_objection (
    id {{serial}},
    publicity_id BIGINT NOT NULL REFERENCES volunteer_publicity (id),
    body TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    resolution TEXT NOT NULL DEFAULT '',
    resolved_by BIGINT REFERENCES app_user (id),
    resolved_at BIGINT
);
CREATE INDEX volunteer_objection_publicity ON volunteer_objection (publicity_id);
