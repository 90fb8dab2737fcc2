package web

import (
	"net/http"
	"strconv"
)

func (s *Server) siteSetActive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	active := r.PostFormValue("active") == "1"
	if err := s.Sites.SetActive(r.Context(), actorOf(r), id, active); err != nil {
		return err
	}
	key := "site.deactivated"
	if active {
		key = "site.activated"
	}
	return s.redirectWith(w, r, "/sites/"+strconv.FormatInt(id, 10), key)
}
