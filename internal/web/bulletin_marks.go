package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/problem"
)

type marksData struct {
	Query string
	Case  *problem.CaseMarks
	Error string
}

func (s *Server) bulletinMarks(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !mayIssueBulletins(a) {
		return apperr.Forbidden("bulletin.mark_forbidden")
	}
	q := strings.TrimSpace(r.URL.Query().Get("problem"))
	d := marksData{Query: q}
	status := http.StatusOK
	if q != "" {
		if err := s.loadMarks(r, q, &d); err != nil {
			if apperr.As(err).Kind == apperr.KindNotFound { // no such case, or not one the office may see
				d.Error, status = s.Catalog.T("bulletin.case_not_found"), http.StatusNotFound
			} else if err := s.refused(err, func(st int, msg string) error {
				d.Error, status = msg, st
				return nil
			}); err != nil {
				return err
			}
		}
	}
	s.render(w, r, status, "bulletin_marks", "bulletin.marks_title", d)
	return nil
}

func (s *Server) loadMarks(r *http.Request, code string, d *marksData) error {
	id, err := s.Problems.IDByCode(r.Context(), actorOf(r), code)
	if err != nil {
		return err
	}
	m, err := s.Problems.Marks(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	d.Case = &m
	return nil
}

// caseBack returns back when it is the path of a case page (/problems/12)
// and "" otherwise, so that the marks form on the case page comes back to
// it and a crafted form cannot send the browser anywhere else.
func caseBack(back string) string {
	rest, ok := strings.CutPrefix(back, "/problems/")
	if !ok {
		return ""
	}
	if id, err := strconv.ParseInt(rest, 10, 64); err != nil || id <= 0 || strconv.FormatInt(id, 10) != rest {
		return ""
	}
	return back
}

// bulletinMark sets or takes back a mark, from the marks page or, with
// back, from the case page: then the case page shows the outcome.
func (s *Server) bulletinMark(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	id := formID(r, "problem")
	back := caseBack(r.PostFormValue("back"))
	var err error
	switch r.PostFormValue("action") {
	case "falsified":
		err = s.Problems.MarkFalsified(ctx, a, id, true)
	case "not_falsified":
		err = s.Problems.MarkFalsified(ctx, a, id, false)
	case "unjustified":
		err = s.Problems.MarkUnjustifiedReturn(ctx, a, id)
	case "undo_unjustified":
		err = s.Problems.UndoUnjustifiedReturn(ctx, a, id)
	default:
		err = apperr.Invalid("bulletin.mark_unknown")
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			if back != "" {
				return s.caseError(w, r, id, err)
			}
			d := marksData{Query: strconv.FormatInt(id, 10), Error: msg}
			if m, merr := s.Problems.Marks(ctx, a, id); merr == nil {
				d.Case, d.Query = &m, m.Code
			}
			s.render(w, r, status, "bulletin_marks", "bulletin.marks_title", d)
			return nil
		})
	}
	if back != "" {
		return s.redirectWith(w, r, back, "bulletin.mark_saved")
	}
	m, err := s.Problems.Marks(ctx, a, id)
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, "/bulletins/marks?problem="+url.QueryEscape(m.Code), "bulletin.mark_saved")
}
