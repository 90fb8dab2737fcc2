package server

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/holder"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/merchant"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/selection"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// newSelections builds the selections (评选) and the responsibility
// holders (责任制), and hooks the holders into the escalation (red cases)
// and the inspections (low scores). The merchant directory and the flag
// source are wired once the merchants are built (merchantDirectory,
// merchantFlags).
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

// merchantDirectory names the merchant candidates of the selections. The
// selection domain decides who may nominate; the directory only says what
// the merchant is called and where it is.
type merchantDirectory struct{ merchants *merchant.Store }

func (m merchantDirectory) Merchant(ctx context.Context, id int64) (selection.MerchantRef, error) {
	x, err := m.merchants.Get(ctx, access.System(), id)
	if err != nil {
		return selection.MerchantRef{}, err
	}
	return selection.MerchantRef{ID: x.ID, Name: x.Name, CreditCode: x.CreditCode, RegionCode: x.RegionCode}, nil
}

// merchantFlags gives the holders' report cards the month's 流动红旗.
type merchantFlags struct{ merchants *merchant.Store }

func (m merchantFlags) FlagsIn(ctx context.Context, regionCode, month string) ([]holder.FlagRow, error) {
	flags, err := m.merchants.FlagsIn(ctx, regionCode, month)
	if err != nil {
		return nil, err
	}
	out := make([]holder.FlagRow, len(flags))
	for i, f := range flags {
		out[i] = holder.FlagRow{MerchantID: f.MerchantID, MerchantName: f.MerchantName, RegionCode: f.RegionCode, Flag: f.Kind}
	}
	return out, nil
}

// merchantTitles gives a merchant's page and the public lookup the titles
// it was awarded (诚信商户 …), newest first, each kind once.
type merchantTitles struct{ selections *selection.Store }

func (m merchantTitles) Title(ctx context.Context, merchantID int64) (string, error) {
	titles, err := m.selections.TitlesOf(ctx, "merchant", merchantID)
	if err != nil {
		return "", err
	}
	var names []string
	for _, t := range titles {
		if !slices.Contains(names, t.Kind) {
			names = append(names, t.Kind)
		}
	}
	return strings.Join(names, "、"), nil
}
