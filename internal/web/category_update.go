package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/category"
)

func (s *Server) categoryEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sub, err := s.Categories.EditSub(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.showCategoryForm(w, r, http.StatusOK, categoryFormData{ID: id, In: category.SubInput{
		TopID: sub.TopID, Code: sub.Code, Name: sub.Name, Kind: sub.Kind, Limit: sub.Limit,
		FilingCondition: sub.FilingCondition, ClosingCondition: sub.ClosingCondition, Owner: sub.Owner, Position: sub.Position,
	}})
}

func (s *Server) categoryUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := parseSubForm(r)
	if err != nil {
		return err
	}
	f.Code = "" // fixed once created; the store keeps it
	sub, err := s.Categories.UpdateSub(r.Context(), actorOf(r), id, f.SubInput)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.showCategoryForm(w, r, status, categoryFormData{ID: id, In: f.SubInput, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/settings/categories#c-"+sub.Code, "cfg.categories.sub_saved")
}
