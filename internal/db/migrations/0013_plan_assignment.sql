-- Sites of an inspection plan dealt to individual inspectors (分片包干):
-- NULL leaves the site open to every inspector of the plan.
ALTER TABLE inspection_plan_site ADD COLUMN inspector_id BIGINT REFERENCES app_user (id);
