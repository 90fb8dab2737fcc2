package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
)

// uploadFormSlack is what a file upload form carries beside its file: the
// token, a title, a date and a note.
const uploadFormSlack = 1 << 20

// uploadChain is chain for a page that takes one large file: a request
// whose declared length is over the file limit is refused before any of
// its body is read, and a body without a length is cut off at the limit.
func (s *Server) uploadChain(h handlerFunc, maxBytes func() int64) http.Handler {
	var next http.Handler = s.serve(h)
	next = s.mustChange(next)
	next = s.csrf(next)
	next = s.fileBody(maxBytes, next)
	return s.session(true, next)
}

func (s *Server) fileBody(maxBytes func() int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := maxBytes() + uploadFormSlack
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			s.fail(w, r, apperr.Invalid("media.file_too_large", formatMB(maxBytes())))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// formatMB writes a byte limit in whole MB.
func formatMB(n int64) string { return itoa64(n>>20) + " MB" }
