package web

import (
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/selection"
)

type selectionPublicData struct {
	R       selection.Round
	K       selection.Kind
	Entries []selection.Nomination
	Open    bool
	Sent    bool
	Error   string
	Now     time.Time
	Places  map[string]string
}

func (s *Server) selectionPublicPage(w http.ResponseWriter, r *http.Request, id int64, status int, msg string, sent bool) error {
	ctx := r.Context()
	rd, err := s.Selections.PublicRound(ctx, id)
	if err != nil {
		return err
	}
	k, err := s.Selections.Kind(ctx, rd.KindID)
	if err != nil {
		return err
	}
	entries, err := s.Selections.PublicEntries(ctx, rd)
	if err != nil {
		return err
	}
	codes := make([]string, len(entries))
	for i, e := range entries {
		codes[i] = e.RegionCode
	}
	places, err := region.Names(ctx, s.Regions.DB, codes)
	if err != nil {
		return err
	}
	now := s.Selections.Clock()
	s.render(w, r, status, "selection_public", "selection.publicity_title",
		selectionPublicData{R: rd, K: k, Entries: entries, Open: rd.ObjectionsOpen(now), Sent: sent, Error: msg, Now: now, Places: places})
	return nil
}

// selectionPublicShow is a round's public 公示 (or, once awarded, its
// list of titles) with the objection form while objections are taken.
func (s *Server) selectionPublicShow(w http.ResponseWriter, r *http.Request) error {
	if !actorOf(r).SignedIn() {
		s.ensurePre(w, r)
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.selectionPublicPage(w, r, id, http.StatusOK, "", r.URL.Query().Get("sent") == "1")
}
