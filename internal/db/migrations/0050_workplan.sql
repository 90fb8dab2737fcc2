-- The work plan (工作方案) broken into tasks (任务分解) with lead and
-- cooperating units, the units' progress reports (工作进展) against the
-- tasks' targets, and special campaigns (专项整治). internal/workplan owns
-- every table here.
CREATE TABLE workplan_plan (
    id {{serial}},
    name TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES region (code), -- the plan's area: the office that runs it
    rhythm TEXT NOT NULL,                              -- weekly, monthly: how often units report
    starts_on TEXT NOT NULL,                           -- YYYY-MM-DD, Asia/Shanghai
    ends_on TEXT NOT NULL,
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE workplan_campaign (
    id {{serial}},
    name TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES region (code), -- the campaign's area
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    goal TEXT NOT NULL DEFAULT '',
    lead_unit_id BIGINT NOT NULL REFERENCES unit (id),
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE workplan_campaign_unit (
    campaign_id BIGINT NOT NULL REFERENCES workplan_campaign (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    PRIMARY KEY (campaign_id, unit_id)
);

CREATE TABLE workplan_campaign_category (
    campaign_id BIGINT NOT NULL REFERENCES workplan_campaign (id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES category (id),
    PRIMARY KEY (campaign_id, category_id)
);

CREATE TABLE workplan_campaign_site_type (
    campaign_id BIGINT NOT NULL REFERENCES workplan_campaign (id) ON DELETE CASCADE,
    type_code TEXT NOT NULL,
    PRIMARY KEY (campaign_id, type_code)
);

-- Cases counted in a campaign beside those its scope matches: added by
-- hand, or picked as a best rectification (featured) for its bulletin.
CREATE TABLE workplan_campaign_case (
    campaign_id BIGINT NOT NULL REFERENCES workplan_campaign (id) ON DELETE CASCADE,
    problem_id BIGINT NOT NULL REFERENCES problem (id),
    by_hand BOOLEAN NOT NULL DEFAULT FALSE,
    featured BOOLEAN NOT NULL DEFAULT FALSE,
    added_by BIGINT REFERENCES app_user (id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, problem_id)
);

CREATE TABLE workplan_task (
    id {{serial}},
    plan_id BIGINT NOT NULL REFERENCES workplan_plan (id),
    parent_id BIGINT REFERENCES workplan_task (id),
    campaign_id BIGINT REFERENCES workplan_campaign (id),
    seq TEXT NOT NULL,                                 -- 序号 as the plan numbers it: 1, 1.2
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    lead_unit_id BIGINT NOT NULL REFERENCES unit (id), -- 牵头单位
    leader TEXT NOT NULL DEFAULT '',                   -- 责任领导
    starts_on TEXT NOT NULL,
    due_text TEXT NOT NULL,                            -- the deadline as written: a date or "20个工作日"
    due_on TEXT NOT NULL,                              -- the working day it falls due
    due_at BIGINT NOT NULL,                            -- the end of that working day, unix ms
    target DOUBLE PRECISION,                           -- measurable target, NULL when none
    target_unit TEXT NOT NULL DEFAULT '',              -- 个, 万处, 万元
    progress DOUBLE PRECISION NOT NULL DEFAULT 0,      -- sum of the accepted reports' figures
    budget DOUBLE PRECISION,                           -- money planned, 万元
    spent DOUBLE PRECISION NOT NULL DEFAULT 0,         -- sum of the accepted reports' money, 万元
    state TEXT NOT NULL,                               -- not_started, in_progress, review, done, paused
    claimed_at BIGINT,                                 -- when the lead unit reported it finished
    done_at BIGINT,                                    -- when the office accepted it as done
    escalation_level INTEGER NOT NULL DEFAULT 0,       -- 1 yellow, 2 red
    escalated_at BIGINT,
    notified_on TEXT,                                  -- YYYYMMDD of the last escalation notice
    created_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX workplan_task_plan ON workplan_task (plan_id, position);
CREATE INDEX workplan_task_lead ON workplan_task (lead_unit_id);
CREATE INDEX workplan_task_due ON workplan_task (state, due_at);
CREATE INDEX workplan_task_campaign ON workplan_task (campaign_id);

-- 配合单位.
CREATE TABLE workplan_task_unit (
    task_id BIGINT NOT NULL REFERENCES workplan_task (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    PRIMARY KEY (task_id, unit_id)
);
CREATE INDEX workplan_task_unit_unit ON workplan_task_unit (unit_id);

-- The framework criteria a task serves.
CREATE TABLE workplan_task_criterion (
    task_id BIGINT NOT NULL REFERENCES workplan_task (id) ON DELETE CASCADE,
    node_id BIGINT NOT NULL REFERENCES framework_node (id),
    PRIMARY KEY (task_id, node_id)
);

-- A task's timeline: reviews, acceptance, returns, escalations. Append-only.
CREATE TABLE workplan_task_event (
    id {{serial}},
    task_id BIGINT NOT NULL REFERENCES workplan_task (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES app_user (id),
    action TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    level INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX workplan_task_event_task ON workplan_task_event (task_id, id);

CREATE TABLE workplan_report (
    id {{serial}},
    task_id BIGINT NOT NULL REFERENCES workplan_task (id),
    unit_id BIGINT NOT NULL REFERENCES unit (id),      -- the unit that files it
    author_id BIGINT REFERENCES app_user (id),
    period TEXT NOT NULL,                              -- 2026-W49 or 2026-12, at the plan's rhythm
    body TEXT NOT NULL,
    amount DOUBLE PRECISION,                           -- done this period, in the target's unit
    spent DOUBLE PRECISION,                            -- money spent this period, 万元
    claims_done BOOLEAN NOT NULL DEFAULT FALSE,        -- the lead unit says the task is finished
    state TEXT NOT NULL,                               -- submitted, accepted, returned
    review_note TEXT NOT NULL DEFAULT '',
    reviewed_by BIGINT REFERENCES app_user (id),
    reviewed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX workplan_report_task ON workplan_report (task_id, id);
CREATE INDEX workplan_report_state ON workplan_report (state, task_id);
CREATE INDEX workplan_report_unit ON workplan_report (unit_id, created_at);

-- The cooperating units' parts of a lead unit's report.
CREATE TABLE workplan_report_part (
    report_id BIGINT NOT NULL REFERENCES workplan_report (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    body TEXT NOT NULL DEFAULT '',
    amount DOUBLE PRECISION,
    spent DOUBLE PRECISION,
    PRIMARY KEY (report_id, unit_id)
);

CREATE TABLE workplan_report_photo (
    report_id BIGINT NOT NULL REFERENCES workplan_report (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    hash TEXT NOT NULL REFERENCES photo (hash),
    PRIMARY KEY (report_id, position)
);
CREATE INDEX workplan_report_photo_hash ON workplan_report_photo (hash);
