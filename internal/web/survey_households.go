package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyHouseholdsData is a community's household list (住户名册).
type surveyHouseholdsData struct {
	Community   string
	Name        string
	Communities []survey.Place
	List        survey.HouseholdList
	Pager       pager
	Form        survey.HouseholdInput
	Error       string
	Errors      []string
	MoreErrors  int
}

func (s *Server) surveyHouseholdsPage(w http.ResponseWriter, r *http.Request, status int, d surveyHouseholdsData) error {
	ctx, a := r.Context(), actorOf(r)
	if d.Community == "" {
		d.Community = strings.TrimSpace(r.URL.Query().Get("community"))
	}
	if d.Community == "" {
		if l, ok := region.LevelOf(a.Region); ok && l == region.Community {
			d.Community = a.Region
		}
	}
	var err error
	if l, ok := region.LevelOf(a.Region); ok && l < region.Community {
		if d.Communities, err = s.Surveys.Communities(ctx, a.Region); err != nil {
			return err
		}
	}
	if d.Community != "" {
		page, offset, limit := pageParams(r)
		if d.List, err = s.Surveys.Households(ctx, a, d.Community, offset, limit); err != nil {
			return err
		}
		d.Pager = newPager(r, page, limit, d.List.Total)
		names, err := s.Surveys.RegionNames(ctx, []string{d.Community})
		if err != nil {
			return err
		}
		d.Name = names[d.Community]
	}
	if d.Form.Residents == 0 {
		d.Form = survey.HouseholdInput{Residents: 3, Eligible: true}
	}
	s.render(w, r, status, "survey_households", "survey.hh.title", d)
	return nil
}

func (s *Server) surveyHouseholds(w http.ResponseWriter, r *http.Request) error {
	return s.surveyHouseholdsPage(w, r, http.StatusOK, surveyHouseholdsData{})
}
