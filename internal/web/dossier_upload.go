package web

import (
	"errors"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/dossier"
)

// dossierUpload takes one file for an item (or replaces one of its files):
// the fields are checked against the item first, then the file is checked
// by its content and stored, then recorded; nothing is stored when a
// check fails.
func (s *Server) dossierUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// The CSRF check parsed the form: small fields in memory, the file
	// spilled to a temporary file.
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return s.dossierItemRefused(w, r, id, apperr.Invalid("media.file_too_large", formatMB(s.Files.MaxBytes())), dossier.Upload{})
		}
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	in := dossier.Upload{Title: r.PostFormValue("title"), ConcernsOn: r.PostFormValue("concerns_on"), Note: r.PostFormValue("note"),
		Replaces: formID(r, "replaces")}
	if _, err := s.Dossiers.CheckUpload(ctx, a, id, &in); err != nil {
		return s.dossierItemRefused(w, r, id, err, in)
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return s.dossierItemRefused(w, r, id, apperr.Invalid("dossier.file_required"), in)
	}
	defer f.Close()
	if fh.Size > s.Files.MaxBytes() {
		return s.dossierItemRefused(w, r, id, apperr.Invalid("media.file_too_large", formatMB(s.Files.MaxBytes())), in)
	}
	if in.File, err = s.Files.Ingest(ctx, f, rawFileName(fh)); err != nil {
		return s.dossierItemRefused(w, r, id, err, in)
	}
	if _, err := s.Dossiers.AddFile(ctx, a, id, in); err != nil {
		return s.dossierItemRefused(w, r, id, err, in)
	}
	key := "dossier.file_uploaded"
	if in.Replaces != 0 {
		key = "dossier.file_replaced"
	}
	return s.redirectWith(w, r, dossierItemPath(id), key)
}

// rawFileName is the file name as the client sent it: the multipart reader
// keeps only its last element, and a name with path parts is refused, not
// quietly cut.
func rawFileName(fh *multipart.FileHeader) string {
	if _, params, err := mime.ParseMediaType(fh.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		return params["filename"]
	}
	return fh.Filename
}
