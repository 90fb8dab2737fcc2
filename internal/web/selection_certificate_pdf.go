package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/selection"
)

// selectionCertificatePDF is an awarded title's certificate (荣誉证书).
func (s *Server) selectionCertificatePDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	c, err := s.Selections.Certificate(ctx, a, id)
	if err != nil {
		return err
	}
	issuer := s.Catalog.T("selection.pdf.issuer")
	if units, err := org.UnitsInArea(ctx, s.Selections.DB, c.Round.RegionCode, org.KindOffice); err == nil {
		for _, u := range units {
			if u.RegionCode == c.Round.RegionCode {
				issuer = u.Name
				break
			}
		}
	}
	var buf bytes.Buffer
	verify := s.publicBase(r) + "/public/selections/certificates/" + url.PathEscape(c.Number)
	if err := selection.WritePDF(&buf, c, issuer, verify, s.Catalog.T); err != nil {
		return err
	}
	return s.download(w, &buf, "application/pdf", "certificate-"+strconv.FormatInt(id, 10)+".pdf", c.Kind.Name+"-"+c.Number+".pdf")
}
