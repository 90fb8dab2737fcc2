-- Household surveys (入户调查): questionnaires as versioned data, the
-- households of each community, survey rounds with their sample, visits,
-- interviews with every version of their answers, supervisor review, and
-- the tally of approved answers the rates are read from.
CREATE TABLE survey_questionnaire (
    id {{serial}},
    name TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    sample BOOLEAN NOT NULL DEFAULT FALSE,             -- the shipped sample, to be replaced by the official one
    source TEXT NOT NULL DEFAULT '',                   -- file name it was imported from, or "copy:<id>"
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE survey_question (
    id {{serial}},
    questionnaire_id BIGINT NOT NULL REFERENCES survey_questionnaire (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    section TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,                                -- single, multi, yesno, rating, number, text
    required BOOLEAN NOT NULL DEFAULT TRUE,
    dimension TEXT NOT NULL DEFAULT '',                -- awareness, support, participation, satisfaction or ''
    options TEXT NOT NULL DEFAULT '[]',                -- JSON: [{"v":label,"pos":bool,"void":bool,"score":n}]
    show_if_code TEXT NOT NULL DEFAULT '',             -- skip logic: shown only when that question
    show_if_answer TEXT NOT NULL DEFAULT '',           -- has this answer
    weight DOUBLE PRECISION NOT NULL DEFAULT 1,
    criterion TEXT NOT NULL DEFAULT '',                -- framework criterion code (method 问卷调查) it serves
    category TEXT NOT NULL DEFAULT '',                 -- problem category code of a complaint it raises
    UNIQUE (questionnaire_id, code)
);
CREATE INDEX survey_question_order ON survey_question (questionnaire_id, position);

CREATE TABLE survey_household (
    id {{serial}},
    community_code TEXT NOT NULL REFERENCES region (code),
    building TEXT NOT NULL DEFAULT '',                 -- 楼栋
    unit_no TEXT NOT NULL DEFAULT '',                  -- 单元
    room TEXT NOT NULL DEFAULT '',                     -- 门牌
    address TEXT NOT NULL DEFAULT '',                  -- or an address line
    head_name TEXT NOT NULL DEFAULT '',                -- personal data: shown masked outside the community and the office
    head_phone TEXT NOT NULL DEFAULT '',
    residents INTEGER NOT NULL DEFAULT 1,
    eligible BOOLEAN NOT NULL DEFAULT TRUE,            -- may be sampled
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX survey_household_community ON survey_household (community_code, id);

CREATE TABLE survey_round (
    id {{serial}},
    name TEXT NOT NULL,
    questionnaire_id BIGINT NOT NULL REFERENCES survey_questionnaire (id),
    region_code TEXT NOT NULL REFERENCES region (code), -- the area's root (district, street or community)
    mode TEXT NOT NULL,                                -- mock (模拟) or real
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    sampling TEXT NOT NULL DEFAULT '',                 -- JSON: how the sample was drawn, to redraw it
    max_absent INTEGER NOT NULL DEFAULT 3,             -- nobody-home visits before a reserve replaces the household
    closed_at BIGINT,
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE survey_round_community (
    round_id BIGINT NOT NULL REFERENCES survey_round (id) ON DELETE CASCADE,
    community_code TEXT NOT NULL REFERENCES region (code),
    interviewer_id BIGINT REFERENCES app_user (id),    -- 分片包干; NULL: not dealt yet
    -- The community's counts, kept in the transaction of each change, so
    -- that a round's rates read one row per community: households
    -- sampled (reserves once released), visited at least once, refusing;
    -- interviews waiting for review and approved.
    sampled INTEGER NOT NULL DEFAULT 0,
    visited INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    submitted INTEGER NOT NULL DEFAULT 0,
    approved INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, community_code)
);
CREATE INDEX survey_round_community_interviewer ON survey_round_community (interviewer_id, round_id);

CREATE TABLE survey_round_supervisor (
    round_id BIGINT NOT NULL REFERENCES survey_round (id) ON DELETE CASCADE,
    street_code TEXT NOT NULL REFERENCES region (code),
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    PRIMARY KEY (round_id, street_code)
);

CREATE TABLE survey_sample (
    id {{serial}},
    round_id BIGINT NOT NULL REFERENCES survey_round (id) ON DELETE CASCADE,
    household_id BIGINT NOT NULL REFERENCES survey_household (id),
    community_code TEXT NOT NULL,
    draw_order INTEGER NOT NULL,                       -- 1.. in the community: the first n are drawn, the rest reserves in order
    reserve BOOLEAN NOT NULL DEFAULT FALSE,
    released BOOLEAN NOT NULL DEFAULT TRUE,            -- a reserve counts once released
    status TEXT NOT NULL DEFAULT 'pending',            -- pending, completed, refused, absent, ineligible, vacant
    visits INTEGER NOT NULL DEFAULT 0,
    refused BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (round_id, household_id)
);
CREATE INDEX survey_sample_community ON survey_sample (round_id, community_code, draw_order);

CREATE TABLE survey_visit (
    id {{serial}},
    sample_id BIGINT NOT NULL REFERENCES survey_sample (id) ON DELETE CASCADE,
    interviewer_id BIGINT NOT NULL REFERENCES app_user (id),
    client_id TEXT NOT NULL UNIQUE,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL,
    lng DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    distance_m DOUBLE PRECISION                        -- beyond the community's boundary (0 inside), or from its centre
);
CREATE INDEX survey_visit_sample ON survey_visit (sample_id, at);

CREATE TABLE survey_interview (
    id {{serial}},
    round_id BIGINT NOT NULL REFERENCES survey_round (id) ON DELETE CASCADE,
    sample_id BIGINT NOT NULL UNIQUE REFERENCES survey_sample (id),
    community_code TEXT NOT NULL,
    interviewer_id BIGINT NOT NULL REFERENCES app_user (id),
    state TEXT NOT NULL,                               -- submitted, returned, approved
    version INTEGER NOT NULL,                          -- the current version of the answers
    submitted_at BIGINT NOT NULL,
    reviewed_by BIGINT REFERENCES app_user (id),
    reviewed_at BIGINT,
    review_comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX survey_interview_state ON survey_interview (round_id, state, community_code);

-- Every version of an interview's answers, never overwritten.
CREATE TABLE survey_answer_set (
    interview_id BIGINT NOT NULL REFERENCES survey_interview (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    client_id TEXT NOT NULL UNIQUE,                    -- made by the phone: a resent form is the same version
    answers TEXT NOT NULL,                             -- JSON: {code: {"v":[...],"note":...,"consent":bool}}
    started_at BIGINT,
    duration_s INTEGER,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (interview_id, version)
);

-- A 不满意 answer the respondent agreed to report, filed as a case.
CREATE TABLE survey_complaint (
    interview_id BIGINT NOT NULL REFERENCES survey_interview (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES survey_question (id),
    problem_id BIGINT REFERENCES problem (id),
    PRIMARY KEY (interview_id, question_id)
);

-- The approved answers counted per round, community and question, written
-- in the transaction that approves an interview: the rates are read from
-- here, never from the answers. The rows of community '' are the round's
-- totals per question (its weakest questions).
CREATE TABLE survey_tally (
    round_id BIGINT NOT NULL REFERENCES survey_round (id) ON DELETE CASCADE,
    community_code TEXT NOT NULL,
    question_id BIGINT NOT NULL REFERENCES survey_question (id),
    answered INTEGER NOT NULL DEFAULT 0,
    valid INTEGER NOT NULL DEFAULT 0,
    positive INTEGER NOT NULL DEFAULT 0,
    score_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
    weight_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, community_code, question_id)
);

-- The same counts pooled by community and dimension (知晓, 支持, 参与,
-- 满意): the community table of a round reads one row per community and
-- dimension.
CREATE TABLE survey_tally_dim (
    round_id BIGINT NOT NULL REFERENCES survey_round (id) ON DELETE CASCADE,
    community_code TEXT NOT NULL,
    dimension TEXT NOT NULL,
    answered INTEGER NOT NULL DEFAULT 0,
    valid INTEGER NOT NULL DEFAULT 0,
    positive INTEGER NOT NULL DEFAULT 0,
    score_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
    weight_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, community_code, dimension)
);
