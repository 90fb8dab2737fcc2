package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/survey"
)

// parseInterviewForm reads the answers: q_<code> (several for a multiple
// choice), note_<code> and consent_<code> for a 不满意 answer.
func parseInterviewForm(r *http.Request, sample int64) (survey.InterviewInput, error) {
	if err := r.ParseForm(); err != nil {
		return survey.InterviewInput{}, err
	}
	in := survey.InterviewInput{SampleID: sample, ClientID: r.PostFormValue("client_id"), Answers: survey.Answers{}}
	for k, vals := range r.PostForm {
		code, ok := strings.CutPrefix(k, "q_")
		if !ok {
			continue
		}
		in.Answers[code] = survey.Answer{Values: vals, Note: r.PostFormValue("note_" + code), Consent: r.PostFormValue("consent_"+code) == "1"}
	}
	if ms, err := strconv.ParseInt(r.PostFormValue("started_at"), 10, 64); err == nil && ms > 0 {
		in.StartedAt = time.UnixMilli(ms)
	}
	lng, errLng := strconv.ParseFloat(r.PostFormValue("lng"), 64)
	lat, errLat := strconv.ParseFloat(r.PostFormValue("lat"), 64)
	if errLng == nil && errLat == nil {
		in.Lng, in.Lat, in.HasPlace = lng, lat, true
	}
	return in, nil
}

func (s *Server) surveyInterviewSubmit(w http.ResponseWriter, r *http.Request) error {
	sample, err := surveySampleID(r)
	if err != nil {
		return err
	}
	in, err := parseInterviewForm(r, sample)
	if err != nil {
		return err
	}
	iv, err := s.Surveys.SubmitInterview(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.surveyInterviewPage(w, r, status, surveyInterviewData{Prefill: in.Answers, ClientID: in.ClientID, Error: msg})
		})
	}
	return s.surveyInterviewPage(w, r, http.StatusOK, surveyInterviewData{Result: &iv})
}
