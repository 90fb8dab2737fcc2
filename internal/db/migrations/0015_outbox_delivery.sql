-- Delivery of the outbox to an SMS gateway: a sender claims a batch for a
-- while (so that two servers never send one message twice), and a failed
-- attempt is retried later, up to a limit, with its error kept.
ALTER TABLE outbox_message ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox_message ADD COLUMN claimed_until BIGINT;
ALTER TABLE outbox_message ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox_message ADD COLUMN failed_at BIGINT;
ALTER TABLE outbox_message ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_pending ON outbox_message (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
