package selection

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// Workbench is the selections' part of the workbench (a workbench.Source):
// for a community, a street or the office, the nominations waiting for
// its level's review; for the office, the rounds whose 公示 is over and
// wait for the award.
type Workbench struct {
	Store *Store
}

// Items implements workbench.Source.
func (w Workbench) Items(ctx context.Context, a access.Actor) ([]workbench.Item, error) {
	level := LevelOf(a)
	if level == "" || a.Region == "" {
		return nil, nil
	}
	s := w.Store
	cond, args := region.SubtreeSQL("n.region_code", a.Region)
	rows, err := s.DB.Query(ctx, `SELECT n.round_id, n.passed, k.levels FROM selection_nomination n JOIN selection_round r ON r.id = n.round_id
		JOIN selection_kind k ON k.id = r.kind_id WHERE n.state = ? AND r.state = ? AND `+cond+" ORDER BY n.round_id, n.id",
		append([]any{NomPending, RoundNominating}, args...)...)
	type pending struct {
		round  int64
		passed int
		levels string
	}
	list, err := db.Collect(rows, err, func(r *sql.Rows) (pending, error) {
		var p pending
		return p, r.Scan(&p.round, &p.passed, &p.levels)
	})
	if err != nil {
		return nil, fmt.Errorf("selection workbench: %w", err)
	}
	n, first := 0, int64(0)
	for _, p := range list {
		if ls := strings.Split(p.levels, ","); p.passed < len(ls) && ls[p.passed] == level {
			if n++; first == 0 {
				first = p.round
			}
		}
	}
	link := "/selections"
	if first != 0 {
		link = fmt.Sprintf("/selections/rounds/%d", first)
	}
	out := []workbench.Item{{Kind: "selection/review", Section: workbench.SectionTodo, Title: workbench.T("workbench.selection.review"),
		Count: n, Link: link, Tone: tone(n)}}
	if level == LevelOffice {
		rc, rargs := region.SubtreeSQL("region_code", a.Region)
		due, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM selection_round WHERE state = ? AND objections_until <= ? AND "+rc,
			append([]any{RoundPublicity, db.Millis(s.Clock())}, rargs...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, workbench.Item{Kind: "selection/award", Section: workbench.SectionTodo, Title: workbench.T("workbench.selection.award"),
			Count: due, Link: "/selections", Tone: tone(due)})
	}
	return out, nil
}

func tone(n int) workbench.Tone {
	if n > 0 {
		return workbench.Warn
	}
	return workbench.Normal
}
