package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/wenming-civic/wenming/internal/survey"
)

// parseHouseholdForm reads the household form.
func parseHouseholdForm(r *http.Request) (survey.HouseholdInput, error) {
	if err := r.ParseForm(); err != nil {
		return survey.HouseholdInput{}, err
	}
	return survey.HouseholdInput{Community: strings.TrimSpace(r.PostFormValue("community")), Building: r.PostFormValue("building"),
		UnitNo: r.PostFormValue("unit_no"), Room: r.PostFormValue("room"), Address: r.PostFormValue("address"),
		HeadName: r.PostFormValue("head_name"), HeadPhone: r.PostFormValue("head_phone"), Residents: formInt(r, "residents"),
		Eligible: r.PostFormValue("eligible") == "1"}, nil
}

func (s *Server) surveyHouseholdCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := parseHouseholdForm(r)
	if err != nil {
		return err
	}
	if _, err := s.Surveys.AddHousehold(r.Context(), actorOf(r), in); err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.surveyHouseholdsPage(w, r, status, surveyHouseholdsData{Community: in.Community, Form: in, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/surveys/households?community="+url.QueryEscape(in.Community), "survey.hh.added")
}
