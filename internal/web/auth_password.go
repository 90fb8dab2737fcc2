package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
)

type passwordData struct {
	MustChange bool
	Error      string
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "password", "password.title", passwordData{MustChange: reqInfo(r).session.MustChange})
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	info := reqInfo(r)
	var err error
	if next := r.PostFormValue("new"); next != r.PostFormValue("confirm") {
		err = apperr.Invalid("password.mismatch")
	} else {
		err = s.Org.ChangeOwnPassword(r.Context(), info.session.Actor, r.PostFormValue("current"), next, info.session.TokenHash)
	}
	if err != nil {
		e := apperr.As(err)
		if e.Kind != apperr.KindInvalid {
			return err
		}
		s.render(w, r, http.StatusBadRequest, "password", "password.title",
			passwordData{MustChange: info.session.MustChange, Error: s.Catalog.T(e.Code, e.Args...)})
		return nil
	}
	return s.redirectWith(w, r, "/", "password.changed")
}
