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
	return sendFile(w, rc, f.File, f.Name, "file-"+strconv.FormatInt(id, 10))
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

// sendFile sends a stored file as a download (PDFs and images shown in
// place), under its uploaded name, sandboxed and never sniffed: a file
// that passed the content checks still does not run as a page here.
func sendFile(w http.ResponseWriter, rc io.Reader, f media.File, name, fallback string) error {
	h := w.Header()
	h.Set("Content-Type", f.MIME)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "private, max-age=3600")
	disp := "attachment"
	if f.Kind == media.KindPDF || f.Kind.IsImage() {
		disp = "inline"
	}
	if name == "" {
		name = fallback + f.Kind.Ext()
	}
	h.Set("Content-Disposition", disp+"; filename=\""+fallback+f.Kind.Ext()+"\"; filename*=UTF-8''"+url.PathEscape(name))
	if f.Bytes > 0 {
		h.Set("Content-Length", strconv.FormatInt(f.Bytes, 10))
	}
	_, err := io.Copy(w, rc)
	return err
}
