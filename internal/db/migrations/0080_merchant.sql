-- Merchants (商户) and their 门前三包 / 五包 responsibility (the frontage
-- they answer for, the duties, the signed commitment 责任书), the ledger's
-- cases linked to a frontage, and the monthly rotating red and black flags
-- (流动红旗) with every change and its reason. internal/merchant owns every
-- table here.
CREATE TABLE merchant (
    id {{serial}},
    name TEXT NOT NULL,
    credit_code TEXT NOT NULL DEFAULT '',            -- 统一社会信用代码 (GB 32100); '' for an individual stall
    business_type TEXT NOT NULL DEFAULT '',          -- 餐饮, 零售, 果蔬 …
    address TEXT NOT NULL DEFAULT '',
    lng DOUBLE PRECISION NOT NULL,                   -- the place, WGS-84
    lat DOUBLE PRECISION NOT NULL,
    region_code TEXT NOT NULL REFERENCES region (code), -- the smallest region holding the place
    street_code TEXT NOT NULL DEFAULT '',            -- its 街道 (9 digits)
    community_code TEXT NOT NULL DEFAULT '',         -- its 社区 (12 digits), '' when located only to a street
    site_id BIGINT REFERENCES site (id),             -- the 商业大街 or 集贸市场 it belongs to, if any
    operator TEXT NOT NULL DEFAULT '',               -- 经营者 (shown masked)
    phone TEXT NOT NULL DEFAULT '',                  -- shown masked
    frontage_kind TEXT NOT NULL DEFAULT 'radius',    -- radius, line, polygon
    frontage TEXT NOT NULL DEFAULT '',               -- GeoJSON LineString or Polygon; '' for a radius
    frontage_meters DOUBLE PRECISION NOT NULL DEFAULT 0, -- the radius, or a line's half-width
    duties TEXT NOT NULL DEFAULT '',                 -- duty codes, comma-separated: hygiene,order,greening …
    commitment_key TEXT NOT NULL DEFAULT '',         -- the signed 责任书: a media key (a photo hash today)
    commitment_on TEXT NOT NULL DEFAULT '',          -- YYYY-MM-DD it was signed
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX merchant_credit ON merchant (credit_code) WHERE credit_code <> '';
CREATE INDEX merchant_region ON merchant (region_code);
CREATE INDEX merchant_street ON merchant (street_code);
CREATE INDEX merchant_site ON merchant (site_id);

-- A case of a 门前三包 category whose place lies in the merchant's frontage.
CREATE TABLE merchant_case (
    merchant_id BIGINT NOT NULL REFERENCES merchant (id) ON DELETE CASCADE,
    problem_id BIGINT NOT NULL REFERENCES problem (id),
    month TEXT NOT NULL,                             -- YYYY-MM of the case's filing, Asia/Shanghai
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, problem_id)
);
CREATE INDEX merchant_case_month ON merchant_case (month, merchant_id);
CREATE INDEX merchant_case_problem ON merchant_case (problem_id);

-- One month's flags of one group: a street (街道) or a site (商业大街,
-- 集贸市场). The proposal is kept once the office acts on it; confirmed
-- rounds are the flags.
CREATE TABLE merchant_flag_round (
    id {{serial}},
    month TEXT NOT NULL,                             -- YYYY-MM
    group_kind TEXT NOT NULL,                        -- street, site
    group_code TEXT NOT NULL,                        -- the street's region code, or the site's id
    group_name TEXT NOT NULL,
    region_code TEXT NOT NULL,                       -- the street's code (a site's street) for scope
    state TEXT NOT NULL,                             -- proposed, confirmed
    proposed_at BIGINT NOT NULL,
    confirmed_by BIGINT REFERENCES app_user (id),
    confirmed_at BIGINT,
    UNIQUE (month, group_kind, group_code)
);
CREATE INDEX merchant_flag_round_region ON merchant_flag_round (region_code, month);

CREATE TABLE merchant_flag (
    round_id BIGINT NOT NULL REFERENCES merchant_flag_round (id) ON DELETE CASCADE,
    merchant_id BIGINT NOT NULL REFERENCES merchant (id) ON DELETE CASCADE,
    kind TEXT NOT NULL DEFAULT '',                   -- red, black, '' (none: a proposal changed away)
    proposed_kind TEXT NOT NULL DEFAULT '',          -- what the formula proposed
    score DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (round_id, merchant_id)
);
CREATE INDEX merchant_flag_merchant ON merchant_flag (merchant_id);

CREATE TABLE merchant_flag_change (
    id {{serial}},
    round_id BIGINT NOT NULL REFERENCES merchant_flag_round (id) ON DELETE CASCADE,
    merchant_id BIGINT NOT NULL REFERENCES merchant (id) ON DELETE CASCADE,
    from_kind TEXT NOT NULL,
    to_kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_by BIGINT REFERENCES app_user (id),
    changed_at BIGINT NOT NULL
);
CREATE INDEX merchant_flag_change_round ON merchant_flag_change (round_id, id);
