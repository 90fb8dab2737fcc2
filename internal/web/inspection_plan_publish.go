package web

import (
	"net/http"
	"strconv"
)

func (s *Server) planPublish(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Inspections.Publish(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/inspections/"+strconv.FormatInt(id, 10), "inspect.published")
}
