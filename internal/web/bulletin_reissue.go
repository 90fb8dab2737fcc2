package web

import (
	"net/http"
	"strconv"
)

func (s *Server) bulletinReissue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.Bulletins.Reissue(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, "/bulletins/"+strconv.FormatInt(b.ID, 10), "bulletin.reissued")
}
