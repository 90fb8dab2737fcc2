package web

import (
	"net/http"
	"net/url"
)

func (s *Server) surveyHouseholdUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := parseHouseholdForm(r)
	if err != nil {
		return err
	}
	h, err := s.Surveys.UpdateHousehold(r.Context(), actorOf(r), id, in)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			s.render(w, r, status, "survey_household_form", "survey.hh.edit_title", surveyHouseholdFormData{ID: id, Form: in, Error: msg})
			return nil
		})
	}
	return s.redirectWith(w, r, "/surveys/households?community="+url.QueryEscape(h.Community), "survey.hh.updated")
}
