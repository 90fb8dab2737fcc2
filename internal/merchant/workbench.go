package merchant

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/site"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// Workbench is the merchants' part of the workbench (a workbench.Source):
// for the office, the streets and sites whose flags of last month are not
// confirmed yet.
type Workbench struct {
	Store *Store
}

// Items implements workbench.Source.
func (w Workbench) Items(ctx context.Context, a access.Actor) ([]workbench.Item, error) {
	s := w.Store
	if !a.Has(access.RoleOffice) || a.Region == "" {
		return nil, nil
	}
	month := PrevMonth(Month(s.now()))
	cond, args := region.SubtreeSQL("region_code", a.Region)
	rows, err := s.DB.Query(ctx, "SELECT DISTINCT COALESCE(site_id, 0), street_code FROM merchant WHERE active = TRUE AND "+cond, args...)
	type key struct {
		site   int64
		street string
	}
	keys, err := db.Collect(rows, err, func(r *sql.Rows) (key, error) {
		var k key
		return k, r.Scan(&k.site, &k.street)
	})
	if err != nil {
		return nil, fmt.Errorf("merchant groups: %w", err)
	}
	groups := map[GroupKey]bool{}
	for _, k := range keys {
		groups[Merchant{SiteID: k.site, StreetCode: k.street}.Group()] = true
	}
	rcond, rargs := region.SubtreeSQL("region_code", a.Region)
	rows, err = s.DB.Query(ctx, "SELECT group_kind, group_code FROM merchant_flag_round WHERE month = ? AND state = ? AND "+rcond,
		append([]any{month, stateConfirmed}, rargs...)...)
	done, err := db.Collect(rows, err, func(r *sql.Rows) (GroupKey, error) {
		var g GroupKey
		return g, r.Scan(&g.Kind, &g.Code)
	})
	if err != nil {
		return nil, fmt.Errorf("confirmed rounds: %w", err)
	}
	for _, g := range done {
		delete(groups, g)
	}
	if len(groups) == 0 {
		return nil, nil
	}
	open := make([]GroupKey, 0, len(groups))
	for g := range groups {
		open = append(open, g)
	}
	slices.SortFunc(open, func(x, y GroupKey) int { return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Code, y.Code)) })
	item := workbench.Item{Kind: "merchant/flags", Section: workbench.SectionTodo, Title: workbench.T("workbench.merchant.flags", month),
		Count: len(open), Link: "/merchants/flags?month=" + month, Tone: workbench.Warn}
	var streets []string
	var sites []int64
	for _, g := range open[:min(len(open), workbench.MaxEntries)] {
		if g.Kind == GroupSite {
			id, _ := strconv.ParseInt(g.Code, 10, 64)
			sites = append(sites, id)
		} else {
			streets = append(streets, g.Code)
		}
	}
	names, err := region.Names(ctx, s.DB, streets)
	if err != nil {
		return nil, err
	}
	basics, err := site.Basics(ctx, s.DB, sites)
	if err != nil {
		return nil, err
	}
	for _, g := range open[:min(len(open), workbench.MaxEntries)] {
		label := names[g.Code]
		if g.Kind == GroupSite {
			id, _ := strconv.ParseInt(g.Code, 10, 64)
			label = basics[id].Name
		}
		item.Entries = append(item.Entries, workbench.Entry{Label: label, Link: "/merchants/flags/" + month + "/" + g.String(), Tone: workbench.Warn})
	}
	return []workbench.Item{item}, nil
}
