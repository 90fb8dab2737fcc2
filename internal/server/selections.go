package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/holder"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/selection"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// newSelections builds the selections (评选) and the responsibility
// holders (责任制), and hooks the holders into the escalation (red cases)
// and the inspections (low scores). The merchant directory and the flag
// source are wired by whoever builds the merchant domain; nil leaves
// merchants as plain text and the report cards without flags.
func newSelections(ctx context.Context, d *db.DB, vols *volunteer.Store, problems *problem.Store, inspections *inspect.Store,
	log *slog.Logger) (*selection.Store, *holder.Store, error) {
	sel := &selection.Store{DB: d, Key: vols.Key, Now: time.Now}
	if _, err := sel.EnsureDefaults(ctx); err != nil {
		return nil, nil, err
	}
	hold := &holder.Store{DB: d, Problems: problems, Picks: sel, Now: time.Now}
	problems.OnRed = hold.CaseRed
	// A notice that fails is logged; the inspection stands and its
	// inspector is not told of someone else's trouble.
	inspections.Scored = func(ctx context.Context, sc inspect.ScoredSite) error {
		if err := hold.SiteScored(ctx, sc); err != nil {
			log.Warn("low-score notice to the holders", "inspection", sc.InspectionID, "err", err)
		}
		return nil
	}
	return sel, hold, nil
}
