package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/media"
)

// workplanPhoto serves a derived copy of a report's photo to someone who
// may see the report.
func (s *Server) workplanPhoto(w http.ResponseWriter, r *http.Request) error {
	hash, size := r.PathValue("hash"), r.PathValue("size")
	if !media.ValidHash(hash) || (size != media.SizeThumb && size != media.SizeDisplay) {
		return apperr.NotFound("error.not_found")
	}
	ok, err := s.Workplans.CanSeePhoto(r.Context(), actorOf(r), hash)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFound("error.not_found")
	}
	rc, err := s.Media.OpenDerived(r.Context(), hash, size)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = copyBody(w, rc)
	return err
}
