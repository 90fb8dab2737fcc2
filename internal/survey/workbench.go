package survey

import (
	"context"
	"fmt"
	"strconv"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// Workbench is the survey's part of the workbench (a workbench.Source):
// an interviewer's households still to visit, a supervisor's interviews
// to review, the office's open rounds and their progress.
type Workbench struct {
	Store *Store
}

// Items implements workbench.Source.
func (w Workbench) Items(ctx context.Context, a access.Actor) ([]workbench.Item, error) {
	if !a.SignedIn() || !MayUse(a) {
		return nil, nil
	}
	var out []workbench.Item
	visit, err := w.toVisit(ctx, a)
	if err != nil {
		return nil, err
	}
	if visit.Count > 0 {
		out = append(out, visit)
	}
	review, err := w.toReview(ctx, a)
	if err != nil {
		return nil, err
	}
	if review.Count > 0 {
		out = append(out, review)
	}
	if a.IsAdmin() || a.Has(access.RoleOffice) && a.Region != "" {
		it, err := w.rounds(ctx, a)
		if err != nil {
			return nil, err
		}
		if it.Count > 0 {
			out = append(out, it)
		}
	}
	return out, nil
}

// toVisit counts the released households of open rounds dealt to the
// interviewer that still need a visit.
func (w Workbench) toVisit(ctx context.Context, a access.Actor) (workbench.Item, error) {
	it := workbench.Item{Kind: "survey/visit", Section: workbench.SectionTodo, Title: workbench.T("workbench.survey.visit"),
		Link: "/surveys", Tone: workbench.Warn}
	return w.perRound(ctx, it, `SELECT r.id, r.name, COUNT(*) FROM survey_sample x
		JOIN survey_round_community c ON c.round_id = x.round_id AND c.community_code = x.community_code
		JOIN survey_round r ON r.id = x.round_id
		WHERE c.interviewer_id = ? AND r.closed_at IS NULL AND x.released = TRUE AND x.status IN ('pending', 'absent')
		GROUP BY r.id, r.name ORDER BY r.id DESC`, a.UserID, "/mine", "workbench.note.survey_households")
}

// toReview counts the submitted interviews of the streets the actor
// supervises.
func (w Workbench) toReview(ctx context.Context, a access.Actor) (workbench.Item, error) {
	it := workbench.Item{Kind: "survey/review", Section: workbench.SectionTodo, Title: workbench.T("workbench.survey.review"),
		Link: "/surveys", Tone: workbench.Warn}
	return w.perRound(ctx, it, `SELECT r.id, r.name, COUNT(*) FROM survey_interview i
		JOIN survey_round r ON r.id = i.round_id
		JOIN survey_round_supervisor v ON v.round_id = i.round_id AND v.street_code = substr(i.community_code, 1, 9)
		WHERE v.user_id = ? AND i.state = 'submitted' GROUP BY r.id, r.name ORDER BY r.id DESC`, a.UserID, "/review",
		"workbench.note.survey_review")
}

// perRound fills an item from a query of (round id, round name, count) for
// one user: a line per round linking to the round's page (suffix), and
// the item's link straight to it when there is only one.
func (w Workbench) perRound(ctx context.Context, it workbench.Item, query string, userID int64, suffix, noteKey string) (workbench.Item, error) {
	rows, err := w.Store.DB.Query(ctx, query, userID)
	if err != nil {
		return it, fmt.Errorf("%s: %w", it.Kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		var n int
		if err := rows.Scan(&id, &name, &n); err != nil {
			return it, fmt.Errorf("%s: %w", it.Kind, err)
		}
		it.Count += n
		link := "/surveys/rounds/" + strconv.FormatInt(id, 10) + suffix
		it.Entries = append(it.Entries, workbench.Entry{Label: name, Note: workbench.T(noteKey, n), Link: link})
		if len(it.Entries) == 1 {
			it.Link = link
		}
	}
	if len(it.Entries) > 1 {
		it.Link = "/surveys"
	}
	return it, rows.Err()
}

// rounds are the office's open rounds with their progress and how many
// interviews wait for review.
func (w Workbench) rounds(ctx context.Context, a access.Actor) (workbench.Item, error) {
	it := workbench.Item{Kind: "survey/rounds", Section: workbench.SectionTodo, Title: workbench.T("workbench.survey.rounds"),
		Link: "/surveys", Tone: workbench.Normal}
	list, err := w.Store.Rounds(ctx, a)
	if err != nil {
		return it, err
	}
	for _, r := range list {
		if !r.Open() || !r.CanManage(a) {
			continue
		}
		it.Count++
		it.Entries = append(it.Entries, workbench.Entry{Label: r.Name,
			Note: workbench.T("workbench.note.survey_progress", r.Visited, r.Sampled, r.Approved, r.Submitted),
			Link: "/surveys/rounds/" + strconv.FormatInt(r.ID, 10)})
	}
	return it, nil
}
