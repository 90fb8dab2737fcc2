-- Group robots (企业微信 / 钉钉 / 飞书 群机器人) and outgoing webhooks, and
-- the outbox columns their deliveries need.
--
-- A robot belongs to a unit (unit_id) or to a region (region_code: a
-- street's or the office's jurisdiction) and receives the events listed in
-- events (comma-separated). The endpoint and the signing secret are sealed
-- with the data key (pii.Key); hint is the last characters of the key, the
-- one thing of it a page shows. sent_log holds the times (ms) of the
-- robot's latest deliveries, for the platforms' rate limits; lease_until
-- lets one server at a time send for a robot; digest_on is the day whose
-- daily digest was queued (a conditional write, so it is queued once).
CREATE TABLE robot (
    id {{serial}},
    name TEXT NOT NULL,
    platform TEXT NOT NULL,
    unit_id BIGINT REFERENCES unit (id),
    region_code TEXT NOT NULL DEFAULT '',
    endpoint TEXT NOT NULL,
    secret TEXT NOT NULL DEFAULT '',
    hint TEXT NOT NULL DEFAULT '',
    events TEXT NOT NULL DEFAULT '',
    digest_at TEXT NOT NULL DEFAULT '',
    digest_on TEXT NOT NULL DEFAULT '',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    sent_log TEXT NOT NULL DEFAULT '',
    blocked_until BIGINT NOT NULL DEFAULT 0,
    lease_until BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX robot_unit ON robot (unit_id);
CREATE INDEX robot_region ON robot (region_code);

-- An outgoing webhook an administrator registers: its URL and secret are
-- sealed like a robot's.
CREATE TABLE webhook (
    id {{serial}},
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    hint TEXT NOT NULL DEFAULT '',
    events TEXT NOT NULL DEFAULT '',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    lease_until BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);

-- The outbox carries robot and webhook deliveries beside the SMS: the
-- target (a robot's or webhook's id), the event's id (the same for every
-- target of one event, so a receiver can drop a repeat) and the body.
ALTER TABLE outbox_message ADD COLUMN target_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox_message ADD COLUMN event_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_message ADD COLUMN body TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_target_pending ON outbox_message (channel, target_id, next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_target_log ON outbox_message (channel, target_id, id);
