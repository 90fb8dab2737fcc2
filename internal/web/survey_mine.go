package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"

	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyMineData is the interviewer's list: the households dealt to them,
// with their visits and a visit form each.
type surveyMineData struct {
	Round      survey.Round
	Households []survey.SampleHousehold
	Visit      *survey.Visit
	Error      string
	Outcomes   []survey.Outcome
	// ClientIDs gives each visit form its id, so that a form sent twice
	// records one visit.
	ClientIDs map[int64]string
}

// newClientID makes the id that lets a form sent twice count once.
func newClientID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "web-" + hex.EncodeToString(b[:])
}

func (s *Server) surveyMinePage(w http.ResponseWriter, r *http.Request, status int, d surveyMineData) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if d.Round, d.Households, err = s.Surveys.MyHouseholds(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	d.Outcomes = survey.Outcomes()
	d.ClientIDs = map[int64]string{}
	for _, h := range d.Households {
		d.ClientIDs[h.ID] = newClientID()
	}
	s.render(w, r, status, "survey_mine", "survey.mine.title", d)
	return nil
}

func (s *Server) surveyMine(w http.ResponseWriter, r *http.Request) error {
	return s.surveyMinePage(w, r, http.StatusOK, surveyMineData{})
}
