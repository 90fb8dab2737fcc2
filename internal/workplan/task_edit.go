package workplan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// UpdateTask changes a task's fields (all but its number, which places it
// in the plan's tree) after the checks a new task passes. version is the
// task's version the editor saw: an edit over a change made meanwhile is
// refused rather than undoing it. A finished task is not edited. A
// deadline moved past now clears the task's yellow or red card, which the
// next escalation gives again if it is late once more.
func (s *Store) UpdateTask(ctx context.Context, a access.Actor, id int64, version int, in TaskInput) ([]TaskError, error) {
	t, err := s.Task(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !t.CanManage(a) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	if t.State == Done {
		return nil, apperr.Conflict("workplan.task_done_no_edit")
	}
	p, err := s.Plan(ctx, a, t.PlanID)
	if err != nil {
		return nil, err
	}
	env, err := s.taskEnv(ctx, []TaskInput{in})
	if err != nil {
		return nil, err
	}
	var errs []TaskError
	fail := func(field, code string, args ...any) {
		errs = append(errs, TaskError{Field: field, Code: code, Args: args})
	}
	now := s.now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.checkTask(ctx, tx, a, p, &in, env, fail)
		if err != nil || len(errs) > 0 {
			return errors.Join(err, errTaskErrors)
		}
		escalation := ""
		if c.due.At.After(now) {
			escalation = ", escalation_level = 0, escalated_at = NULL, notified_on = NULL"
		}
		res, err := tx.Exec(ctx, `UPDATE workplan_task SET title = ?, description = ?, lead_unit_id = ?, leader = ?, starts_on = ?,
			due_text = ?, due_on = ?, due_at = ?, target = ?, target_unit = ?, budget = ?, campaign_id = ?`+escalation+`,
			version = version + 1 WHERE id = ? AND version = ?`,
			[]any{in.Title, strings.TrimSpace(in.Description), in.LeadUnitID, strings.TrimSpace(in.Leader), in.StartsOn,
				strings.TrimSpace(in.Due), c.due.On, db.Millis(c.due.At), nullFloat(in.Target), strings.TrimSpace(in.TargetUnit),
				nullFloat(in.Budget), db.NullID(in.CampaignID), id, version}...)
		if err != nil {
			return fmt.Errorf("update task: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update task: %w", err)
		} else if n == 0 {
			return apperr.Conflict("workplan.task_changed")
		}
		for _, q := range []string{"DELETE FROM workplan_task_unit WHERE task_id = ?", "DELETE FROM workplan_task_criterion WHERE task_id = ?"} {
			if _, err := tx.Exec(ctx, q, id); err != nil {
				return fmt.Errorf("update task: %w", err)
			}
		}
		for _, u := range c.coops {
			if _, err := tx.Exec(ctx, "INSERT INTO workplan_task_unit (task_id, unit_id) VALUES (?, ?)", id, u); err != nil {
				return fmt.Errorf("task unit: %w", err)
			}
		}
		for _, n := range dedupe(c.nodes) {
			if _, err := tx.Exec(ctx, "INSERT INTO workplan_task_criterion (task_id, node_id) VALUES (?, ?)", id, n); err != nil {
				return fmt.Errorf("task criterion: %w", err)
			}
		}
		return addEvent(ctx, tx, id, a, now, "edited", s.changedFields(t, in, c), 0)
	})
	if errors.Is(err, errTaskErrors) && len(errs) > 0 {
		return errs, nil
	}
	return nil, err
}

// changedFields names, in the timeline's words, the fields an edit changed.
func (s *Store) changedFields(t *Task, in TaskInput, c checkedTask) string {
	var out []string
	add := func(changed bool, name string) {
		if changed {
			if s.T != nil {
				name = s.T("workplan.field." + name)
			}
			out = append(out, name)
		}
	}
	add(t.Title != in.Title, "title")
	add(t.Description != strings.TrimSpace(in.Description), "description")
	add(t.LeadUnitID != in.LeadUnitID, "lead")
	add(!slices.Equal(dedupe(t.CoopUnitIDs), c.coops), "coop")
	add(t.Leader != strings.TrimSpace(in.Leader), "leader")
	add(t.StartsOn != in.StartsOn || t.DueOn != c.due.On, "due")
	add(nullFloat(in.Target) != t.Target || t.TargetUnit != strings.TrimSpace(in.TargetUnit), "target")
	add(nullFloat(in.Budget) != t.Budget, "budget")
	add(t.CampaignID != in.CampaignID, "campaign")
	return strings.Join(out, "、")
}
