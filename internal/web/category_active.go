package web

import (
	"net/http"
)

func (s *Server) categoryActive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	on := r.PostFormValue("active") == "1"
	if err := s.Categories.SetActive(r.Context(), actorOf(r), id, on); err != nil {
		return err
	}
	flash := "cfg.categories.deactivated"
	if on {
		flash = "cfg.categories.activated"
	}
	sub, err := s.Categories.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, "/settings/categories#c-"+sub.Code, flash)
}

func (s *Server) categoryTopActive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	on := r.PostFormValue("active") == "1"
	if err := s.Categories.SetTopActive(r.Context(), actorOf(r), id, on); err != nil {
		return err
	}
	flash := "cfg.categories.deactivated"
	if on {
		flash = "cfg.categories.activated"
	}
	t, err := s.Categories.GetTop(r.Context(), id)
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, "/settings/categories#t-"+t.Code, flash)
}
