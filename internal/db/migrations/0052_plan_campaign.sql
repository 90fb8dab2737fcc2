-- An inspection plan may name the special campaign it serves (专项整治):
-- the campaign's page and bulletin count its rounds.
ALTER TABLE inspection_plan ADD COLUMN campaign_id BIGINT REFERENCES workplan_campaign (id);
CREATE INDEX inspection_plan_campaign ON inspection_plan (campaign_id);
