package web

import (
	"time"

	"github.com/wenming-civic/wenming/internal/problem"
)

// moveDone says in words what a move did, as a catalogue key and its
// arguments for the confirmation after the redirect: the unit a case went
// to, the deadline it must meet, the case it was merged into.
func (s *Server) moveDone(c *problem.Case, f moveForm) (string, []string) {
	key := "field.done." + string(f.Action)
	switch f.Action {
	case problem.ActFile:
		return key, []string{c.CategoryName}
	case problem.ActMerge:
		return key, []string{f.DuplicateCode}
	case problem.ActDispatch, problem.ActVerifyFail, problem.ActReopen:
		return key, []string{c.UnitName, s.beijingTime(c.Deadline)}
	case problem.ActAccept, problem.ActApproveExtension, problem.ActRefuseExtension, problem.ActResume:
		return key, []string{s.beijingTime(c.Deadline)}
	case problem.ActRequestExtension:
		return key, []string{s.beijingTime(c.ExtRequestedDeadline)}
	case problem.ActPark:
		return key, []string{s.beijingTime(c.ParkedUntil)}
	case problem.ActReject, problem.ActReturn, problem.ActRectify, problem.ActFixOnSpot, problem.ActVerifyPass:
		return key, nil
	}
	return "case.done", nil
}

// beijingTime writes a deadline the way people say it, in Beijing time:
// "12 月 7 日 17:30", with the year when it is not this year's.
func (s *Server) beijingTime(t time.Time) string {
	if t.IsZero() {
		return s.Catalog.T("field.no_deadline")
	}
	t = t.In(s.loc)
	if t.Year() != s.Problems.Now().In(s.loc).Year() {
		return s.Catalog.T("field.when_year", t.Year(), int(t.Month()), t.Day(), t.Format("15:04"))
	}
	return s.Catalog.T("field.when", int(t.Month()), t.Day(), t.Format("15:04"))
}
