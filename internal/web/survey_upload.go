package web

import (
	"errors"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyMaxErrors bounds the row errors a page lists.
const surveyMaxErrors = 50

// surveySheet reads the uploaded file of field "file": its bytes and its
// base name without the extension.
func surveySheet(r *http.Request) ([]byte, string, error) {
	f, fh, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", err
		}
		return nil, "", apperr.Invalid("survey.file_required")
	}
	defer f.Close()
	if fh.Size > survey.MaxFileSize {
		return nil, "", apperr.Invalid("survey.file_too_large", survey.MaxFileSize>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, survey.MaxFileSize+1))
	if err != nil {
		return nil, "", err
	}
	base := path.Base(fh.Filename)
	return data, strings.TrimSuffix(base, path.Ext(base)), nil
}

// rowMessages renders at most surveyMaxErrors row errors, and how many more.
func (s *Server) rowMessages(errs []survey.RowError) ([]string, int) {
	more := 0
	if len(errs) > surveyMaxErrors {
		more = len(errs) - surveyMaxErrors
		errs = errs[:surveyMaxErrors]
	}
	return sheetsafe.Messages(errs, s.Catalog.T), more
}
