package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/media"
)

// trackPhoto serves an after-photo of a closed case to the holder of its
// token; the member /photos route is for those who may see the case.
func (s *Server) trackPhoto(w http.ResponseWriter, r *http.Request) error {
	hash, size := r.PathValue("hash"), r.PathValue("size")
	if !media.ValidHash(hash) || (size != media.SizeThumb && size != media.SizeDisplay) {
		return apperr.NotFound("error.not_found")
	}
	ok, err := s.Problems.TrackPhoto(r.Context(), r.PathValue("token"), hash)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFound("error.not_found")
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	return s.servePhoto(w, r, hash, size, "private, max-age=3600")
}
