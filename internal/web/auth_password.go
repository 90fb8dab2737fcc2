package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
)

type passwordData struct {
	MustChange bool
	Error      string
}

func (s *Server) passwordShow(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "password", "password.title", passwordData{MustChange: reqInfo(r).session.MustChange})
	return nil
}

// passwordForm is the password form as posted.
type passwordForm struct {
	Current, New, Confirm string
}

func parsePasswordForm(r *http.Request) (passwordForm, error) {
	if err := r.ParseForm(); err != nil {
		return passwordForm{}, err
	}
	return passwordForm{Current: r.PostFormValue("current"), New: r.PostFormValue("new"), Confirm: r.PostFormValue("confirm")}, nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	info := reqInfo(r)
	f, err := parsePasswordForm(r)
	if err != nil {
		return err
	}
	if f.New != f.Confirm {
		err = apperr.Invalid("password.mismatch")
	} else {
		err = s.Org.ChangeOwnPassword(r.Context(), info.session.Actor, f.Current, f.New, info.session.TokenHash)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			s.render(w, r, status, "password", "password.title", passwordData{MustChange: info.session.MustChange, Error: msg})
			return nil
		})
	}
	return s.redirectWith(w, r, "/", "password.changed")
}
