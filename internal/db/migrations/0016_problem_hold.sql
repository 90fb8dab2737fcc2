-- A case found in a covert inspection round is held: nobody files,
-- dispatches, rejects or merges it until the office publishes the round
-- (inspect releases it then). Cases already waiting in an unpublished
-- covert round are held from now on.
ALTER TABLE problem ADD COLUMN held BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE problem SET held = TRUE WHERE state = 'reported' AND id IN (
    SELECT r.problem_id FROM inspection_result r
    JOIN inspection i ON i.id = r.inspection_id
    JOIN inspection_plan pl ON pl.id = i.plan_id
    WHERE pl.covert AND pl.published_at IS NULL AND r.problem_id IS NOT NULL);
