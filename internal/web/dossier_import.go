package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// dossierImport adds requirements from an XLSX sheet, all or none; the
// faults are listed with their rows.
func (s *Server) dossierImport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, dossier.MaxImportBytes+1<<20)
	if err := r.ParseMultipartForm(dossier.MaxImportBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		return s.dossierRoundRefused(w, r, id, errNoSheet(), dossier.RequirementInput{})
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, dossier.MaxImportBytes+1))
	if err != nil {
		return err
	}
	n, rowErrs, err := s.Dossiers.ImportRequirements(r.Context(), actorOf(r), id, data)
	if err != nil {
		return s.dossierRoundRefused(w, r, id, err, dossier.RequirementInput{})
	}
	if len(rowErrs) > 0 {
		d, err := s.dossierRoundData(r, id)
		if err != nil {
			return err
		}
		d.Error = s.Catalog.T("dossier.import_refused")
		d.RowErrors = sheetsafe.Messages(rowErrs, s.Catalog.T)
		s.render(w, r, http.StatusBadRequest, "dossier_round", "dossier.round_title", d)
		return nil
	}
	return s.redirectWith(w, r, dossierRoundPath(id), "dossier.imported", strconv.Itoa(n))
}
