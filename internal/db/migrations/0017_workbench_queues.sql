-- The workbench's queues (internal/problem/queue.go) are counted at every
-- visit of the home page. Each of these partial indexes holds the few
-- cases of one queue, with the state and region, so that the office's
-- count and its first entries (ids first, then their rows) read its
-- queue's index entries only, not the district's cases; the
-- queries repeat each index's condition literally, as SQLite requires,
-- and name the index on SQLite (Filter.from).
CREATE INDEX problem_queue_red ON problem (state, deadline, region_code, escalation_level) WHERE escalation_level >= 2;
CREATE INDEX problem_queue_extension ON problem (state, deadline, region_code, ext_requested_deadline) WHERE ext_requested_deadline IS NOT NULL;
CREATE INDEX problem_queue_returned ON problem (state, reported_at, region_code, return_count) WHERE return_count > 0;
-- Cases to file and to verify, oldest first: the first entries are read
-- in index order, the count from the index alone.
CREATE INDEX problem_queue_reported ON problem (reported_at, region_code) WHERE state = 'reported';
CREATE INDEX problem_queue_rectified ON problem (rectified_at, region_code) WHERE state = 'rectified';
