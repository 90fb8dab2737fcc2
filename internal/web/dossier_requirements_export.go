package web

import (
	"bytes"
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
)

// dossierRequirementsExport downloads a round's requirements as the sheet
// the import reads (an empty round gives the template).
func (s *Server) dossierRequirementsExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.Dossiers.WriteRequirements(r.Context(), actorOf(r), id, &buf); err != nil {
		return err
	}
	return s.download(w, &buf, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"dossier-requirements-"+itoa64(id)+".xlsx", s.Catalog.T("dossier.requirements_file", itoa64(id)))
}

func errNoSheet() error { return apperr.Invalid("dossier.not_sheet") }
