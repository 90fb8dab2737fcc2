package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/survey"
)

func surveySampleID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("sample"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound("error.not_found")
	}
	return id, nil
}

// surveyVisit records a visit that found nobody to interview.
func (s *Server) surveyVisit(w http.ResponseWriter, r *http.Request) error {
	sample, err := surveySampleID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := survey.VisitInput{SampleID: sample, ClientID: r.PostFormValue("client_id"), Outcome: survey.Outcome(r.PostFormValue("outcome")),
		Reason: r.PostFormValue("reason")}
	lng, errLng := strconv.ParseFloat(r.PostFormValue("lng"), 64)
	lat, errLat := strconv.ParseFloat(r.PostFormValue("lat"), 64)
	if errLng == nil && errLat == nil {
		in.Lng, in.Lat, in.HasPlace = lng, lat, true
	}
	v, err := s.Surveys.RecordVisit(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.surveyMinePage(w, r, status, surveyMineData{Error: msg})
		})
	}
	return s.surveyMinePage(w, r, http.StatusOK, surveyMineData{Visit: &v})
}
