package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// formAmount reads an optional figure (a target, a count, money): empty
// is nil; anything but a number is refused with the field's name.
func formAmount(r *http.Request, name string) (*float64, error) {
	v := strings.TrimSpace(strings.NewReplacer(",", "", "，", "").Replace(r.PostFormValue(name)))
	if v == "" {
		return nil, nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil, apperr.Invalid("workplan.amount_invalid")
	}
	return &x, nil
}

// formIDs reads a multi-valued id field (checkboxes, a multiple select).
func formIDs(r *http.Request, name string) []int64 {
	var out []int64
	for _, v := range r.PostForm[name] {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// planInput reads the fields of a new plan.
func planInput(r *http.Request) workplan.PlanInput {
	return workplan.PlanInput{Name: r.PostFormValue("name"), RegionCode: strings.TrimSpace(r.PostFormValue("region")),
		Rhythm: workplan.Rhythm(r.PostFormValue("rhythm")), StartsOn: r.PostFormValue("starts_on"), EndsOn: r.PostFormValue("ends_on")}
}

// taskPath is a task's page.
func taskPath(id int64) string { return "/workplans/tasks/" + strconv.FormatInt(id, 10) }

// planPath is a plan's page.
func planPath(id int64) string { return "/workplans/plans/" + strconv.FormatInt(id, 10) }

// workplanXLSX is the type of the work plan's workbooks.
const workplanXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func errTooManyWorkplanPhotos() error {
	return apperr.Invalid("workplan.too_many_photos", workplan.MaxPhotos)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// taskInput reads the fields of a task typed by hand, new or edited: its
// units, each checked for the person (names typed without the script
// found), and the rest; a figure that is not a number is refused with
// the field's name.
func (s *Server) taskInput(r *http.Request) (workplan.TaskInput, leadAndCoop, error) {
	u, coop, err := s.postedLeadAndCoop(r, leadPicker(), coopPicker())
	if err != nil {
		return workplan.TaskInput{}, u, err
	}
	in := workplan.TaskInput{Seq: r.PostFormValue("seq"), Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		LeadUnitID: u.Lead.ID, CoopUnitIDs: coop, Leader: r.PostFormValue("leader"),
		StartsOn: r.PostFormValue("starts_on"), Due: r.PostFormValue("due"), TargetUnit: r.PostFormValue("target_unit"),
		CampaignID: formID(r, "campaign"), Criteria: strings.FieldsFunc(r.PostFormValue("criteria"), func(c rune) bool {
			return strings.ContainsRune("、,， ", c)
		})}
	if in.Target, err = formAmount(r, "target"); err == nil {
		in.Budget, err = formAmount(r, "budget")
	}
	return in, u, err
}
