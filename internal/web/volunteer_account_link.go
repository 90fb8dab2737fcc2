package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
)

// volunteerAccountLink ties a volunteer to the account they sign in with
// (by user name; empty unties it), for the office of their area.
func (s *Server) volunteerAccountLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	var userID int64
	if name := strings.TrimSpace(r.PostFormValue("username")); name != "" {
		c, err := s.Org.FindCredentials(r.Context(), name)
		if err != nil {
			err = apperr.Invalid("volunteer.user_unknown")
		}
		if err != nil {
			return s.volunteerLinkRefused(w, r, id, err)
		}
		userID = c.UserID
	}
	if err := s.Volunteers.Link(r.Context(), actorOf(r), id, userID); err != nil {
		return s.volunteerLinkRefused(w, r, id, err)
	}
	return s.redirectWith(w, r, volunteerPath(id), "volunteer.account_linked")
}

func (s *Server) volunteerLinkRefused(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	return s.refused(err, func(status int, msg string) error {
		v, gerr := s.Volunteers.Get(r.Context(), actorOf(r), id)
		if gerr != nil {
			return gerr
		}
		return s.volunteerPage(w, r, v, false, status, msg)
	})
}
