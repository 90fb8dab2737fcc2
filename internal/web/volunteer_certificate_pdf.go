package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
)

// volunteerCertificatePDF is an issued certificate as a PDF.
func (s *Server) volunteerCertificatePDF(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(strings.TrimSuffix(r.PathValue("file"), ".pdf"), 10, 64)
	if err != nil || !strings.HasSuffix(r.PathValue("file"), ".pdf") {
		return apperr.NotFound("error.not_found")
	}
	c, err := s.Volunteers.Certificate(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.Volunteers.WritePDF(r.Context(), &buf, c, s.publicBase(r)+"/v/c/"+c.VerifyCode, s.Catalog.T); err != nil {
		return err
	}
	return s.download(w, &buf, "application/pdf", "certificate-"+strconv.FormatInt(id, 10)+".pdf", "志愿服务证明-"+c.Number+".pdf")
}
