-- Responsibility holders (责任制): street chiefs (街长), river chiefs (河长)
-- and area leaders (联点包片 / 分包), each a user with a term, and what
-- each holds: regions (communities, streets), sites, or drawn lines (a
-- road, a river section). internal/holder owns every table here.
CREATE TABLE holder (
    id {{serial}},
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    kind TEXT NOT NULL,                  -- street_chief, river_chief, area_leader
    title TEXT NOT NULL,                 -- e.g. 建设路街长
    region_code TEXT NOT NULL REFERENCES region (code), -- the office area that appointed
    term_from TEXT NOT NULL,             -- YYYY-MM-DD
    term_to TEXT NOT NULL,
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX holder_user ON holder (user_id);
CREATE INDEX holder_region ON holder (region_code);

CREATE TABLE holder_holding (
    id {{serial}},
    holder_id BIGINT NOT NULL REFERENCES holder (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,                  -- region, site, line
    name TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL DEFAULT '',
    site_id BIGINT NOT NULL DEFAULT 0,
    line TEXT NOT NULL DEFAULT '',       -- [[lng,lat],...] WGS-84
    buffer_m DOUBLE PRECISION NOT NULL DEFAULT 0,
    min_lng DOUBLE PRECISION NOT NULL DEFAULT 0,
    min_lat DOUBLE PRECISION NOT NULL DEFAULT 0,
    max_lng DOUBLE PRECISION NOT NULL DEFAULT 0,
    max_lat DOUBLE PRECISION NOT NULL DEFAULT 0
);
CREATE INDEX holder_holding_holder ON holder_holding (holder_id);
CREATE INDEX holder_holding_region ON holder_holding (region_code) WHERE kind = 'region';
CREATE INDEX holder_holding_site ON holder_holding (site_id) WHERE kind = 'site';
