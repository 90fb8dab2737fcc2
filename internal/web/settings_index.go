package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
)

type settingsIndexData struct {
	Tops, Subs, Inactive int
	Years                []int
	Hours                string
	Rules, Enabled       int
	CanEdit              bool
}

func (s *Server) settingsIndex(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	ctx := r.Context()
	d := settingsIndexData{CanEdit: category.CanEdit(a)}
	tree, err := s.Categories.Catalogue(ctx, a)
	if err != nil {
		return err
	}
	for _, t := range tree {
		d.Tops++
		for _, sub := range t.Subs {
			d.Subs++
			if !sub.Usable() {
				d.Inactive++
			}
		}
	}
	years, err := s.Calendar.Years(ctx, a)
	if err != nil {
		return err
	}
	for _, y := range years {
		d.Years = append(d.Years, y.Year)
	}
	periods, err := s.Calendar.WorkingHours(ctx, a)
	if err != nil {
		return err
	}
	d.Hours = calendar.FormatPeriods(periods)
	rules, err := s.Routing.Rules(ctx, a)
	if err != nil {
		return err
	}
	for _, x := range rules {
		d.Rules++
		if x.Enabled {
			d.Enabled++
		}
	}
	s.render(w, r, http.StatusOK, "category_settings", "cfg.title", d)
	return nil
}
