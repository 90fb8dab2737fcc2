-- Selections (评选): kinds as data (who can be a candidate, the period,
-- the score sheet of points or named stars, the quota and the levels of
-- review), rounds with nominations, level-by-level reviews, the 公示 and
-- its objections, awards with numbered certificates, and revocations.
-- internal/selection owns every table here.
CREATE TABLE selection_kind (
    id {{serial}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    candidate_type TEXT NOT NULL,        -- household, merchant, person, unit
    period TEXT NOT NULL,                -- month, quarter, year
    sheet TEXT NOT NULL,                 -- points, stars
    quota INTEGER NOT NULL DEFAULT 0,    -- 0: no limit
    levels TEXT NOT NULL,                -- review levels in order, comma separated: community,street,office
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);

-- The kind's score sheet: items with their full points, or named stars
-- (points 1, each awarded or not).
CREATE TABLE selection_criterion (
    id {{serial}},
    kind_id BIGINT NOT NULL REFERENCES selection_kind (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    points INTEGER NOT NULL
);
CREATE INDEX selection_criterion_kind ON selection_criterion (kind_id, position);

CREATE TABLE selection_round (
    id {{serial}},
    kind_id BIGINT NOT NULL REFERENCES selection_kind (id),
    title TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES region (code), -- the round's area
    period_label TEXT NOT NULL,          -- 2026年第二季度
    opens_on TEXT NOT NULL,              -- nominations from (YYYY-MM-DD, Asia/Shanghai)
    closes_on TEXT NOT NULL,             -- nominations until, inclusive
    quota INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,                 -- nominating, publicity, awarded
    publicity_at BIGINT,
    objections_until BIGINT,
    awarded_at BIGINT,
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX selection_round_region ON selection_round (region_code, created_at);

-- One candidate of a round. candidate_key makes a second nomination of
-- the same candidate in a round impossible.
CREATE TABLE selection_nomination (
    id {{serial}},
    round_id BIGINT NOT NULL REFERENCES selection_round (id),
    candidate_type TEXT NOT NULL,
    candidate_key TEXT NOT NULL,
    ref_id BIGINT NOT NULL DEFAULT 0,     -- the merchant's id when the directory knows it
    name TEXT NOT NULL,
    credit_code TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL,            -- the community (or street) of the candidate
    address TEXT NOT NULL DEFAULT '',
    contact_masked TEXT NOT NULL DEFAULT '',
    contact_sealed TEXT NOT NULL DEFAULT '',
    deeds TEXT NOT NULL DEFAULT '',       -- 事迹 / reasons
    source TEXT NOT NULL,                 -- self, community, street, unit, office
    nominated_by BIGINT REFERENCES app_user (id),
    nominator_unit BIGINT REFERENCES unit (id),
    state TEXT NOT NULL,                  -- pending, approved, rejected, withdrawn, awarded, revoked
    passed INTEGER NOT NULL DEFAULT 0,    -- review levels passed
    score INTEGER NOT NULL DEFAULT 0,     -- points, or stars awarded
    number TEXT,                          -- certificate number once awarded
    awarded_at BIGINT,
    revoked_at BIGINT,
    revoke_reason TEXT NOT NULL DEFAULT '',
    revoked_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX selection_nomination_candidate ON selection_nomination (round_id, candidate_key);
CREATE UNIQUE INDEX selection_nomination_number ON selection_nomination (number);
CREATE INDEX selection_nomination_region ON selection_nomination (region_code, state);
CREATE INDEX selection_nomination_ref ON selection_nomination (candidate_type, ref_id, state);

CREATE TABLE selection_score (
    nomination_id BIGINT NOT NULL REFERENCES selection_nomination (id),
    criterion_id BIGINT NOT NULL REFERENCES selection_criterion (id),
    points INTEGER NOT NULL,
    PRIMARY KEY (nomination_id, criterion_id)
);

CREATE TABLE selection_review (
    id {{serial}},
    nomination_id BIGINT NOT NULL REFERENCES selection_nomination (id),
    level TEXT NOT NULL,
    decision TEXT NOT NULL,               -- approve, reject
    comment TEXT NOT NULL DEFAULT '',
    reviewer_id BIGINT REFERENCES app_user (id),
    unit_id BIGINT REFERENCES unit (id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX selection_review_level ON selection_review (nomination_id, level);

CREATE TABLE selection_objection (
    id {{serial}},
    round_id BIGINT NOT NULL REFERENCES selection_round (id),
    nomination_id BIGINT REFERENCES selection_nomination (id),
    body TEXT NOT NULL,
    contact_masked TEXT NOT NULL DEFAULT '',
    contact_sealed TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    upheld BOOLEAN NOT NULL DEFAULT FALSE,
    resolution TEXT NOT NULL DEFAULT '',
    resolved_by BIGINT REFERENCES app_user (id),
    resolved_at BIGINT
);
CREATE INDEX selection_objection_round ON selection_objection (round_id, created_at);
