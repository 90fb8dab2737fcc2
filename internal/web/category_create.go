package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
)

// categoryNew is the form of a new sub-category, under ?top= when given.
func (s *Server) categoryNew(w http.ResponseWriter, r *http.Request) error {
	top, _ := strconv.ParseInt(r.URL.Query().Get("top"), 10, 64)
	return s.showCategoryForm(w, r, http.StatusOK, categoryFormData{In: category.SubInput{
		TopID: top, Kind: category.KindEvent, Owner: category.Territorial,
		Limit: category.Limit{Amount: 1, Unit: calendar.UnitDay},
	}})
}

func (s *Server) categoryCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := parseSubForm(r)
	if err != nil {
		return err
	}
	sub, err := s.Categories.CreateSub(r.Context(), actorOf(r), f.SubInput)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.showCategoryForm(w, r, status, categoryFormData{In: f.SubInput, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/settings/categories#c-"+sub.Code, "cfg.categories.sub_saved")
}
