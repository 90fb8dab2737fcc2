-- Citizens follow their reports. A report from the public form gets a
-- private link (/track/<token>); only the SHA-256 of the token is kept, so
-- the table cannot be read back into working links.
CREATE TABLE problem_track (
    token_hash TEXT PRIMARY KEY,               -- hex SHA-256 of the token
    problem_id BIGINT NOT NULL UNIQUE REFERENCES problem (id),
    created_at BIGINT NOT NULL
);

-- The reporter's satisfaction (满意度回访) once a case is closed: one answer
-- per case, counted for the unit that handled it.
CREATE TABLE problem_feedback (
    problem_id BIGINT PRIMARY KEY REFERENCES problem (id),
    unit_id BIGINT REFERENCES unit (id),       -- the responsible unit when answered
    rating TEXT NOT NULL,                      -- satisfied, basic, unsatisfied
    comment TEXT NOT NULL DEFAULT '',
    reopen_asked BOOLEAN NOT NULL DEFAULT FALSE,
    at BIGINT NOT NULL
);
CREATE INDEX problem_feedback_at ON problem_feedback (at, unit_id);
