-- (Numbered after 0060, which makes media_file.)
-- A progress report's files besides its photos (规范文件、统计表格 …),
-- in the same file store as the dossiers' evidence.
CREATE TABLE workplan_report_file (
    report_id BIGINT NOT NULL REFERENCES workplan_report (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    hash TEXT NOT NULL REFERENCES media_file (hash),
    name TEXT NOT NULL,                -- the name it was uploaded under
    PRIMARY KEY (report_id, position)
);
CREATE INDEX workplan_report_file_hash ON workplan_report_file (hash);
