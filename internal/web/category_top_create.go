package web

import "net/http"

func (s *Server) categoryTopNew(w http.ResponseWriter, r *http.Request) error {
	return s.showCategoryTopForm(w, r, http.StatusOK, categoryTopFormData{})
}

func (s *Server) categoryTopCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := parseTopForm(r)
	if err != nil {
		return err
	}
	top, err := s.Categories.CreateTop(r.Context(), actorOf(r), f.TopInput)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.showCategoryTopForm(w, r, status, categoryTopFormData{In: f.TopInput, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/settings/categories#t-"+top.Code, "cfg.categories.top_saved")
}
