-- Every change of a version's tree counts up its revision, so that the
-- criteria of a version can be cached and known stale exactly (updated_at
-- alone may not move within one millisecond).
ALTER TABLE framework_version ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
