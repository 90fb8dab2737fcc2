package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/wenming-civic/wenming/internal/media"
)

// dossierFile downloads an item's file to those who may see the item.
func (s *Server) dossierFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	f, err := s.Dossiers.FileForDownload(ctx, actorOf(r), id)
	if err != nil {
		return err
	}
	rc, err := s.Files.Open(ctx, f.Hash)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", f.File.MIME)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "private, max-age=3600")
	disp := "attachment"
	if f.File.Kind == media.KindPDF || f.File.Kind.IsImage() {
		disp = "inline"
	}
	name := f.Name
	if name == "" {
		name = "file" + f.File.Kind.Ext()
	}
	h.Set("Content-Disposition", disp+"; filename=\"file-"+strconv.FormatInt(id, 10)+f.File.Kind.Ext()+"\"; filename*=UTF-8''"+url.PathEscape(name))
	if f.File.Bytes > 0 {
		h.Set("Content-Length", strconv.FormatInt(f.File.Bytes, 10))
	}
	_, err = io.Copy(w, rc)
	return err
}

// dossierFileThumb serves an image file's thumbnail or display copy.
func (s *Server) dossierFileThumb(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	f, err := s.Dossiers.FileForDownload(ctx, actorOf(r), id)
	if err != nil {
		return err
	}
	rc, err := s.Files.OpenThumb(ctx, f.Hash, r.PathValue("size"))
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	_, err = io.Copy(w, rc)
	return err
}
