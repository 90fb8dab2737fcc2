package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/workplan"
)

// workplanTaskCreate adds one task typed by hand to a plan.
func (s *Server) workplanTaskCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := workplan.TaskInput{Seq: r.PostFormValue("seq"), Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		LeadUnitID: formID(r, "lead"), CoopUnitIDs: formIDs(r, "coop"), Leader: r.PostFormValue("leader"),
		StartsOn: r.PostFormValue("starts_on"), Due: r.PostFormValue("due"), TargetUnit: r.PostFormValue("target_unit"),
		CampaignID: formID(r, "campaign"), Criteria: strings.FieldsFunc(r.PostFormValue("criteria"), func(c rune) bool {
			return strings.ContainsRune("、,， ", c)
		})}
	show := func(status int, msg string) error {
		d, derr := s.workplanData(r)
		if derr != nil {
			return derr
		}
		d.Error = msg
		s.render(w, r, status, "workplan", "workplan.plan_title", d)
		return nil
	}
	if in.Target, err = formAmount(r, "target"); err == nil {
		in.Budget, err = formAmount(r, "budget")
	}
	if err != nil {
		return s.refused(err, show)
	}
	terrs, err := s.Workplans.AddTasks(r.Context(), actorOf(r), id, []workplan.TaskInput{in})
	if err != nil {
		return s.refused(err, show)
	}
	if len(terrs) > 0 {
		return show(http.StatusBadRequest, s.Catalog.T(terrs[0].Code, terrs[0].Args...))
	}
	return s.redirectWith(w, r, planPath(id), "workplan.task_added")
}
