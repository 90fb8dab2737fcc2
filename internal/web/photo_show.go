package web

import (
	"context"
	"net/http"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/media"
)

// photo serves a derived, EXIF-free copy of a photo to someone who may see
// a case it belongs to.
func (s *Server) photo(w http.ResponseWriter, r *http.Request) error {
	return s.servePhotoIf(w, r, s.Problems.CanSeePhoto)
}

// servePhotoIf serves the derived copy named by the path's hash and size
// when mayView, the owning domain's check, lets the person see the photo.
// Every domain with photos (cases, work reports …) serves them so.
func (s *Server) servePhotoIf(w http.ResponseWriter, r *http.Request,
	mayView func(ctx context.Context, a access.Actor, hash string) (bool, error)) error {
	hash, size := r.PathValue("hash"), r.PathValue("size")
	if !media.ValidHash(hash) || (size != media.SizeThumb && size != media.SizeDisplay) {
		return apperr.NotFound("error.not_found")
	}
	ok, err := mayView(r.Context(), actorOf(r), hash)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFound("error.not_found")
	}
	return s.servePhoto(w, r, hash, size, "private, max-age=86400")
}
