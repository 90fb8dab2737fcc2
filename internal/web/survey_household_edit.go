package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/survey"
)

type surveyHouseholdFormData struct {
	ID    int64
	Form  survey.HouseholdInput
	Error string
}

// surveyHouseholdEdit shows a household's form to those who keep the list.
func (s *Server) surveyHouseholdEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	h, err := s.Surveys.Household(r.Context(), a, id)
	if err != nil {
		return err
	}
	if h.Masked {
		return apperr.NotFound("survey.hh.not_found")
	}
	in := survey.HouseholdInput{Community: h.Community, Building: h.Building, UnitNo: h.UnitNo, Room: h.Room, Address: h.Address,
		HeadName: h.HeadName, HeadPhone: h.HeadPhone, Residents: h.Residents, Eligible: h.Eligible}
	s.render(w, r, http.StatusOK, "survey_household_form", "survey.hh.edit_title", surveyHouseholdFormData{ID: id, Form: in})
	return nil
}
