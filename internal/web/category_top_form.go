package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/category"
)

type categoryTopFormData struct {
	ID    int64
	Code  string
	In    category.TopInput
	Error string
}

// showCategoryTopForm renders the top-category form, new (d.ID 0) or to
// edit; the domain decides whether the actor may use it.
func (s *Server) showCategoryTopForm(w http.ResponseWriter, r *http.Request, status int, d categoryTopFormData) error {
	cur, err := s.Categories.EditTop(r.Context(), actorOf(r), d.ID)
	if err != nil {
		return err
	}
	d.Code = cur.Code
	title := "cfg.categories.new_top"
	if d.ID != 0 {
		title = "cfg.categories.edit_top"
	}
	s.render(w, r, status, "category_top_form", title, d)
	return nil
}

// topForm is the top-category form as posted.
type topForm struct {
	category.TopInput
}

func parseTopForm(r *http.Request) (topForm, error) {
	if err := r.ParseForm(); err != nil {
		return topForm{}, err
	}
	return topForm{category.TopInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Position: formInt(r, "position")}}, nil
}
