-- Work reports (信息报送 / 工作动态) the units send the office, adopted
-- (采用), marked as highlights (亮点) or returned; and the monthly summary
-- (月报总结) of a scope, drafted from the month's figures, edited by the
-- office, then issued: frozen and numbered. internal/workplan owns them.
CREATE TABLE workplan_work_report (
    id {{serial}},
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    author_id BIGINT REFERENCES app_user (id),
    region_code TEXT NOT NULL,                         -- the reporting unit's jurisdiction, for the office's scope
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    happened_on TEXT NOT NULL,                         -- YYYY-MM-DD
    task_id BIGINT REFERENCES workplan_task (id),
    campaign_id BIGINT REFERENCES workplan_campaign (id),
    state TEXT NOT NULL,                               -- submitted, adopted, returned
    highlight BOOLEAN NOT NULL DEFAULT FALSE,
    review_note TEXT NOT NULL DEFAULT '',
    reviewed_by BIGINT REFERENCES app_user (id),
    reviewed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX workplan_work_report_region ON workplan_work_report (region_code, created_at);
CREATE INDEX workplan_work_report_unit ON workplan_work_report (unit_id, created_at);

CREATE TABLE workplan_work_report_photo (
    report_id BIGINT NOT NULL REFERENCES workplan_work_report (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    hash TEXT NOT NULL REFERENCES photo (hash),
    PRIMARY KEY (report_id, position)
);
CREATE INDEX workplan_work_report_photo_hash ON workplan_work_report_photo (hash);

CREATE TABLE workplan_summary (
    id {{serial}},
    region_code TEXT NOT NULL REFERENCES region (code),
    month TEXT NOT NULL,                               -- YYYY-MM
    year INTEGER NOT NULL,
    seq INTEGER,                                       -- 第 N 期 of the year, set at issue
    title TEXT NOT NULL,
    sections TEXT NOT NULL,                            -- JSON: headings, paragraphs (edited) and tables (frozen at issue)
    state TEXT NOT NULL,                               -- draft, issued
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    issued_by BIGINT REFERENCES app_user (id),
    issued_at BIGINT,
    UNIQUE (region_code, month),
    UNIQUE (region_code, year, seq)
);
