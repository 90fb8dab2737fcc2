-- Files of any allowed type (PDF, JPEG, PNG, WebP, DOCX, XLSX), content-
-- addressed like photos: hash is the hex SHA-256 of the bytes, the blob
-- store keeps them under file/<hash>, and images also get a metadata-free
-- thumbnail at thumb/<hash>.jpg. internal/media owns media_file; the
-- domains that attach files (the dossier, later the work plan's reports)
-- keep their own rows naming the hash.
CREATE TABLE media_file (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,               -- pdf, jpeg, png, webp, docx, xlsx
    mime TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    pages INTEGER NOT NULL DEFAULT 0, -- a PDF's page count; 0 unknown or not a PDF
    width INTEGER NOT NULL DEFAULT 0, -- an image's size
    height INTEGER NOT NULL DEFAULT 0,
    thumb BOOLEAN NOT NULL DEFAULT FALSE,
    original_name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

-- Evidence dossiers (材料审核 / 创城档案): rounds (材料申报) for a framework
-- version and an area, their requirements (材料清单) per 材料审核
-- criterion, the instances each responsible unit owes (items), the files
-- they upload with the history of replacements and reviews, and export
-- jobs. internal/dossier owns every dossier_* table.
CREATE TABLE dossier_round (
    id {{serial}},
    name TEXT NOT NULL,
    evaluation_on TEXT NOT NULL,          -- YYYY-MM-DD, the evaluation date
    version_id BIGINT NOT NULL REFERENCES framework_version (id),
    region_code TEXT NOT NULL REFERENCES region (code),
    state TEXT NOT NULL DEFAULT 'draft',  -- draft, open, closed
    copied_from BIGINT REFERENCES dossier_round (id),
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL,
    opened_at BIGINT
);
CREATE INDEX dossier_round_version ON dossier_round (version_id, state);

CREATE TABLE dossier_requirement (
    id {{serial}},
    round_id BIGINT NOT NULL REFERENCES dossier_round (id) ON DELETE CASCADE,
    criterion_id BIGINT NOT NULL REFERENCES framework_node (id),
    position INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    material_types TEXT NOT NULL DEFAULT '', -- comma-separated: document, account, photo, table
    frequency TEXT NOT NULL,                 -- once, monthly, quarterly
    period_from TEXT NOT NULL,               -- YYYY-MM
    period_to TEXT NOT NULL,                 -- YYYY-MM
    due_days INTEGER NOT NULL DEFAULT 10,    -- days after an instance's period its evidence is due
    due_on TEXT NOT NULL DEFAULT '',         -- a once requirement's fixed due date, or ''
    created_at BIGINT NOT NULL
);
CREATE INDEX dossier_requirement_round ON dossier_requirement (round_id, criterion_id);

CREATE TABLE dossier_requirement_unit (
    requirement_id BIGINT NOT NULL REFERENCES dossier_requirement (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    lead BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (requirement_id, unit_id)
);

-- One instance a unit owes: a requirement's period for one responsible unit.
CREATE TABLE dossier_item (
    id {{serial}},
    round_id BIGINT NOT NULL REFERENCES dossier_round (id) ON DELETE CASCADE,
    requirement_id BIGINT NOT NULL REFERENCES dossier_requirement (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    seq INTEGER NOT NULL,                  -- 1.. within the requirement and unit
    period_from TEXT NOT NULL,             -- YYYY-MM-DD
    period_to TEXT NOT NULL,
    due_on TEXT NOT NULL,                  -- YYYY-MM-DD
    state TEXT NOT NULL DEFAULT 'pending', -- pending, submitted, returned, approved
    return_reason TEXT NOT NULL DEFAULT '',
    submitted_at BIGINT,
    reviewed_at BIGINT,
    reviewed_by BIGINT REFERENCES app_user (id),
    reminded_before BOOLEAN NOT NULL DEFAULT FALSE,
    reminded_on TEXT NOT NULL DEFAULT '',  -- YYYYMMDD of the last reminder
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (requirement_id, unit_id, seq)
);
CREATE INDEX dossier_item_unit ON dossier_item (unit_id, state, due_on);
CREATE INDEX dossier_item_round ON dossier_item (round_id, state);
CREATE INDEX dossier_item_open ON dossier_item (state, due_on);

-- A file of an item. A replacement is a new row; the old one keeps its
-- place in the history with replaced_by set.
CREATE TABLE dossier_file (
    id {{serial}},
    item_id BIGINT NOT NULL REFERENCES dossier_item (id) ON DELETE CASCADE,
    hash TEXT NOT NULL REFERENCES media_file (hash),
    name TEXT NOT NULL,           -- the uploaded file name, cleaned
    title TEXT NOT NULL,
    concerns_on TEXT NOT NULL,    -- YYYY-MM-DD, the date the evidence is about
    note TEXT NOT NULL DEFAULT '',
    uploaded_by BIGINT REFERENCES app_user (id),
    uploaded_at BIGINT NOT NULL,
    replaced_by BIGINT,
    replaced_at BIGINT
);
CREATE INDEX dossier_file_item ON dossier_file (item_id);

CREATE TABLE dossier_event (
    id {{serial}},
    item_id BIGINT NOT NULL REFERENCES dossier_item (id) ON DELETE CASCADE,
    actor_id BIGINT REFERENCES app_user (id),
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,           -- uploaded, replaced, approved, returned
    note TEXT NOT NULL DEFAULT '',
    file_id BIGINT
);
CREATE INDEX dossier_event_item ON dossier_event (item_id, id);

-- A ZIP export of a round, written in the background into the blob store
-- (export/dossier-<id>.zip) while the office watches its progress.
CREATE TABLE dossier_export (
    id {{serial}},
    round_id BIGINT NOT NULL REFERENCES dossier_round (id) ON DELETE CASCADE,
    state TEXT NOT NULL DEFAULT 'running', -- running, done, failed
    total INTEGER NOT NULL DEFAULT 0,      -- files to write
    done INTEGER NOT NULL DEFAULT 0,
    bytes BIGINT NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
