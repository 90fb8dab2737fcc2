-- Site types (点位类型) as data: the 26 types of the 2021 operating manual
-- are built in, and a city adds its own. Sites (package site) and the
-- criteria of the evaluation framework refer to them by code. Types are
-- deactivated, never deleted.
CREATE TABLE site_type (
    code TEXT PRIMARY KEY,             -- stable, e.g. main_road
    name TEXT NOT NULL,                -- e.g. 主次干道
    position INTEGER NOT NULL,
    builtin BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);
-- Sheets name site types by name, so names are unique too.
CREATE UNIQUE INDEX site_type_name ON site_type (name);

-- The evaluation framework (测评体系), kept as versions side by side; at
-- most one is active, and the inspection checklist is drawn from it.
CREATE TABLE framework_version (
    id {{serial}},
    name TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    is_sample BOOLEAN NOT NULL DEFAULT FALSE, -- the built-in example, not an official edition
    active BOOLEAN NOT NULL DEFAULT FALSE,
    source TEXT NOT NULL DEFAULT '',          -- sample | empty | copy | import
    source_detail TEXT NOT NULL DEFAULT '',   -- copied version's name, imported file's name
    created_at BIGINT NOT NULL,
    created_by BIGINT,                        -- app_user id; NULL for the system
    updated_at BIGINT NOT NULL,
    activated_at BIGINT
);
-- Every indexed value is TRUE, so the index holds at most one row.
CREATE UNIQUE INDEX framework_version_one_active ON framework_version (active) WHERE active;

-- The tree of a version: items (测评项目, level 1), indicators (指标, 2),
-- contents (测评内容, 3) and criteria (测评标准, 4). Only criteria carry
-- methods, a score, site types and problem categories.
CREATE TABLE framework_node (
    id {{serial}},
    version_id BIGINT NOT NULL REFERENCES framework_version (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES framework_node (id) ON DELETE CASCADE, -- NULL for items
    level SMALLINT NOT NULL,
    code TEXT NOT NULL,                       -- unique within the version, e.g. 3.2.1.4
    body TEXT NOT NULL,                       -- the text of the node
    position INTEGER NOT NULL,                -- among its siblings
    methods TEXT NOT NULL DEFAULT '',         -- criteria: comma list of field, survey, dossier
    score DOUBLE PRECISION,                   -- criteria: points or weight; NULL when not given
    UNIQUE (version_id, code)
);
CREATE INDEX framework_node_parent ON framework_node (version_id, parent_id, position);
CREATE INDEX framework_node_level ON framework_node (version_id, level);

-- The site types a criterion applies to.
CREATE TABLE framework_criterion_site_type (
    node_id BIGINT NOT NULL REFERENCES framework_node (id) ON DELETE CASCADE,
    site_type TEXT NOT NULL REFERENCES site_type (code),
    PRIMARY KEY (node_id, site_type)
);
CREATE INDEX framework_criterion_site_type_type ON framework_criterion_site_type (site_type, node_id);

-- The problem categories (category.code, e.g. SR01) a failed criterion is
-- filed as. Codes are stable and categories are never deleted.
CREATE TABLE framework_criterion_category (
    node_id BIGINT NOT NULL REFERENCES framework_node (id) ON DELETE CASCADE,
    category_code TEXT NOT NULL REFERENCES category (code),
    PRIMARY KEY (node_id, category_code)
);
