package web

import (
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/wenming-civic/wenming/internal/dossier"
)

// dossierExportStart starts the round's ZIP export in the background and
// shows its progress.
func (s *Server) dossierExportStart(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	job, err := s.Dossiers.StartExport(r.Context(), actorOf(r), id)
	if err != nil {
		return s.dossierRoundRefused(w, r, id, err, dossier.RequirementInput{})
	}
	return s.redirectWith(w, r, "/dossiers/exports/"+itoa64(job), "")
}

type dossierExportData struct {
	Export dossier.Export
	Round  dossier.Round
}

// dossierExportShow is an export's progress; it reloads itself every two
// seconds while the export runs.
func (s *Server) dossierExportShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	e, err := s.Dossiers.GetExport(ctx, a, id)
	if err != nil {
		return err
	}
	round, err := s.Dossiers.Round(ctx, a, e.RoundID)
	if err != nil {
		return err
	}
	if e.State == "running" {
		w.Header().Set("Refresh", "2")
	}
	s.render(w, r, http.StatusOK, "dossier_export", "dossier.export_title", dossierExportData{Export: e, Round: round})
	return nil
}

// dossierExportDownload streams a finished export's ZIP.
func (s *Server) dossierExportDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	rc, e, err := s.Dossiers.OpenExport(ctx, a, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	round, err := s.Dossiers.Round(ctx, a, e.RoundID)
	if err != nil {
		return err
	}
	// A large archive takes longer than the server's write timeout.
	http.NewResponseController(w).SetWriteDeadline(time.Time{}) //nolint:errcheck // best effort
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", "attachment; filename=\"dossier-"+itoa64(e.RoundID)+".zip\"; filename*=UTF-8''"+url.PathEscape(round.Name+".zip"))
	h.Set("Cache-Control", "no-store")
	_, err = io.Copy(w, rc)
	return err
}
