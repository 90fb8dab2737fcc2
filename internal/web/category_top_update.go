package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/category"
)

func (s *Server) categoryTopEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := s.Categories.EditTop(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.showCategoryTopForm(w, r, http.StatusOK, categoryTopFormData{ID: id,
		In: category.TopInput{Code: t.Code, Name: t.Name, Position: t.Position}})
}

func (s *Server) categoryTopUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := parseTopForm(r)
	if err != nil {
		return err
	}
	f.Code = "" // fixed once created; the store keeps it
	top, err := s.Categories.UpdateTop(r.Context(), actorOf(r), id, f.TopInput)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.showCategoryTopForm(w, r, status, categoryTopFormData{ID: id, In: f.TopInput, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/settings/categories#t-"+top.Code, "cfg.categories.top_saved")
}
