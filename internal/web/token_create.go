package web

import "net/http"

// tokenForm is the form of a new API token: whose it is and its name.
type tokenForm struct {
	UserID int64
	Name   string
}

func parseTokenForm(r *http.Request) (tokenForm, error) {
	if err := r.ParseForm(); err != nil {
		return tokenForm{}, err
	}
	return tokenForm{UserID: formID(r, "user_id"), Name: r.PostFormValue("name")}, nil
}

func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := parseTokenForm(r)
	if err != nil {
		return err
	}
	plain, _, err := s.Auth.CreateToken(r.Context(), actorOf(r), f.UserID, f.Name)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.tokenPage(w, r, status, tokenData{Error: msg})
		})
	}
	return s.tokenPage(w, r, http.StatusCreated, tokenData{NewToken: plain})
}
