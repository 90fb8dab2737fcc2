-- Settings that every server of one installation shares (e.g. the key that
-- signs CSRF tokens).
CREATE TABLE setting (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Regions: the national statistical division codes. A code begins with the
-- code of its parent, so the ancestor columns and prefixes agree.
-- level: 1 province, 2 city, 3 district, 4 street/township, 5 community/village, 6 grid.
CREATE TABLE region (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level SMALLINT NOT NULL,
    parent_code TEXT REFERENCES region (code),
    boundary TEXT,               -- GeoJSON geometry (WGS-84), grids only
    min_lng DOUBLE PRECISION,    -- bounding box of the boundary
    min_lat DOUBLE PRECISION,
    max_lng DOUBLE PRECISION,
    max_lat DOUBLE PRECISION,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX region_parent ON region (parent_code, code);

-- Units: offices, line departments, territorial units and others.
CREATE TABLE unit (
    id {{serial}},
    code TEXT NOT NULL UNIQUE,    -- short identifier; territorial units use their region code
    name TEXT NOT NULL,
    kind TEXT NOT NULL,           -- office, department, territorial, sponsor, property, other
    line TEXT NOT NULL DEFAULT '', -- line of a department, e.g. urban_management
    parent_id BIGINT REFERENCES unit (id),
    region_code TEXT REFERENCES region (code), -- jurisdiction: a region subtree
    head_name TEXT NOT NULL DEFAULT '',
    head_phone TEXT NOT NULL DEFAULT '',
    liaison_name TEXT NOT NULL DEFAULT '',
    liaison_phone TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX unit_parent ON unit (parent_id);
CREATE INDEX unit_name ON unit (name);
CREATE INDEX unit_region ON unit (region_code);

CREATE TABLE app_user (
    id {{serial}},
    username TEXT NOT NULL UNIQUE,
    phone TEXT UNIQUE,
    display_name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_login_at BIGINT
);
CREATE INDEX app_user_unit ON app_user (unit_id);

CREATE TABLE user_role (
    user_id BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Sign-in sessions; only the SHA-256 of the cookie value is stored.
CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    client_addr TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_session_user ON user_session (user_id);
CREATE INDEX user_session_expires ON user_session (expires_at);

-- Failed sign-ins per account name and per client address.
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0
);

-- API bearer tokens; only the SHA-256 of the token is stored.
CREATE TABLE api_token (
    id {{serial}},
    name TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    token_prefix TEXT NOT NULL,
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
