package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyRoundForm is the form of a new round.
type surveyRoundForm struct {
	Name          string
	Questionnaire int64
	Area          string // codes separated by spaces or commas
	Mode          string
	StartsOn      string
	EndsOn        string
	Per           string
	N, Reserve    int
	Seed          int64
	MaxAbsent     int
	Interviewers  []int64
	Assign        string
}

func parseSurveyRoundForm(r *http.Request) (surveyRoundForm, error) {
	if err := r.ParseForm(); err != nil {
		return surveyRoundForm{}, err
	}
	f := surveyRoundForm{Name: r.PostFormValue("name"), Questionnaire: formID(r, "questionnaire"), Area: r.PostFormValue("area"),
		Mode: r.PostFormValue("mode"), StartsOn: r.PostFormValue("starts_on"), EndsOn: r.PostFormValue("ends_on"),
		Per: r.PostFormValue("per"), N: formInt(r, "n"), Reserve: formInt(r, "reserve"), MaxAbsent: formInt(r, "max_absent"),
		Assign: strings.TrimSpace(r.PostFormValue("assign"))}
	f.Seed, _ = strconv.ParseInt(strings.TrimSpace(r.PostFormValue("seed")), 10, 64)
	for _, v := range r.PostForm["interviewers"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			f.Interviewers = append(f.Interviewers, id)
		}
	}
	return f, nil
}

func (f surveyRoundForm) input() survey.RoundInput {
	areas := strings.FieldsFunc(f.Area, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' || r == '\n' })
	return survey.RoundInput{Name: f.Name, QuestionnaireID: f.Questionnaire, Areas: areas, Mode: f.Mode, StartsOn: f.StartsOn,
		EndsOn: f.EndsOn, Sampling: survey.Sampling{Per: f.Per, N: f.N, Reserve: f.Reserve, Seed: f.Seed}, MaxAbsent: f.MaxAbsent,
		Interviewers: f.Interviewers, Assign: f.Assign}
}

func (s *Server) surveyRoundCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := parseSurveyRoundForm(r)
	if err != nil {
		return err
	}
	round, err := s.Surveys.CreateRound(r.Context(), actorOf(r), f.input())
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			d, derr := s.surveyListData(r)
			if derr != nil {
				return derr
			}
			d.Error, d.Form = msg, f
			s.render(w, r, status, "surveys", "survey.title", d)
			return nil
		})
	}
	return s.redirectWith(w, r, "/surveys/rounds/"+strconv.FormatInt(round.ID, 10), "survey.round.created")
}
