package api

import (
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/survey"
)

// The household survey on a phone app: the households dealt to the
// interviewer, visits, interviews (a client id makes a resend count
// once) and a round's rates.
func (api *API) registerSurveys(mux Mux) {
	if api.Surveys == nil {
		return
	}
	mux.Handle("GET /api/v1/survey-rounds/{round}/households", api.handle(api.surveyHouseholds))
	mux.Handle("POST /api/v1/survey-visits", api.handle(api.surveyVisit))
	mux.Handle("POST /api/v1/survey-interviews", api.handle(api.surveyInterview))
	mux.Handle("GET /api/v1/survey-rounds/{round}/results", api.handle(api.surveyResults))
}

type surveyHouseholdOut struct {
	SampleID  int64  `json:"sample_id"`
	Community string `json:"community"`
	Address   string `json:"address"`
	Head      string `json:"head"` // masked
	Reserve   bool   `json:"reserve"`
	Status    string `json:"status"`
	Visits    int    `json:"visits"`
	Interview int64  `json:"interview_id,omitempty"`
}

func (api *API) surveyHouseholds(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	round, err := pathInt(r, "round")
	if err != nil {
		return err
	}
	_, list, err := api.Surveys.MyHouseholds(r.Context(), a, round)
	if err != nil {
		return err
	}
	out := []surveyHouseholdOut{}
	for _, h := range list {
		out = append(out, surveyHouseholdOut{SampleID: h.ID, Community: h.Community, Address: h.Household.Place(), Head: h.Household.HeadName,
			Reserve: h.Reserve, Status: h.Status, Visits: len(h.Visits), Interview: h.InterviewID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"households": out})
	return nil
}

type surveyVisitIn struct {
	SampleID int64    `json:"sample_id"`
	ClientID string   `json:"client_id"`
	Outcome  string   `json:"outcome"`
	Reason   string   `json:"reason"`
	Lng      *float64 `json:"lng"`
	Lat      *float64 `json:"lat"`
}

func (api *API) surveyVisit(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	var in surveyVisitIn
	if err := decode(r, &in); err != nil {
		return err
	}
	v := survey.VisitInput{SampleID: in.SampleID, ClientID: in.ClientID, Outcome: survey.Outcome(in.Outcome), Reason: in.Reason}
	if in.Lng != nil && in.Lat != nil {
		v.Lng, v.Lat, v.HasPlace = *in.Lng, *in.Lat, true
	}
	res, err := api.Surveys.RecordVisit(r.Context(), a, v)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Repeat {
		status = http.StatusOK
	}
	writeJSON(w, status, map[string]any{"id": res.ID, "repeat": res.Repeat, "released_sample_id": res.Released, "far": res.Far()})
	return nil
}

type surveyAnswerIn struct {
	Values  []string `json:"v"`
	Note    string   `json:"note"`
	Consent bool     `json:"consent"`
}

type surveyInterviewIn struct {
	SampleID  int64                     `json:"sample_id"`
	ClientID  string                    `json:"client_id"`
	Answers   map[string]surveyAnswerIn `json:"answers"`
	StartedAt *time.Time                `json:"started_at"`
	Lng       *float64                  `json:"lng"`
	Lat       *float64                  `json:"lat"`
}

func (api *API) surveyInterview(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	var in surveyInterviewIn
	if err := decode(r, &in); err != nil {
		return err
	}
	iv := survey.InterviewInput{SampleID: in.SampleID, ClientID: in.ClientID, Answers: survey.Answers{}}
	for code, x := range in.Answers {
		iv.Answers[code] = survey.Answer{Values: x.Values, Note: x.Note, Consent: x.Consent}
	}
	if in.StartedAt != nil {
		iv.StartedAt = *in.StartedAt
	}
	if in.Lng != nil && in.Lat != nil {
		iv.Lng, iv.Lat, iv.HasPlace = *in.Lng, *in.Lat, true
	}
	res, err := api.Surveys.SubmitInterview(r.Context(), a, iv)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Repeat {
		status = http.StatusOK
	}
	writeJSON(w, status, map[string]any{"id": res.ID, "version": res.Version, "state": res.State, "repeat": res.Repeat})
	return nil
}

type surveyFiguresOut struct {
	Code      string             `json:"code"`
	Name      string             `json:"name"`
	Sampled   int                `json:"sampled"`
	Visited   int                `json:"visited"`
	Completed int                `json:"completed"`
	Refused   int                `json:"refused"`
	Rates     map[string]float64 `json:"rates"` // only the rates that exist
}

func surveyFigures(f survey.Figures) surveyFiguresOut {
	out := surveyFiguresOut{Code: f.Code, Name: f.Name, Sampled: f.Sampled, Visited: f.Visited, Completed: f.Completed, Refused: f.Refused,
		Rates: map[string]float64{}}
	for _, k := range survey.FigureKeys() {
		if x := f.Figure(k); x.OK() {
			out.Rates[k] = x.Value()
		}
	}
	return out
}

func (api *API) surveyResults(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	round, err := pathInt(r, "round")
	if err != nil {
		return err
	}
	res, err := api.Surveys.Results(r.Context(), a, round, "")
	if err != nil {
		return err
	}
	out := struct {
		Overall     surveyFiguresOut   `json:"overall"`
		Streets     []surveyFiguresOut `json:"streets"`
		Communities []surveyFiguresOut `json:"communities"`
	}{Overall: surveyFigures(res.Overall), Streets: []surveyFiguresOut{}, Communities: []surveyFiguresOut{}}
	for _, f := range res.Streets {
		out.Streets = append(out.Streets, surveyFigures(f))
	}
	for _, f := range res.Communities {
		out.Communities = append(out.Communities, surveyFigures(f))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
