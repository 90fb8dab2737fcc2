-- Inspection sites (点位): where each is, the region found from that place,
-- and who answers for it. Types live in site_type (0006, the framework).
CREATE TABLE site (
    id {{serial}},
    code TEXT NOT NULL UNIQUE,                 -- e.g. S410411-0001
    name TEXT NOT NULL,
    type_code TEXT NOT NULL REFERENCES site_type (code),
    geometry TEXT,                             -- GeoJSON Point, LineString or Polygon (WGS-84); NULL: no fixed place
    lng DOUBLE PRECISION,                      -- representative point (marker, region lookup)
    lat DOUBLE PRECISION,
    min_lng DOUBLE PRECISION,                  -- bounding box of the geometry
    min_lat DOUBLE PRECISION,
    max_lng DOUBLE PRECISION,
    max_lat DOUBLE PRECISION,
    region_code TEXT NOT NULL REFERENCES region (code),
    address TEXT NOT NULL DEFAULT '',
    territorial_unit_id BIGINT REFERENCES unit (id),  -- 属地单位
    department_unit_id BIGINT REFERENCES unit (id),   -- 职能部门
    sponsor_unit_id BIGINT REFERENCES unit (id),      -- 包保单位
    sponsor_leader TEXT NOT NULL DEFAULT '',          -- 包保领导
    head_name TEXT NOT NULL DEFAULT '',
    head_phone TEXT NOT NULL DEFAULT '',
    liaison_name TEXT NOT NULL DEFAULT '',
    liaison_phone TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    qr_token TEXT NOT NULL UNIQUE,             -- random; the QR code's URL is /s/<token>
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX site_by_region ON site (region_code, code);
CREATE INDEX site_by_type ON site (type_code, region_code);
CREATE INDEX site_by_territorial ON site (territorial_unit_id);
CREATE INDEX site_by_department ON site (department_unit_id);
CREATE INDEX site_by_sponsor ON site (sponsor_unit_id);
