-- Working calendar: public holidays and swapped working days (调休) by
-- Asia/Shanghai date. Days not listed follow the week: Monday to Friday are
-- worked, Saturday and Sunday are not. The daily working periods live in
-- setting 'calendar.working_hours'.
CREATE TABLE calendar_day (
    day TEXT PRIMARY KEY,          -- YYYY-MM-DD
    kind TEXT NOT NULL,            -- holiday | workday
    name TEXT NOT NULL DEFAULT ''  -- the holiday, e.g. 春节
);

-- Years whose schedule has been set, from the built-in data or by the
-- office; a year present here is never reseeded, so the office's version
-- stays.
CREATE TABLE calendar_year (
    year INTEGER PRIMARY KEY,
    source TEXT NOT NULL,          -- builtin | office
    updated_at BIGINT NOT NULL,
    updated_by BIGINT              -- app_user id; NULL for the built-in data and the command line
);

-- Problem categories: top categories (大类) and the sub-categories (小类)
-- that cases refer to. Rows are deactivated, never deleted.
CREATE TABLE category_top (
    id {{serial}},
    code TEXT NOT NULL UNIQUE,     -- stable, e.g. SR
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE category (
    id {{serial}},
    top_id BIGINT NOT NULL REFERENCES category_top (id),
    code TEXT NOT NULL UNIQUE,     -- stable, e.g. SR01; also the Open311 service_code
    name TEXT NOT NULL,
    kind TEXT NOT NULL,            -- event | component
    limit_amount INTEGER NOT NULL,
    limit_unit TEXT NOT NULL,      -- hour | day (working time)
    filing_condition TEXT NOT NULL DEFAULT '',
    closing_condition TEXT NOT NULL DEFAULT '',
    owner_rule TEXT NOT NULL,      -- territorial | line:<line>
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX category_top_position ON category (top_id, position);
