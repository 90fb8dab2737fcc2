package web

import (
	"context"
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/routing"
)

type caseData struct {
	Case       *problem.Case
	Events     []problem.Event
	Before     []string
	After      []string
	Warnings   []string
	Actions    []problem.Action
	Categories []CategoryGroup
	Unit       unitPicked // the dispatch form's unit picker
	Preview    routing.Decision
	Similar    []*problem.Case
	// Marks are the office's assessment marks: buttons for the office
	// that may set them, read-only for the others; nil hides them.
	Marks *problem.MarksView
	// Supervised: the case is with a unit below the actor's, which reads
	// it and does not act on it.
	Supervised bool
	Now        time.Time
	Error      string
}

func (s *Server) caseData(ctx context.Context, a access.Actor, id int64) (caseData, error) {
	c, err := s.Problems.Get(ctx, a, id)
	if err != nil {
		return caseData{}, err
	}
	events, err := s.Problems.Timeline(ctx, a, id)
	if err != nil {
		return caseData{}, err
	}
	d := caseData{Case: c, Events: events, Actions: problem.Actions(a, c), Supervised: problem.Supervised(a, c), Now: s.Problems.Now()}
	if s.Bulletins != nil {
		if d.Marks, err = s.Problems.ViewMarks(ctx, a, id); err != nil {
			return d, err
		}
	}
	for _, e := range events {
		for _, p := range e.Photos {
			if p.Role == "before" {
				d.Before = append(d.Before, p.Hash)
			} else {
				d.After = append(d.After, p.Hash)
			}
		}
	}
	if c.State == problem.Rectified {
		// The verifier sees where and when the after-photos were taken.
		for _, h := range d.After {
			ph, err := s.Media.Get(ctx, h)
			if err != nil {
				continue
			}
			var lat, lng float64
			if c.HasPlace {
				lat, lng = c.Lat, c.Lng
			}
			// Half an hour of grace: a 立拍立改 after-photo is often taken
			// just before the report is sent.
			for _, wn := range media.Warnings(ph, lat, lng, c.ReportedAt.Add(-30*time.Minute)) {
				d.Warnings = append(d.Warnings, s.Catalog.T(wn.Code, wn.Args...))
			}
		}
	}
	for _, act := range d.Actions {
		switch act {
		case problem.ActMerge:
			if d.Similar, err = s.Problems.Similar(ctx, a, c, s.Duplicates); err != nil {
				return d, err
			}
		case problem.ActFile:
			if d.Categories, err = s.CategoryGroups(ctx); err != nil {
				return d, err
			}
		case problem.ActDispatch:
			d.Unit = unitPicked{Field: "unit_id", Hint: "case.route_auto"}
			if c.CategoryID != 0 {
				d.Preview, _ = s.Routing.Decide(ctx, c.CategoryID, c.RegionCode)
			}
		}
	}
	return d, nil
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	if problem.OwnReportsOnly(a) {
		// A citizen sees their report as its public status, with the
		// satisfaction question once it is closed.
		st, err := s.Problems.Status(r.Context(), a, id)
		if err != nil {
			return err
		}
		s.renderTrack(w, r, http.StatusOK, memberTrack(st, ""))
		return nil
	}
	d, err := s.caseData(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "case", "case.title", d)
	return nil
}
