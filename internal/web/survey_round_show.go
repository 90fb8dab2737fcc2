package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/survey"
)

type surveyRoundData struct {
	Round        survey.Round
	CanManage    bool
	Interviewers []survey.Person
	Supervisors  []survey.Person
	StreetNames  map[string]string
	Names        map[int64]string
	Error        string
}

func (s *Server) surveyRoundPage(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	round, err := s.Surveys.Round(ctx, a, id)
	if err != nil {
		return err
	}
	d := surveyRoundData{Round: round, CanManage: round.CanManage(a), Error: errMsg, Names: map[int64]string{}}
	if d.CanManage {
		if d.Interviewers, d.Supervisors, err = s.Surveys.People(ctx, a, s.Org); err != nil {
			return err
		}
		for _, p := range d.Supervisors {
			d.Names[p.ID] = p.Name
		}
	}
	if d.StreetNames, err = s.Surveys.RegionNames(ctx, round.Streets()); err != nil {
		return err
	}
	s.render(w, r, status, "survey_round", "survey.round.title", d)
	return nil
}

func (s *Server) surveyRoundShow(w http.ResponseWriter, r *http.Request) error {
	return s.surveyRoundPage(w, r, http.StatusOK, "")
}
