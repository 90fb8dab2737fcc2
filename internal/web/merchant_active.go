package web

import "net/http"

// merchantActive closes a merchant (停业) or opens it again.
func (s *Server) merchantActive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	active := r.PostFormValue("active") == "1"
	if err := s.Merchants.SetActive(r.Context(), actorOf(r), id, active); err != nil {
		return err
	}
	key := "merchant.closed"
	if active {
		key = "merchant.reopened"
	}
	return s.redirectWith(w, r, merchantPath(id), key)
}
