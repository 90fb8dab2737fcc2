package problem_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/synth"
)

// TestLedgerFiltersMatchAPlainQuery pages through every common filter of
// a generated district as the office, a street's handler and a
// community's handler, twenty cases a page by the 下一页 cursors, and
// wants the cases and the order of one plain query over the table: the
// scope written as the rule says it (reported by me, or in my area, or
// dispatched to my unit or one below it), no index hints, no parts. It
// runs with the store's walking threshold at its default and low, so that
// both ways a page is read are compared.
func TestLedgerFiltersMatchAPlainQuery(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	end := time.Date(2026, 11, 18, 10, 0, 0, 0, calendar.Shanghai())
	if _, err := synth.Generate(ctx, d, synth.Options{Seed: 7, Problems: 3000, Grids: 120, Units: 120, Months: 3, End: end}); err != nil {
		t.Fatal(err)
	}
	o := org.New(d)
	actorOf := func(q string, args ...any) access.Actor {
		t.Helper()
		var id int64
		if err := d.QueryRow(ctx, q, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		a, _, err := o.Actor(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// The busiest street unit and its busiest community, by their handlers.
	busiest := func(length int, within string) access.Actor {
		return actorOf(`SELECT a.id FROM app_user a JOIN unit u ON a.username = 'synth-h-' || u.code
			JOIN problem p ON p.unit_id = u.id WHERE u.kind = 'territorial' AND LENGTH(u.region_code) = ? AND u.region_code LIKE ?
			GROUP BY a.id ORDER BY COUNT(*) DESC, a.id LIMIT 1`, length, within+"%")
	}
	street := busiest(9, synth.District)
	community := busiest(12, street.Region)
	if len(street.SubUnits) == 0 {
		t.Fatalf("the street's handler (unit %d) supervises no unit", street.UnitID)
	}
	actors := map[string]access.Actor{
		"office":    actorOf("SELECT id FROM app_user WHERE username = ?", synth.UserOffice),
		"street":    street,
		"community": community,
	}
	// The plain scope, as problem.CanSee states it.
	scope := func(a access.Actor) (string, []any) {
		w, args := "p.reporter_id = ?", []any{a.UserID}
		if a.HasAny(access.RoleOffice, access.RoleLeader, access.RoleInspector) && a.Region != "" {
			w, args = w+" OR p.region_code LIKE ?", append(args, a.Region+"%")
		}
		if a.UnitID != 0 && a.HasAny(access.RoleHandler, access.RoleLeader) {
			for _, id := range append([]int64{a.UnitID}, a.SubUnits...) {
				w, args = w+" OR p.unit_id = ?", append(args, id)
			}
		}
		return "(" + w + ")", args
	}
	var category int64
	if err := d.QueryRow(ctx, "SELECT category_id FROM problem GROUP BY category_id ORDER BY COUNT(*) DESC, category_id LIMIT 1").
		Scan(&category); err != nil {
		t.Fatal(err)
	}
	community0 := community.UnitID
	open := "p.state IN ('filed', 'dispatched', 'in_progress') AND p.deadline < " + strconv.FormatInt(db.Millis(end), 10)
	filters := []struct {
		name  string
		f     problem.Filter
		where string
		args  []any
	}{
		{"all", problem.Filter{}, "1 = 1", nil},
		{"street", problem.Filter{Region: street.Region}, "p.region_code LIKE ?", []any{street.Region + "%"}},
		{"community unit", problem.Filter{UnitID: community0}, "p.unit_id = ?", []any{community0}},
		{"dispatched", problem.Filter{States: []problem.State{problem.Dispatched}}, "p.state = 'dispatched'", nil},
		{"closed", problem.Filter{States: []problem.State{problem.Closed}}, "p.state = 'closed'", nil},
		{"rejected", problem.Filter{States: []problem.State{problem.Rejected}}, "p.state = 'rejected'", nil},
		{"overdue", problem.Filter{Overdue: true}, open, nil},
		{"unit + overdue", problem.Filter{UnitID: community0, Overdue: true}, "p.unit_id = ? AND " + open, []any{community0}},
		{"street + dispatched", problem.Filter{Region: street.Region, States: []problem.State{problem.Dispatched}},
			"p.region_code LIKE ? AND p.state = 'dispatched'", []any{street.Region + "%"}},
		{"category", problem.Filter{CategoryID: category}, "p.category_id = ?", []any{category}},
		{"hotline", problem.Filter{Source: problem.SourceHotline}, "p.source = 'hotline'", nil},
		{"red", problem.Filter{Escalation: 2}, "p.escalation_level >= 2", nil},
		{"last month", problem.Filter{From: end.AddDate(0, -1, 0), To: end}, "p.reported_at >= ? AND p.reported_at < ?",
			[]any{db.Millis(end.AddDate(0, -1, 0)), db.Millis(end)}},
		{"oldest first", problem.Filter{Sort: "old"}, "1 = 1", nil},
	}
	// Nearest first is no order of the unit indexes: the same cases in the
	// order of the plane's distance (a degree of longitude shortened by
	// the cosine of the latitude), cases without a place last.
	near, err := (&problem.Store{DB: d, Now: func() time.Time { return end }}).Page(ctx, street,
		problem.Filter{Near: &geo.Point{Lng: 113.6, Lat: 34.75}, Limit: 20}, "")
	if err != nil {
		t.Fatal(err)
	}
	sw, sargs := scope(street)
	nearest, err := db.Strings(ctx, d, `SELECT p.code FROM problem p WHERE `+sw+` ORDER BY CASE WHEN p.lng IS NULL THEN 1 ELSE 0 END,
		((p.lng - 113.6) * 0.821647) * ((p.lng - 113.6) * 0.821647) + (p.lat - 34.75) * (p.lat - 34.75), p.id LIMIT ?`,
		append(sargs, 20)...)
	if err != nil {
		t.Fatal(err)
	}
	var nearCodes []string
	for _, c := range near.Cases {
		nearCodes = append(nearCodes, c.Code)
	}
	if !slices.Equal(nearCodes, nearest) {
		t.Errorf("nearest first: %d cases %v…, want %d %v…", len(nearCodes), nearCodes[:min(3, len(nearCodes))], len(nearest), nearest[:min(3, len(nearest))])
	}
	for _, walkAbove := range []int{0, 40} {
		ps := &problem.Store{DB: d, Now: func() time.Time { return end }, WalkNewestAbove: walkAbove}
		for who, a := range actors {
			for _, tc := range filters {
				sw, sargs := scope(a)
				order := " ORDER BY p.reported_at DESC, p.id DESC"
				if tc.f.Sort == "old" {
					order = " ORDER BY p.reported_at, p.id"
				}
				want, err := db.Strings(ctx, d, "SELECT p.code FROM problem p WHERE "+sw+" AND "+tc.where+order, append(sargs, tc.args...)...)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				f, cursor := tc.f, ""
				f.Limit = 20
				for page := 1; ; page++ {
					pg, err := ps.Page(ctx, a, f, cursor)
					if err != nil {
						t.Fatalf("%s, %s, page %d: %v", who, tc.name, page, err)
					}
					if page == 1 && pg.Total != min(len(want), pg.Cap+1) {
						t.Errorf("%s, %s (walk above %d): count %d, the plain query finds %d", who, tc.name, walkAbove, pg.Total, len(want))
					}
					for _, c := range pg.Cases {
						got = append(got, c.Code)
					}
					if pg.Next == "" || page > 400 {
						break
					}
					cursor = pg.Next
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s, %s (walk above %d): paged %d cases, the plain query %d (first paged %v, want %v)",
						who, tc.name, walkAbove, len(got), len(want), got[:min(3, len(got))], want[:min(3, len(want))])
				}
				if who == "street" && tc.name == "all" && len(want) < 100 {
					t.Fatalf("the street's handler sees %d cases; the city is too small to page", len(want))
				}
			}
		}
	}
}
